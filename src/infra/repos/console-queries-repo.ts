/**
 * Reads the console needs that the core's Store does not offer, because they exist only for this screen: the
 * agents to assign to, the delivery state of each public reply, and the chat threads a ticket is linked to.
 * Read-only: every change goes through the ticket and directory services.
 */
import type { Db } from '../db/prisma.ts';
import type { AgentOption, ChatConfigInfo, ConsoleQueries, DeliveryState, ThreadLinkInfo } from '../../core/ports/console-port.ts';

/** `hiddenEmails`: staff rows that are not people (the API's ADMIN_TOKEN pseudo-user), never offered as assignees. */
export function createConsoleQueries(db: Db, opts: { hiddenEmails?: string[] } = {}): ConsoleQueries {
  const hidden = opts.hiddenEmails ?? [];
  return {
    async agents(): Promise<AgentOption[]> {
      return db.user.findMany({
        where: { role: { in: ['agent', 'admin'] }, deactivatedAt: null, email: { notIn: hidden } },
        select: { id: true, name: true, email: true },
        orderBy: [{ name: 'asc' }, { email: 'asc' }],
        take: 500,
      });
    },

    /** Deliveries of each comment (by comment id), one per linked chat thread. */
    async commentDeliveries(ticketId: string): Promise<Map<string, DeliveryState[]>> {
      const rows = await db.delivery.findMany({
        where: { threadLink: { ticketId }, outboxEvent: { type: 'comment.added' } },
        select: {
          status: true,
          lastError: true,
          sentAt: true,
          threadLink: { select: { platform: true } },
          outboxEvent: { select: { payload: true } },
        },
        orderBy: { id: 'asc' },
      });
      const byComment = new Map<string, DeliveryState[]>();
      for (const r of rows) {
        const commentId = (r.outboxEvent.payload as { commentId?: unknown }).commentId;
        if (typeof commentId !== 'string') continue;
        const list = byComment.get(commentId) ?? [];
        list.push({ platform: r.threadLink.platform, status: r.status, lastError: r.lastError, sentAt: r.sentAt });
        byComment.set(commentId, list);
      }
      return byComment;
    },

    async threadLinks(ticketId: string): Promise<ThreadLinkInfo[]> {
      const rows = await db.chatThreadLink.findMany({
        where: { ticketId },
        select: { platform: true, status: true, brokenReason: true, directUserId: true },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map((r) => ({ platform: r.platform, status: r.status, brokenReason: r.brokenReason, direct: r.directUserId !== null }));
    },

    async chatConfigs(): Promise<ChatConfigInfo[]> {
      return db.chatConfig.findMany({
        select: { platform: true, workspaceId: true, chatId: true, updatedAt: true, service: { select: { id: true, name: true } } },
        orderBy: [{ platform: 'asc' }, { workspaceId: 'asc' }, { chatId: 'asc' }],
        take: 500,
      });
    },
  };
}

