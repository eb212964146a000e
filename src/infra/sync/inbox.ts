/**
 * The inbound inbox on PostgreSQL: a platform event is one INSERT (with its processing job, in the same statement)
 * before the platform gets its answer; the unique (platform, external_id) recognises retries. The processing
 * algorithm is the core's (src/core/sync/inbound-processor.ts); this is its repository and scheduler.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import type { InboxPort } from '../../core/ports/desk-port.ts';
import type { InboundScheduler, InboxRepo, InboxRow } from '../../core/sync/inbound-processor.ts';
import type { ChatOutcome } from '../../core/chat/chat-service.ts';
import { addInboundJobSql, enqueueInbound, INBOUND_QUEUE_OF_ROW, inboundQueueName } from '../queue/jobs.ts';

export function createInbox(db: Db): InboxPort {
  return {
    async record(event) {
      const queue = Prisma.sql`${inboundQueueName(event.platform, event.orderingKey)}::text`;
      const rows = await db.$queryRaw<{ id: bigint }[]>`
        WITH ins AS (
          INSERT INTO inbound_events (platform, external_id, ordering_key, payload)
          VALUES (${event.platform}, ${event.externalId}, ${event.orderingKey ?? null}, ${JSON.stringify(event.payload ?? null)}::jsonb)
          ON CONFLICT (platform, external_id) DO NOTHING
          RETURNING id)
        SELECT id, ${addInboundJobSql(Prisma.sql`id`, queue)} IS NOT NULL AS queued FROM ins`;
      if (rows[0]) return { id: String(rows[0].id), duplicate: false };
      const existing = await db.inboundEvent.findUnique({
        where: { platform_externalId: { platform: event.platform, externalId: event.externalId } },
        select: { id: true },
      });
      return { id: String(existing?.id ?? ''), duplicate: true };
    },
  };
}

export function createInboxRepo(db: Db): InboxRepo & InboundScheduler {
  return {
    async loadInbound(id) {
      const r = await db.inboundEvent.findUnique({ where: { id: BigInt(id) } });
      if (!r) return null;
      const row: InboxRow = {
        id,
        platform: r.platform,
        externalId: r.externalId,
        orderingKey: r.orderingKey,
        payload: r.payload,
        status: r.status as InboxRow['status'],
        attempts: r.attempts,
        receivedAt: r.receivedAt,
        outcome: (r.outcome as ChatOutcome | null) ?? null,
        repliesSent: r.repliesSent,
      };
      return row;
    },
    async completeInbound(id) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { status: 'done', processedAt: new Date(), lastError: null, outcome: Prisma.DbNull } });
    },
    async saveInboundOutcome(id, outcome) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { outcome: outcome as unknown as Prisma.InputJsonValue, repliesSent: 0 } });
    },
    async noteRepliesSent(id, count) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { repliesSent: count } });
    },
    async failInbound(id, f) {
      await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { attempts: f.attempts, lastError: f.error, ...(f.dead ? { status: 'dead' } : {}) } });
    },
    async processLater(row, runAt) {
      await enqueueInbound(db, row, runAt);
    },
  };
}

/** An admin's retry of a parked event: back to pending with a fresh job. */
export async function retryDeadInbound(db: Db, id: bigint): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    WITH upd AS (
      UPDATE inbound_events SET status = 'pending', attempts = 0 WHERE id = ${id} AND status = 'dead' RETURNING id, platform, ordering_key)
    SELECT id, ${addInboundJobSql(Prisma.sql`id`, INBOUND_QUEUE_OF_ROW)} IS NOT NULL AS queued FROM upd`;
  return rows.length === 1;
}
