/**
 * The inbound inbox on PostgreSQL: a platform event is INSERTed before the platform gets its answer; the unique
 * (platform, external_id) recognises retries. The table is also the queue the worker claims from (inbox-queue.ts).
 * The processing algorithm is the core's (src/core/sync/inbound-processor.ts); this is its repository and scheduler.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type pg from 'pg';
import { z } from 'zod';
import { sqlOf, type Db } from '../db/prisma.ts';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import type { InboundScheduler, InboxRepo, InboxRow } from '../../core/sync/inbound-processor.ts';
import type { ChatOutcome } from '../../core/chat/chat-service.ts';
import { storable } from '../../core/text-rules.ts';
import { grouped } from './grouped.ts';
import { claimedRows } from './claim-loop.ts';

/**
 * Many events in one statement (one commit): each row, or, for a platform's retry recorded before, that row's id.
 * Rows are inserted in the order given (ids in arrival order, which one chat's order follows).
 */
const RECORD_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS i(platform, external_id, ordering_key, payload, n)),
  ins AS (
    INSERT INTO inbound_events (platform, external_id, ordering_key, payload)
    SELECT platform, external_id, ordering_key, payload::jsonb FROM input ORDER BY n
    ON CONFLICT (platform, external_id) DO NOTHING
    RETURNING id, platform, external_id)
  SELECT i.n::int AS n, COALESCE(ins.id, old.id)::text AS id, ins.id IS NOT NULL AS inserted
  FROM input i
  LEFT JOIN ins ON ins.platform = i.platform AND ins.external_id = i.external_id
  LEFT JOIN inbound_events old ON ins.id IS NULL AND old.platform = i.platform AND old.external_id = i.external_id`;

type NewEvent = Parameters<InboxPort['record']>[0];

/** At most this many record statements at once; the events arriving meanwhile go together in the next one. */
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 200;

/**
 * `pool`: the connections the webhooks record on, of their own, so that a busy worker never keeps a platform
 * waiting for its answer. `recorded` is told after each new event (this process's worker claims it at once).
 *
 * Group commit: while MAX_IN_FLIGHT statements are running, the events that arrive wait and are then recorded
 * together, in one statement and one commit; each webhook still answers only once its own event is durable. At a
 * low rate every event has its statement at once.
 */
export function createInbox(db: Db, opts: { pool?: pg.Pool; recorded?: () => void; prepared?: boolean } = {}): InboxPort {
  const run = async (params: unknown[]): Promise<{ n: number; id: string | null; inserted: boolean }[]> => {
    // Prepared once per connection: its planning cost PostgreSQL more than its run, on every webhook's answer path.
    if (opts.pool) return (await opts.pool.query<{ n: number; id: string | null; inserted: boolean }>({ ...(opts.prepared === false ? {} : { name: 'tb_inbox_record' }), text: RECORD_SQL, values: params })).rows;
    return db.$queryRawUnsafe<{ n: number; id: string | null; inserted: boolean }[]>(RECORD_SQL, ...params);
  };
  const write = grouped<NewEvent, { id: string; duplicate: boolean }>({
    maxInFlight: MAX_IN_FLIGHT,
    maxBatch: MAX_BATCH,
    async run(batch) {
      const rows = await run([
        batch.map((e) => e.platform),
        batch.map((e) => e.externalId),
        batch.map((e) => e.orderingKey ?? null),
        batch.map((e) => JSON.stringify(e.payload ?? null)),
      ]);
      const byN = new Map(rows.map((r) => [Number(r.n), r]));
      const firstOfKey = new Set<string>();
      let anyNew = false;
      const answers = batch.map((e, i) => {
        const r = byN.get(i + 1);
        if (!r?.id) return null;
        // The same event twice in one batch (a platform's quick retry): the first is the new one.
        const key = `${e.platform}\u0000${e.externalId}`;
        const isNew = r.inserted && !firstOfKey.has(key);
        firstOfKey.add(key);
        anyNew ||= isNew;
        return { id: r.id, duplicate: !isNew };
      });
      if (anyNew) opts.recorded?.();
      // A concurrent statement inserted it after this one's snapshot was taken: a new statement sees it.
      return Promise.all(
        answers.map(async (a, i) => {
          if (a) return a;
          const e = batch[i]!;
          const old = await db.inboundEvent.findUnique({ where: { platform_externalId: { platform: e.platform, externalId: e.externalId } }, select: { id: true } });
          return { id: String(old?.id ?? ''), duplicate: true };
        }),
      );
    },
  });

  return {
    record(platformEvent) {
      // A platform cannot correct what it sends: what PostgreSQL cannot hold (NUL, lone surrogates) becomes U+FFFD.
      return write(storable(platformEvent));
    },
  };
}

const inboxRowSchema = z.object({
  platform: z.string(),
  external_id: z.string(),
  ordering_key: z.string().nullable(),
  payload: z.unknown(),
  status: z.string(),
  attempts: z.number().int(),
  failing_since: z.date().nullable(),
  received_at: z.date(),
  outcome: z.unknown(),
  replies_sent: z.number().int(),
});

/** The columns of an inbox row (table alias `a`) as loadInbound reads them; the queue's claim returns them too (see prefetched). */
export const inboxRowColumns = (a: string) =>
  Prisma.raw(['id::text AS id', 'platform', 'external_id', 'ordering_key', 'payload', 'status', 'attempts', 'failing_since', 'received_at', 'outcome', 'replies_sent'].map((c) => `${a}.${c}`).join(', '));

function inboxRowOf(id: string, raw: unknown): InboxRow {
  const r = inboxRowSchema.parse(raw);
  return {
    id,
    platform: r.platform,
    externalId: r.external_id,
    orderingKey: r.ordering_key,
    payload: r.payload,
    status: r.status as InboxRow['status'],
    attempts: r.attempts,
    failingSince: r.failing_since,
    receivedAt: r.received_at,
    outcome: (r.outcome as ChatOutcome | null) ?? null,
    repliesSent: r.replies_sent,
  };
}

export function createInboxRepo(db: Db): InboxRepo & InboundScheduler & { prefetched(rows: { id: string }[]): void } {
  // Every event's processing reads and writes its row: on pg directly (src/infra/db/direct-sql.ts).
  const sql = sqlOf(db);
  /** The rows the queue's claim returned (inbox-queue.ts): the processing's first load of each takes its row; a retry in place reads again. */
  const claimed = claimedRows<unknown>();
  /** Completions of events finished at once go in one statement (grouped.ts); each processing waits for its own. */
  const complete = grouped<string, void>({
    maxInFlight: 1,
    maxBatch: 200,
    async run(ids) {
      await sql.exec(Prisma.sql`UPDATE inbound_events SET status = 'done', processed_at = clock_timestamp(), last_error = NULL, outcome = NULL, claimed_until = NULL
        WHERE id = ANY(${ids.map((i) => BigInt(i))}::bigint[])`);
      return ids.map(() => undefined);
    },
  });
  return {
    prefetched: (rows) => claimed.keep(rows),
    async loadInbound(id) {
      const pre = claimed.take(id);
      if (pre) return inboxRowOf(id, pre);
      const rows = await sql.rows(Prisma.sql`SELECT ${inboxRowColumns('e')} FROM inbound_events e WHERE e.id = ${BigInt(id)}`);
      return rows[0] ? inboxRowOf(id, rows[0]) : null;
    },
    completeInbound: (id) => complete(id),
    async saveInboundOutcome(id, outcome) {
      await sql.exec(Prisma.sql`UPDATE inbound_events SET outcome = ${JSON.stringify(outcome)}::jsonb, replies_sent = 0 WHERE id = ${BigInt(id)}`);
    },
    async noteRepliesSent(id, count) {
      await sql.exec(Prisma.sql`UPDATE inbound_events SET replies_sent = ${count} WHERE id = ${BigInt(id)}`);
    },
    async failInbound(id, f) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { attempts: f.attempts, lastError: f.error, failingSince: f.failingSince, ...(f.dead ? { status: 'dead' } : {}) } });
    },
    async processLater(row, runAt) {
      // Its claim ends: the chat's later events may go ahead while this one waits (inbox-queue.ts).
      await sql.exec(Prisma.sql`UPDATE inbound_events SET run_at = ${runAt}, claimed_until = NULL WHERE id = ${BigInt(row.id)}`);
    },
  };
}

/**
 * An admin's retry of parked events: back to pending, due now, with a fresh retry span. One event by id, or every
 * dead one (of one platform); the queue claims them in id order, so one chat's events keep their order. Returns how
 * many were requeued.
 */
export async function retryDeadInbound(db: Db, which: { id?: bigint; platform?: string }): Promise<number> {
  const id = which.id ?? null;
  const platform = which.platform ?? null;
  return db.$executeRaw`
    UPDATE inbound_events SET status = 'pending', attempts = 0, failing_since = NULL, outcome = NULL, replies_sent = 0, run_at = now(), claimed_until = NULL
    WHERE status = 'dead' AND (${id}::bigint IS NULL OR id = ${id}::bigint) AND (${platform}::text IS NULL OR platform = ${platform}::text)`;
}
