/**
 * The inbox as its own queue. The worker claims due pending events in batches, in id order, straight from
 * inbound_events (FOR UPDATE SKIP LOCKED, so two instances never claim one event), and runs the core's processing
 * of each (src/core/sync/inbound-processor.ts) with up to `concurrency` at a time. No graphile-worker job per event:
 * one claim statement per batch, woken by the webhook that recorded an event in this process (`nudge`), by a
 * processing that ended (its chat's next event may go now), or by a poll (events recorded by another instance,
 * retries whose backoff ran out).
 *
 * One chat's order: an event with an ordering key is claimed only when no older pending event of its key is due or
 * in flight. So two events of one chat never run at once, on any instance, and a failing event that retries in
 * place (a short wait, src/core/sync/inbound-processor.ts) holds its chat's later events back; one that waits
 * longer gives the chat back (its run_at is in the future, its claim released), as before.
 *
 * A claim is a lease (claimed_until), renewed while the processing runs: a crashed instance's events are claimed
 * again by any instance once the lease has run out.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.ts';
import { sqlOf, type Db } from '../db/prisma.ts';
import { inboxRowColumns } from './inbox.ts';
import { startClaimLoop } from './claim-loop.ts';

export const INBOX_LEASE_MS = 15_000;

export interface InboxQueue {
  /** Something was recorded (or became due): claim now rather than at the next poll. */
  nudge(): void;
  /** Stops claiming, aborts waits in place (they reschedule), waits for the processings in flight. */
  stop(): Promise<void>;
}

const claimedSchema = z.array(z.looseObject({ id: z.string() }));

export function startInboxQueue(opts: {
  db: Db;
  process: (id: string, signal: AbortSignal) => Promise<void>;
  concurrency: number;
  pollIntervalMs: number;
  logger: Logger;
  leaseMs?: number;
  /** The claimed rows with every column of inboxRowColumns, before their processing starts (inbox.ts prefetched). */
  claimed?: (rows: { id: string }[]) => void;
}): InboxQueue {
  const { db, logger } = opts;
  const leaseMs = opts.leaseMs ?? INBOX_LEASE_MS;
  const abort = new AbortController();
  const inFlight = new Map<string, Promise<void>>();
  const nudge = () => looping.nudge();

  // The claim is the queue's busiest statement: on pg directly (src/infra/db/direct-sql.ts).
  const sql = sqlOf(db);
  async function claim(n: number): Promise<string[]> {
    const rows = await sql.rows(Prisma.sql`
      WITH due AS (
        SELECT e.id FROM inbound_events e
        WHERE e.status = 'pending' AND e.run_at <= now() AND (e.claimed_until IS NULL OR e.claimed_until < now())
          AND (e.ordering_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM inbound_events o
            WHERE o.status = 'pending' AND o.platform = e.platform AND o.ordering_key = e.ordering_key AND o.id < e.id
              AND (o.run_at <= now() OR o.claimed_until >= now())))
        ORDER BY e.id
        LIMIT ${n}
        FOR UPDATE OF e SKIP LOCKED)
      UPDATE inbound_events u SET claimed_until = now() + ${leaseMs} * interval '1 millisecond'
      FROM due WHERE u.id = due.id
      RETURNING ${opts.claimed ? inboxRowColumns('u') : Prisma.sql`u.id::text AS id`}`);
    const claimed = claimedSchema.parse(rows);
    opts.claimed?.(claimed);
    return claimed.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  }

  function start(id: string): void {
    const run = opts
      .process(id, abort.signal)
      .catch(async (err: unknown) => {
        // The processing could not even record its failure (the database went away): let it come again soon.
        logger.warn({ inboundId: id, err: (err as Error)?.message }, 'inbound processing failed; the event is claimed again later');
        await db.$executeRaw`UPDATE inbound_events SET claimed_until = NULL, run_at = now() + interval '1 second' WHERE id = ${BigInt(id)} AND status = 'pending'`.catch(() => undefined);
      })
      .finally(() => {
        inFlight.delete(id);
        nudge();
      });
    inFlight.set(id, run);
  }

  async function release(ids: string[]): Promise<void> {
    await db.$executeRaw`UPDATE inbound_events SET claimed_until = NULL WHERE id = ANY(${ids.map((i) => BigInt(i))}::bigint[])`.catch(() => undefined);
  }

  // The leases of what runs here, renewed well before they run out.
  const renew = setInterval(() => {
    if (inFlight.size === 0) return;
    const ids = [...inFlight.keys()].map((i) => BigInt(i));
    void db.$executeRaw`UPDATE inbound_events SET claimed_until = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = ANY(${ids}::bigint[]) AND status = 'pending' AND claimed_until IS NOT NULL`.catch((err: unknown) =>
      logger.warn({ err: (err as Error)?.message }, 'inbox lease renewal failed'),
    );
  }, Math.max(50, Math.floor(leaseMs / 3)));
  renew.unref();

  const looping = startClaimLoop({ what: 'inbox', logger, concurrency: opts.concurrency, pollIntervalMs: opts.pollIntervalMs, running: () => inFlight.size, claim, start, release });
  return {
    nudge,
    async stop() {
      abort.abort();
      await looping.stop();
      await Promise.all([...inFlight.values()]);
      clearInterval(renew);
    },
  };
}
