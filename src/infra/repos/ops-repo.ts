/** The admin API's view of the sync engine on PostgreSQL (the core's OpsPort). */
import type { Db } from '../db/prisma.ts';
import type { OpsPort } from '../../core/ports/ops-port.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';
import { retryDeadInbound } from '../sync/inbox.ts';

export function createOpsRepo(db: Db): OpsPort {
  return {
    async deliveriesOfTicket(ticketId) {
      const rows = await db.delivery.findMany({
        where: { threadLink: { ticketId } },
        include: { threadLink: true, outboxEvent: { select: { type: true, payload: true } } },
        orderBy: { id: 'asc' },
      });
      return rows.map((d) => ({
        id: String(d.id),
        event: d.outboxEvent.type,
        commentId: (d.outboxEvent.payload as { commentId?: string }).commentId ?? null,
        platform: d.threadLink.platform,
        chatId: d.threadLink.chatId,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
        sentAt: d.sentAt,
      }));
    },
    async inboundEvents(status, page) {
      const raw = decodeCursor<unknown>(page.cursor);
      const after = typeof raw === 'string' && /^\d{1,18}$/.test(raw) ? raw : null;
      const rows = await db.inboundEvent.findMany({
        where: { status, ...(after ? { id: { gt: BigInt(after) } } : {}) },
        orderBy: { id: 'asc' },
        take: page.limit + 1,
        select: { id: true, platform: true, externalId: true, status: true, attempts: true, lastError: true, failingSince: true, receivedAt: true },
      });
      const items = rows.slice(0, page.limit).map((r) => ({ ...r, id: String(r.id) }));
      return { items, nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    retryDeadInbound: (which) => retryDeadInbound(db, { ...(which.id ? { id: BigInt(which.id) } : {}), ...(which.platform ? { platform: which.platform } : {}) }),
  };
}
