/**
 * Sends one thread's pending deliveries, oldest first, through the thread's channel adapter.
 *
 * Exactly once in practice: a delivery is marked `sending` (committed) before the platform call and `sent` with
 * the platform's message id right after it. A crash between the two leaves it `sending`; the next drain asks the
 * adapter whether the message is already there (findDelivered, where the platform allows it) and only re-sends when
 * it is not, or cannot be known (see README, "Delivery guarantees").
 */
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.ts';
import type { ChannelAdapter, ThreadTarget } from '../../core/ports/channel-port.ts';
import { toRichMessage } from '../../core/sync/outbound-messages.ts';
import { createPacer, onSendFailure } from '../../core/sync/delivery-policy.ts';
import { toLocale } from '../../core/locale.ts';
import { ticketUrl } from '../../core/desk/chat-desk.ts';
import type { TicketPriority, TicketStatus } from '../../core/tickets/ticket-types.ts';
import { enqueueThreadDrain } from '../queue/jobs.ts';

/** Longer waits than this give the worker back and come again later instead of sleeping in the job. */
const MAX_INLINE_WAIT_MS = 1500;

export interface DrainerDeps {
  db: Db;
  adapters: Map<string, ChannelAdapter>;
  publicUrl: string;
  logger: Logger;
  metrics?: {
    delivered(platform: string, latencyMs: number): void;
    failed(platform: string, kind: string): void;
  };
}

export function createThreadDrainer(deps: DrainerDeps) {
  const { db, adapters, logger } = deps;
  const pacers = new Map<string, ReturnType<typeof createPacer>>();
  const pacerFor = (a: ChannelAdapter) => {
    let p = pacers.get(a.platform);
    if (!p) pacers.set(a.platform, (p = createPacer(a.limits)));
    return p;
  };

  async function markLinkBroken(linkId: string, reason: string): Promise<void> {
    await db.$transaction([
      db.chatThreadLink.update({ where: { id: linkId }, data: { status: 'broken', brokenReason: reason.slice(0, 500) } }),
      db.delivery.updateMany({
        where: { threadLinkId: linkId, status: { in: ['pending', 'sending'] } },
        data: { status: 'failed', lastError: `thread link broken: ${reason}`.slice(0, 500) },
      }),
    ]);
  }

  return async function drainThread(threadLinkId: string): Promise<void> {
    const link = await db.chatThreadLink.findUnique({ where: { id: threadLinkId } });
    if (!link) return;
    const adapter = adapters.get(link.platform);
    if (!adapter) {
      // The channel is switched off on this instance; the deliveries wait until it is on (see startup sweep).
      logger.warn({ platform: link.platform, threadLinkId }, 'no adapter for thread; deliveries left pending');
      return;
    }
    const target: ThreadTarget = {
      platform: link.platform,
      workspaceId: link.workspaceId,
      chatId: link.chatId,
      threadRef: link.threadRef === '' ? null : link.threadRef,
    };
    const isGroup = link.threadRef !== '' && !link.directUserId;
    for (;;) {
      const d = await db.delivery.findFirst({
        where: { threadLinkId, status: { in: ['pending', 'sending'] } },
        orderBy: { id: 'asc' },
        include: { outboxEvent: true },
      });
      if (!d) return;
      if (link.status !== 'active') {
        await markLinkBroken(link.id, link.brokenReason ?? 'link inactive');
        return;
      }
      const ticket = await db.ticket.findUniqueOrThrow({ where: { id: link.ticketId } });
      const payload = (d.outboxEvent.payload ?? {}) as Record<string, unknown>;
      const commentId = typeof payload.commentId === 'string' ? payload.commentId : null;
      const comment = commentId
        ? await db.comment.findUnique({ where: { id: commentId }, include: { author: { select: { name: true } } } })
        : null;
      const message =
        ticket.visibility === 'public'
          ? toRichMessage(
              { type: d.outboxEvent.type, payload },
              {
                number: ticket.number,
                subject: ticket.subject,
                status: ticket.status as TicketStatus,
                priority: ticket.priority as TicketPriority,
                url: ticketUrl(deps.publicUrl, ticket.number),
              },
              comment ? { body: comment.body, authorName: comment.author.name, public: comment.public, deleted: comment.deletedAt !== null } : null,
            )
          : null;
      if (!message) {
        await db.delivery.update({ where: { id: d.id }, data: { status: 'sent', sentAt: new Date(), lastError: 'nothing to send' } });
        continue;
      }
      const ctx = { locale: toLocale(link.locale), deliveryKey: `delivery-${d.id}` };
      if (d.status === 'sending' && adapter.findDelivered) {
        const found = await adapter.findDelivered(target, ctx).catch(() => null);
        if (found) {
          await db.delivery.update({ where: { id: d.id }, data: { status: 'sent', sentAt: new Date(), platformMessageId: found.messageId } });
          continue;
        }
      }
      const wait = pacerFor(adapter).reserve(`${link.workspaceId}:${link.chatId}`, isGroup, MAX_INLINE_WAIT_MS);
      if (wait > MAX_INLINE_WAIT_MS) {
        await enqueueThreadDrain(db, link.id, new Date(Date.now() + wait));
        return;
      }
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await db.delivery.update({ where: { id: d.id }, data: { status: 'sending', attempts: { increment: 1 } } });
      try {
        const sent = link.directUserId
          ? await adapter.sendDirect({ workspaceId: link.workspaceId, platformUserId: link.directUserId }, message, ctx)
          : await adapter.post(target, message, ctx);
        await db.delivery.update({
          where: { id: d.id },
          data: { status: 'sent', sentAt: new Date(), platformMessageId: sent.messageId, lastError: null },
        });
        // A direct message lands in a chat the platform picks (e.g. a DM channel): remember it for edits and replies.
        if (link.directUserId && sent.chatId && sent.chatId !== link.chatId) {
          await db.chatThreadLink.update({ where: { id: link.id }, data: { chatId: sent.chatId } }).catch(() => undefined);
          link.chatId = sent.chatId;
        }
        deps.metrics?.delivered(link.platform, Date.now() - d.outboxEvent.createdAt.getTime());
      } catch (err) {
        const decision = onSendFailure(err, d.attempts + 1);
        deps.metrics?.failed(link.platform, decision.action);
        logger.warn({ platform: link.platform, deliveryId: String(d.id), decision }, 'delivery failed');
        if (decision.action === 'break_link') {
          await markLinkBroken(link.id, decision.reason);
          return;
        }
        if (decision.action === 'give_up') {
          await db.delivery.update({ where: { id: d.id }, data: { status: 'failed', lastError: decision.reason.slice(0, 500) } });
          continue;
        }
        // A rate limit means the platform refused: nothing was posted, so no lookup is needed next time.
        const rateLimited = (err as { kind?: string }).kind === 'rate_limited';
        await db.delivery.update({
          where: { id: d.id },
          data: { lastError: decision.reason.slice(0, 500), ...(rateLimited ? { status: 'pending' } : {}) },
        });
        await enqueueThreadDrain(db, link.id, new Date(Date.now() + decision.delayMs));
        return;
      }
    }
  };
}
