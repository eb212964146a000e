/**
 * The inbound inbox on PostgreSQL: a platform event is one INSERT before the platform gets its answer; the unique
 * (platform, external_id) recognises retries. The table is also the queue the worker claims from (inbox-queue.ts).
 * The processing algorithm is the core's (src/core/sync/inbound-processor.ts); this is its repository and scheduler.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type pg from 'pg';
import { z } from 'zod';
import type { Db } from '../db/prisma.ts';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import type { InboundScheduler, InboxRepo, InboxRow } from '../../core/sync/inbound-processor.ts';
import type { ChatOutcome } from '../../core/chat/chat-service.ts';
import { storable } from '../../core/text-rules.ts';

const RECORD_SQL = `
  WITH ins AS (
    INSERT INTO inbound_events (platform, external_id, ordering_key, payload)
    VALUES ($1, $2, $3, $4::jsonb)
    ON CONFLICT (platform, external_id) DO NOTHING
    RETURNING id)
  SELECT id::text AS id, false AS duplicate FROM ins
  UNION ALL
  SELECT id::text AS id, true AS duplicate FROM inbound_events
  WHERE platform = $1 AND external_id = $2 AND NOT EXISTS (SELECT 1 FROM ins)`;

/**
 * `pool`: the connections the webhooks record on, of their own, so that a busy worker never keeps a platform
 * waiting for its answer. `recorded` is told after each new event (this process's worker claims it at once).
 */
export function createInbox(db: Db, opts: { pool?: pg.Pool; recorded?: () => void } = {}): InboxPort {
  const run = async (params: unknown[]): Promise<{ id: string; duplicate: boolean }[]> => {
    if (opts.pool) return (await opts.pool.query<{ id: string; duplicate: boolean }>(RECORD_SQL, params)).rows;
    return db.$queryRawUnsafe<{ id: string; duplicate: boolean }[]>(RECORD_SQL, ...params);
  };
  return {
    async record(platformEvent) {
      // A platform cannot correct what it sends: what PostgreSQL cannot hold (NUL, lone surrogates) becomes U+FFFD.
      const event = storable(platformEvent);
      // One statement: the row, or the id of the one a platform's retry recorded before.
      const rows = await run([event.platform, event.externalId, event.orderingKey ?? null, JSON.stringify(event.payload ?? null)]);
      const row = rows[0];
      if (row && !row.duplicate) opts.recorded?.();
      if (row) return { id: row.id, duplicate: row.duplicate };
      // A concurrent retry inserted it after this statement's snapshot was taken: a new statement sees it.
      const existing = await db.inboundEvent.findUnique({
        where: { platform_externalId: { platform: event.platform, externalId: event.externalId } },
        select: { id: true },
      });
      return { id: String(existing?.id ?? ''), duplicate: true };
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

export function createInboxRepo(db: Db): InboxRepo & InboundScheduler {
  return {
    async loadInbound(id) {
      const rows = await db.$queryRaw<unknown[]>`
        SELECT platform, external_id, ordering_key, payload, status, attempts, failing_since, received_at, outcome, replies_sent
        FROM inbound_events WHERE id = ${BigInt(id)}`;
      if (!rows[0]) return null;
      const r = inboxRowSchema.parse(rows[0]);
      const row: InboxRow = {
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
      return row;
    },
    async completeInbound(id) {
      await db.$executeRaw`UPDATE inbound_events SET status = 'done', processed_at = clock_timestamp(), last_error = NULL, outcome = NULL, claimed_until = NULL WHERE id = ${BigInt(id)}`;
    },
    async saveInboundOutcome(id, outcome) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { outcome: outcome as unknown as Prisma.InputJsonValue, repliesSent: 0 } });
    },
    async noteRepliesSent(id, count) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { repliesSent: count } });
    },
    async failInbound(id, f) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { attempts: f.attempts, lastError: f.error, failingSince: f.failingSince, ...(f.dead ? { status: 'dead' } : {}) } });
    },
    async processLater(row, runAt) {
      // Its claim ends: the chat's later events may go ahead while this one waits (inbox-queue.ts).
      await db.$executeRaw`UPDATE inbound_events SET run_at = ${runAt}, claimed_until = NULL WHERE id = ${BigInt(row.id)}`;
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
