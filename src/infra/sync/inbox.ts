/**
 * The inbound inbox: a platform event is one INSERT (with its processing job, in the same statement) before the
 * platform gets its answer; the unique (platform, external_id) recognises retries. Processing runs from the
 * worker; an event that keeps failing is parked as `dead` with its error and can be retried by an admin.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.ts';
import type { ChannelAdapter } from '../../core/ports/channel-port.ts';
import type { InboxPort } from '../../core/ports/desk-port.ts';
import { TASK_PROCESS_INBOUND } from '../queue/jobs.ts';
import { onInboundFailure } from '../../core/sync/delivery-policy.ts';
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

export function createInboundProcessor(deps: {
  db: Db;
  adapters: Map<string, ChannelAdapter>;
  logger: Logger;
  onDead?: (platform: string) => void;
}) {
  const { db, adapters, logger } = deps;
  return async function processInbound(id: string): Promise<void> {
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
        const decision = onInboundFailure(err, row.attempts);
        const message = String((err as Error)?.stack ?? err).slice(0, 2000);
        const dead = decision.action === 'park';
        const attempts = dead || decision.countsAsFailure ? row.attempts + 1 : row.attempts;
        await db.inboundEvent.update({ where: { id: row.id }, data: { attempts, lastError: message, ...(dead ? { status: 'dead' } : {}) } });
        if (decision.action === 'park') {
          logger.error({ inboundId: id, platform: row.platform, err }, 'inbound event parked as dead');
          deps.onDead?.(row.platform);
          return;
        }
        logger.warn({ inboundId: id, platform: row.platform, attempts, err: (err as Error)?.message }, 'inbound event failed; will retry');
        // An ordered event (one chat's) retries in place while the wait is short: its job keeps the queue, so the
        // events recorded after it (an edit of this very message) cannot overtake it.
        if (row.orderingKey && decision.delayMs <= MAX_IN_PLACE_RETRY_MS) {
          await new Promise((r) => setTimeout(r, decision.delayMs));
          continue;
        }
        // Otherwise our own backoff with jitter (graphile-worker's own starts at seconds and grows to hours).
        const runAt = new Date(Date.now() + decision.delayMs);
        await db.$executeRaw`SELECT graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', ${id}::text),
          queue_name := ${queueName(row.platform, row.orderingKey)}::text, run_at := ${runAt}::timestamptz, max_attempts := 1000)`;
        return;
      }
    }
  };
}

/** An admin's retry of a parked event: back to pending with a fresh job. */
export async function retryDeadInbound(db: Db, id: bigint): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    WITH upd AS (
      UPDATE inbound_events SET status = 'pending', attempts = 0 WHERE id = ${id} AND status = 'dead' RETURNING id, platform, ordering_key)
    SELECT id, graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', id::text),
             queue_name := CASE WHEN ordering_key IS NULL THEN NULL ELSE 'inbound:' || platform || ':' || ordering_key END,
             max_attempts := 1000) IS NOT NULL AS queued
    FROM upd`;
  return rows.length === 1;
}
