/**
 * Deliveries as their own queue, in the shape of the inbox's (inbox-queue.ts). `thread_drains` holds one row per
 * chat thread link with deliveries to send. The statement that publishes a delivery inserts its link's row or bumps
 * the row's `seq`, in the publishing transaction; the worker claims due rows in batches (FOR UPDATE SKIP LOCKED,
 * with a lease) and runs the core's drain of each thread (src/core/sync/thread-drain.ts) with up to `concurrency`
 * at a time. Afterwards the row is deleted if its seq is still the one claimed (nothing came meanwhile), else given
 * back so that the thread is drained again: a commit during a drain is never missed, and never waits behind a job
 * of its own. No graphile-worker job per thread: one claim statement per batch, woken by a commit of this process
 * (`nudge`), a NOTIFY of another instance's commit (the live bus's connection), a drain that ended with work left,
 * or a poll (backoffs and pacing waits that ran out, a missed notification).
 *
 * One thread is drained by one worker at a time, on any instance: only an unclaimed row (or one whose lease ran
 * out) is claimed, and the lease is renewed while the drain runs. A crashed instance's rows are claimed again by any
 * instance once their lease has run out; the deliveries' own claims (`sending`) keep a message from going twice.
 *
 * run_at is when the row may be claimed: a drain that must wait (a platform's pacing, a retry's backoff) moves it
 * (drainLater); a commit leaves it, so a backoff in force is not cut short. A drain that throws (the database went
 * away) backs off exponentially (1 s doubling, capped at 5 minutes).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.ts';
import { directRaw, type Db } from '../db/prisma.ts';
import { startClaimLoop } from './claim-loop.ts';

export const DRAIN_LEASE_MS = 15_000;
/** The NOTIFY channel of committed deliveries; the payload is the committing service's origin (see publish). */
export const DRAIN_CHANNEL = 'thread_drains';
export const DRAIN_MAX_BACKOFF_MS = 5 * 60_000;

type Sql = Pick<Prisma.TransactionClient, '$executeRaw'>;

/**
 * The upsert that asks for a drain of the thread links `linkIds` selects (a SELECT of one uuid column). A new row is
 * due at `runAt` (default now); an existing one gets seq + 1 and keeps its run_at unless `runAt` is given. Ordered
 * by id so that two transactions asking for the same links lock their rows in the same order.
 */
export function requestDrainsSql(linkIds: Prisma.Sql, runAt: Date | null = null): Prisma.Sql {
  return Prisma.sql`INSERT INTO thread_drains (thread_link_id, run_at)
    SELECT l.id, COALESCE(${runAt}::timestamptz, now()) FROM (${linkIds}) AS l(id) ORDER BY l.id
    ON CONFLICT (thread_link_id) DO UPDATE SET seq = thread_drains.seq + 1${runAt ? Prisma.sql`, run_at = EXCLUDED.run_at` : Prisma.empty}`;
}

/** `n AS (...)`: NOTIFY DRAIN_CHANNEL once (at commit) if the CTE `q` returned a row. */
export function notifyDrainsCte(origin: string): Prisma.Sql {
  return Prisma.sql`n AS (SELECT pg_notify(${DRAIN_CHANNEL}, ${origin}) FROM (SELECT 1 FROM q LIMIT 1) x)`;
}

/**
 * A drain of one thread link, due now (a link that is gone asks for nothing): for the start-up sweep, a
 * drain_thread job of an older version, tests. Every instance listening hears of it.
 */
export async function enqueueThreadDrain(db: Sql, threadLinkId: string): Promise<void> {
  await db.$executeRaw`WITH q AS (${requestDrainsSql(Prisma.sql`SELECT id FROM chat_thread_links WHERE id = ${threadLinkId}::uuid`)} RETURNING 1),
    ${notifyDrainsCte('')}
    SELECT (SELECT count(*) FROM n)::int`;
}

/** A drain of every thread that has a delivery waiting (the start-up sweep: a channel that was off, a crash). */
export async function enqueueWaitingDrains(db: Sql): Promise<void> {
  await db.$executeRaw`${requestDrainsSql(Prisma.sql`SELECT DISTINCT thread_link_id FROM deliveries WHERE status IN ('pending', 'sending')`)}`;
}

/** The statement of drainThreadLater, for a caller that puts more in it. */
export const drainThreadLaterSql = (threadLinkId: string, runAt: Date) =>
  requestDrainsSql(Prisma.sql`SELECT id FROM chat_thread_links WHERE id = ${threadLinkId}::uuid`, runAt);

/** The thread's next drain at `runAt` (replacing the row's run_at): the drain's scheduler (drain-repo.ts). */
export async function drainThreadLater(db: Sql, threadLinkId: string, runAt: Date): Promise<void> {
  await db.$executeRaw`${drainThreadLaterSql(threadLinkId, runAt)}`;
}

/** A thread link's columns (table alias `a`) as the claim returns them and drain-repo.ts's loadThreadLink reads them. */
export const threadLinkColumns = (a: string) =>
  Prisma.raw(
    [
      'id::text AS id',
      'ticket_id::text AS "ticketId"',
      'platform',
      'workspace_id AS "workspaceId"',
      'chat_id AS "chatId"',
      'thread_ref AS "threadRef"',
      'direct_user_id AS "directUserId"',
      'locale',
      'status',
      'broken_reason AS "brokenReason"',
    ]
      .map((c) => `${a}.${c}`)
      .join(', '),
  );

export interface DrainQueue {
  /** A delivery was committed (or a drain became due): claim now rather than at the next poll. */
  nudge(): void;
  /** Stops claiming and waits for the drains in flight (each ends with its row deleted or given back). */
  stop(): Promise<void>;
}

// seq: a bigint from Prisma, its text from pg directly.
const claimedSchema = z.array(z.object({ id: z.string(), seq: z.coerce.bigint() }));
const doneSchema = z.array(z.object({ wait_ms: z.number().nullable() }));

export function startDrainQueue(opts: {
  db: Db;
  drain: (threadLinkId: string) => Promise<void>;
  concurrency: number;
  pollIntervalMs: number;
  logger: Logger;
  leaseMs?: number;
  /** The claimed threads' links with every column of threadLinkColumns, before their drains start (drain-repo.ts prefetched). */
  claimedLinks?: (rows: { id: string }[]) => void;
}): DrainQueue {
  const { logger } = opts;
  // The claim and the end of every drain: on pg directly (src/infra/db/direct-sql.ts).
  const db = directRaw(opts.db);
  const leaseMs = opts.leaseMs ?? DRAIN_LEASE_MS;
  const inFlight = new Map<string, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  /** The last claim may have left due rows behind (it filled every free slot, or there was none free). */
  let mayBeMore = false;
  const nudge = () => looping.nudge();
  /** A row given back due later (a pacing wait): claim it then rather than at the first poll after. */
  const nudgeIn = (ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      nudge();
    }, ms);
    t.unref();
    timers.add(t);
  };

  async function claim(n: number): Promise<{ id: string; seq: bigint }[]> {
    const rows = await db.$queryRaw<unknown[]>`
      WITH due AS (
        SELECT thread_link_id FROM thread_drains
        WHERE run_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY run_at
        LIMIT ${n}
        FOR UPDATE SKIP LOCKED)
      UPDATE thread_drains t SET claimed_until = now() + ${leaseMs} * interval '1 millisecond'
      FROM due JOIN chat_thread_links l ON l.id = due.thread_link_id WHERE t.thread_link_id = due.thread_link_id
      RETURNING ${threadLinkColumns('l')}, t.seq`;
    const claimed = claimedSchema.parse(rows);
    opts.claimedLinks?.(rows as { id: string }[]);
    return claimed;
  }

  /**
   * The drain ended: the row goes if nothing asked for a drain since the claim (same seq), else it is given back,
   * one statement either way. A row given back is due at its run_at if a drainLater set a later one, else now,
   * behind the rows that were due before it: a busy thread does not keep the slots from the others. Returns in how
   * many ms the row is due (0: now), null when it went.
   */
  async function finish(id: string, seq: bigint): Promise<number | null> {
    const rows = await db.$queryRaw<unknown[]>`
      WITH gone AS (DELETE FROM thread_drains WHERE thread_link_id = ${id}::uuid AND seq = ${seq} RETURNING 1),
      kept AS (
        UPDATE thread_drains SET claimed_until = NULL, attempts = 0, run_at = greatest(run_at, now())
        WHERE thread_link_id = ${id}::uuid AND NOT EXISTS (SELECT 1 FROM gone)
        RETURNING greatest(0, extract(epoch FROM run_at - now()) * 1000)::float8 AS wait_ms)
      SELECT (SELECT wait_ms FROM kept) AS wait_ms`;
    return doneSchema.parse(rows)[0]?.wait_ms ?? null;
  }

  function start(id: string, seq: bigint): void {
    const run = opts
      .drain(id)
      .then(
        () => finish(id, seq),
        async (err: unknown) => {
          // The drain could not go on (the database went away): try the thread again later, backing off.
          logger.warn({ threadLinkId: id, err: (err as Error)?.message }, 'thread drain failed; it is retried later');
          await db.$executeRaw`UPDATE thread_drains SET claimed_until = NULL, attempts = attempts + 1,
              run_at = now() + least(${DRAIN_MAX_BACKOFF_MS}, 1000 * power(2, least(attempts, 20))) * interval '1 millisecond'
            WHERE thread_link_id = ${id}::uuid`;
          return null;
        },
      )
      // Could not even give it back: its lease runs out and any instance claims it then.
      .catch((err: unknown) => {
        logger.warn({ threadLinkId: id, err: (err as Error)?.message }, 'thread drain could not be given back; its lease runs out');
        return null;
      })
      .then((waitMs) => {
        inFlight.delete(id);
        if (waitMs !== null && waitMs > 0 && !stopping) nudgeIn(Math.ceil(waitMs));
        // A slot is free: claim again if this thread is due once more or the last claim left rows behind.
        if (waitMs === 0 || mayBeMore) nudge();
      });
    inFlight.set(id, run);
  }

  async function release(ids: string[]): Promise<void> {
    await db.$executeRaw`UPDATE thread_drains SET claimed_until = NULL WHERE thread_link_id = ANY(${ids}::uuid[])`.catch(() => undefined);
  }

  // The leases of what runs here, renewed well before they run out. SKIP LOCKED: a row a publishing transaction
  // holds right now is renewed at the next round (a lease lasts three), and the renewal never waits in a lock queue
  // that a transaction locking several rows could close into a deadlock.
  const renew = setInterval(() => {
    if (inFlight.size === 0) return;
    const ids = [...inFlight.keys()];
    void db.$executeRaw`UPDATE thread_drains SET claimed_until = now() + ${leaseMs} * interval '1 millisecond'
      WHERE thread_link_id IN (
        SELECT thread_link_id FROM thread_drains WHERE thread_link_id = ANY(${ids}::uuid[]) AND claimed_until IS NOT NULL
        FOR UPDATE SKIP LOCKED)`.catch((err: unknown) => logger.warn({ err: (err as Error)?.message }, 'drain lease renewal failed'));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  renew.unref();

  const looping = startClaimLoop<{ id: string; seq: bigint }>({
    what: 'drain',
    logger,
    concurrency: opts.concurrency,
    pollIntervalMs: opts.pollIntervalMs,
    running: () => inFlight.size,
    claim,
    start: (c) => start(c.id, c.seq),
    release: (claimed) => release(claimed.map((c) => c.id)),
    afterClaim: (n, free) => (mayBeMore = free === 0 || n === free),
  });
  return {
    nudge,
    async stop() {
      stopping = true;
      await looping.stop();
      await Promise.all([...inFlight.values()]);
      clearInterval(renew);
      for (const t of timers) clearTimeout(t);
    },
  };
}
