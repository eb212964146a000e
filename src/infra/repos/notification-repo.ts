/** Agents' notifications on PostgreSQL: newest first, in pages, each agent seeing only their own. */
import type { Db } from '../db/prisma.ts';
import type { NotificationKind, NotificationRepo } from '../../core/ports/agent-work-port.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';

export function createNotificationRepo(db: Db): NotificationRepo {
  return {
    async list(agentId, opts) {
      const c = decodeCursor<unknown>(opts.cursor);
      const after = Array.isArray(c) && typeof c[0] === 'string' && !Number.isNaN(Date.parse(c[0])) && typeof c[1] === 'string' && /^[0-9a-f-]{36}$/.test(c[1]) ? { at: new Date(c[0]), id: c[1] } : null;
      const rows = await db.agentNotification.findMany({
        where: {
          agentId,
          ...(opts.unreadOnly ? { readAt: null } : {}),
          ...(after ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] } : {}),
        },
        include: { ticket: { select: { number: true, subject: true } }, actor: { select: { id: true, name: true } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: opts.limit + 1,
      });
      const items = rows.slice(0, opts.limit).map((r) => ({
        id: r.id,
        kind: r.kind as NotificationKind,
        ticket: r.ticket,
        actor: r.actor,
        commentId: r.commentId,
        detail: r.detail,
        createdAt: r.createdAt,
        readAt: r.readAt,
      }));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > opts.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
    },
    unreadCount: (agentId) => db.agentNotification.count({ where: { agentId, readAt: null } }),
    async markRead(agentId, ids, at) {
      const r = await db.agentNotification.updateMany({ where: { agentId, readAt: null, ...(ids ? { id: { in: ids } } : {}) }, data: { readAt: at } });
      return r.count;
    },
  };
}
