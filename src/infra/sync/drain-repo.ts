/**
 * The thread drain's repository and scheduler on PostgreSQL (the algorithm is the core's:
 * src/core/sync/thread-drain.ts).
 */
import type { Db } from '../db/prisma.ts';
import type { DrainRepo, DrainScheduler, PendingDelivery, ThreadLinkRow } from '../../core/sync/thread-drain.ts';
import type { TicketPriority, TicketStatus, Visibility } from '../../core/tickets/ticket-types.ts';
import { enqueueThreadDrain } from '../queue/jobs.ts';

export function createDrainRepo(db: Db): DrainRepo & DrainScheduler {
  return {
    async loadThreadLink(id) {
      const l = await db.chatThreadLink.findUnique({ where: { id } });
      return l ? ({ ...l, status: l.status as ThreadLinkRow['status'] } satisfies ThreadLinkRow) : null;
    },

    async nextDelivery(threadLinkId) {
      const d = await db.delivery.findFirst({
        where: { threadLinkId, status: { in: ['pending', 'sending'] } },
        orderBy: { id: 'asc' },
        include: { outboxEvent: { include: { ticket: { select: { number: true, subject: true, status: true, priority: true, visibility: true } } } } },
      });
      if (!d) return null;
      const payload = (d.outboxEvent.payload ?? {}) as Record<string, unknown>;
      const commentId = typeof payload.commentId === 'string' ? payload.commentId : null;
      const comment = commentId
        ? await db.comment.findUnique({ where: { id: commentId }, select: { body: true, public: true, deletedAt: true, author: { select: { name: true } } } })
        : null;
      const t = d.outboxEvent.ticket;
      let deliveredMessageId: string | null = null;
      if (commentId && (d.outboxEvent.type === 'comment.edited' || d.outboxEvent.type === 'comment.deleted')) {
        const original = await db.delivery.findFirst({
          where: { threadLinkId, status: 'sent', platformMessageId: { not: null }, outboxEvent: { type: 'comment.added', payload: { path: ['commentId'], equals: commentId } } },
          select: { platformMessageId: true },
        });
        deliveredMessageId = original?.platformMessageId ?? null;
      }
      const row: PendingDelivery = {
        id: String(d.id),
        status: d.status as PendingDelivery['status'],
        attempts: d.attempts,
        claimedUntil: d.claimedUntil,
        event: { type: d.outboxEvent.type, payload, createdAt: d.outboxEvent.createdAt },
        ticket: { number: t.number, subject: t.subject, status: t.status as TicketStatus, priority: t.priority as TicketPriority, visibility: t.visibility as Visibility },
        comment: comment ? { body: comment.body, authorName: comment.author.name, public: comment.public, deleted: comment.deletedAt !== null } : null,
        deliveredMessageId,
      };
      return row;
    },

    async claimDelivery(id, until) {
      const n = await db.$executeRaw`
        UPDATE deliveries SET status = 'sending', attempts = attempts + 1, claimed_until = ${until}
        WHERE id = ${BigInt(id)} AND (status = 'pending' OR (status = 'sending' AND (claimed_until IS NULL OR claimed_until <= now())))`;
      return n === 1;
    },

    async markDeliverySent(id, platformMessageId, note) {
      await db.delivery.update({
        where: { id: BigInt(id) },
        data: { status: 'sent', sentAt: new Date(), claimedUntil: null, lastError: note ?? null, ...(platformMessageId ? { platformMessageId } : {}) },
      });
    },

    async markDeliveryFailed(id, reason) {
      await db.delivery.update({ where: { id: BigInt(id) }, data: { status: 'failed', claimedUntil: null, lastError: reason } });
    },

    async noteDeliveryError(id, reason, nothingSent) {
      await db.delivery.update({ where: { id: BigInt(id) }, data: { lastError: reason, claimedUntil: null, ...(nothingSent ? { status: 'pending' } : {}) } });
    },

    async breakThreadLink(threadLinkId, reason) {
      await db.$transaction([
        db.chatThreadLink.update({ where: { id: threadLinkId }, data: { status: 'broken', brokenReason: reason.slice(0, 500) } }),
        db.delivery.updateMany({
          where: { threadLinkId, status: { in: ['pending', 'sending'] } },
          data: { status: 'failed', claimedUntil: null, lastError: `thread link broken: ${reason}`.slice(0, 500) },
        }),
      ]);
    },

    async moveThreadLink(threadLinkId, chatId) {
      await db.chatThreadLink.update({ where: { id: threadLinkId }, data: { chatId } }).catch(() => undefined);
    },

    drainLater: (threadLinkId, runAt) => enqueueThreadDrain(db, threadLinkId, runAt),
  };
}
