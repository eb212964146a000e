/**
 * The inbound inbox: a platform event is one INSERT (with its processing job, in the same statement) before the
 * platform gets its answer; the unique (platform, external_id) recognises retries. Processing runs from the
 * worker; a failing event is retried with backoff for about a day (INBOUND_RETRY), then parked as `dead` with its
 * error, and an admin can retry it (or every dead event at once).
 */
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.ts';
import type { ChannelAdapter } from '../../core/ports/channel-port.ts';
import type { InboxPort } from '../../core/ports/desk-port.ts';
import { TASK_PROCESS_INBOUND } from '../queue/jobs.ts';
import { INBOUND_RETRY, onInboundFailure, type InboundRetryPolicy } from '../../core/sync/delivery-policy.ts';
import { storable } from '../../core/text-rules.ts';


/** Waits longer than this give the worker back instead of holding an ordered queue. */
const MAX_IN_PLACE_RETRY_MS = 30_000;

/** One serial graphile-worker queue per ordering key; events without a key run in parallel. */
function queueName(platform: string, orderingKey: string | null | undefined): string | null {
  return orderingKey ? `inbound:${platform}:${orderingKey}` : null;
}

export function createInbox(db: Db): InboxPort {
  return {
    async record(platformEvent) {
      // A platform event must be stored as it came, or the platform retries it forever: what jsonb and text
      // columns cannot hold (NUL, lone surrogates) becomes U+FFFD (see core/text-rules.ts), here, once.
      const event = storable(platformEvent);
      const rows = await db.$queryRaw<{ id: bigint }[]>`
        WITH ins AS (
          INSERT INTO inbound_events (platform, external_id, ordering_key, payload)
          VALUES (${event.platform}, ${event.externalId}, ${event.orderingKey ?? null}, ${JSON.stringify(event.payload ?? null)}::jsonb)
          ON CONFLICT (platform, external_id) DO NOTHING
          RETURNING id)
        SELECT id, graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', id::text),
                 queue_name := ${queueName(event.platform, event.orderingKey)}::text, max_attempts := 1000) IS NOT NULL AS queued
        FROM ins`;
      if (rows[0]) return { id: String(rows[0].id), duplicate: false };
      const existing = await db.inboundEvent.findUnique({
        where: { platform_externalId: { platform: event.platform, externalId: event.externalId } },
        select: { id: true },
      });
      return { id: String(existing?.id ?? ''), duplicate: true };
    },
  };
}

/** Sleeps `ms`; false when `signal` aborted it first (the worker is shutting down). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createInboundProcessor(deps: {
  db: Db;
  adapters: Map<string, ChannelAdapter>;
  logger: Logger;
  onDead?: (platform: string) => void;
  retryPolicy?: InboundRetryPolicy;
}) {
  const { db, adapters, logger } = deps;
  const policy = deps.retryPolicy ?? INBOUND_RETRY;
  /** `signal` aborts a retry waiting in place (at shutdown): the event is then rescheduled instead. */
  return async function processInbound(id: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const row = await db.inboundEvent.findUnique({ where: { id: BigInt(id) } });
      if (!row || row.status !== 'pending') return;
      const adapter = adapters.get(row.platform);
      try {
        if (!adapter) throw new Error(`channel ${row.platform} is not enabled`);
        await adapter.processInbound({
          id,
          platform: row.platform,
          externalId: row.externalId,
          payload: row.payload,
          receivedAt: row.receivedAt,
        });
        await db.inboundEvent.update({ where: { id: row.id }, data: { status: 'done', processedAt: new Date(), lastError: null } });
        return;
      } catch (err) {
        const now = new Date();
        const decision = onInboundFailure(err, { failuresSoFar: row.attempts, failingSince: row.failingSince, now }, policy);
        const message = String((err as Error)?.stack ?? err).slice(0, 2000);
        const dead = decision.action === 'park';
        const counted = dead || decision.countsAsFailure;
        await db.inboundEvent.update({
          where: { id: row.id },
          data: {
            attempts: counted ? row.attempts + 1 : row.attempts,
            lastError: message,
            ...(counted && !row.failingSince ? { failingSince: now } : {}),
            ...(dead ? { status: 'dead' } : {}),
          },
        });
        if (decision.action === 'park') {
          logger.error({ inboundId: id, platform: row.platform, attempts: row.attempts + 1, err }, 'inbound event parked as dead');
          deps.onDead?.(row.platform);
          return;
        }
        logger.warn({ inboundId: id, platform: row.platform, attempts: row.attempts + (counted ? 1 : 0), retryInMs: decision.delayMs, err: (err as Error)?.message }, 'inbound event failed; will retry');
        // An ordered event (one chat's) retries in place while the wait is short: its job keeps the queue, so the
        // events recorded after it (an edit of this very message) cannot overtake it. A longer wait gives the
        // queue back: the chat's later events go ahead rather than wait hours behind one failing event.
        if (row.orderingKey && decision.delayMs <= MAX_IN_PLACE_RETRY_MS && (await sleep(decision.delayMs, signal))) continue;
        const runAt = new Date(Date.now() + decision.delayMs);
        await db.$executeRaw`SELECT graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', ${id}::text),
          queue_name := ${queueName(row.platform, row.orderingKey)}::text, run_at := ${runAt}::timestamptz, max_attempts := 1000)`;
        return;
      }
    }
  };
}

/**
 * An admin's retry of parked events: back to pending with a fresh job and a fresh retry span. One event by id, or
 * every dead one (of one platform); jobs are added in id order, so one chat's events keep their order. Returns how
 * many were requeued.
 */
export async function retryDeadInbound(db: Db, which: { id?: bigint; platform?: string }): Promise<number> {
  const id = which.id ?? null;
  const platform = which.platform ?? null;
  const rows = await db.$queryRaw<{ requeued: bigint }[]>`
    WITH upd AS (
      UPDATE inbound_events SET status = 'pending', attempts = 0, failing_since = NULL
      WHERE status = 'dead' AND (${id}::bigint IS NULL OR id = ${id}::bigint) AND (${platform}::text IS NULL OR platform = ${platform}::text)
      RETURNING id, platform, ordering_key),
    jobs AS (
      SELECT graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', id::text),
               queue_name := CASE WHEN ordering_key IS NULL THEN NULL ELSE 'inbound:' || platform || ':' || ordering_key END,
               max_attempts := 1000) AS job
      FROM (SELECT * FROM upd ORDER BY id) ordered)
    SELECT count(*) AS requeued FROM jobs`;
  return Number(rows[0]?.requeued ?? 0);
}
