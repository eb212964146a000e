/**
 * The agent's notifications (assigned to me, my customer replied, an SLA target about to be or already missed),
 * from the notification core: newest first, unread marked; opening a ticket marks its notifications read, and
 * "mark all read" does what it says. The header's badge is kept current by the live stream.
 */
import type { FastifyInstance } from 'fastify';
import type { NotificationView } from '../core/ports/agent-work-port.ts';
import { agentOf, pageCtx, sendPage, type ConsoleKit, type PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { notice, timeTag } from './view-parts.ts';

const PAGE = 50;

function validCursor(raw: unknown): string | null {
  return typeof raw === 'string' && raw.length <= 200 && /^[A-Za-z0-9_-]+$/.test(raw) ? raw : null;
}

export function notificationText(ctx: PageCtx, n: NotificationView): string {
  const params = { number: n.ticket.number, subject: n.ticket.subject, actor: n.actor?.name ?? ctx.tr('common.system') };
  return ctx.tr(`work:notification.${n.kind}`, params);
}

export function notificationsView(ctx: PageCtx, v: { items: NotificationView[]; unread: number; nextCursor: string | null; done?: string | null }): SafeHtml {
  const { tr } = ctx;
  const body = html`<div class="page-head">
  <h1>${tr('work:notifications.title')}</h1>
  ${v.unread
    ? html`<form method="post" action="/notifications/read" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit" class="btn">${tr('work:notifications.mark_all')}</button></form>`
    : ''}
</div>
${notice('ok', v.done)}
<p class="muted" id="unread-summary">${tr('work:notifications.unread', { count: v.unread })}</p>
${v.items.length
  ? html`<ol class="notifications card flush">${v.items.map(
      (n) => html`<li class="notification${n.readAt ? '' : ' unread'}" data-kind="${n.kind}">
        ${n.readAt ? '' : html`<span class="unread-dot" aria-hidden="true"></span><span class="visually-hidden">${tr('work:notifications.unread_one')}</span>`}
        <a href="/tickets/${n.ticket.number}${n.commentId ? `#comment-${n.commentId}` : ''}">${notificationText(ctx, n)}</a>
        <span class="muted small">${timeTag(ctx.locale, n.createdAt)}</span>
      </li>`,
    )}</ol>`
  : html`<p class="empty">${tr('work:notifications.empty')}</p>`}
${v.nextCursor ? html`<nav class="pager"><a class="btn" href="/notifications?cursor=${v.nextCursor}">${tr('queue.older')}</a></nav>` : ''}`;
  return layoutView(ctx, { title: tr('work:notifications.title'), body, active: 'notifications' });
}

export function notificationRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const repo = kit.deps.work.notifications;
  app.get('/notifications', async (req, reply) => {
    const me = agentOf(req);
    const cursor = validCursor((req.query as Record<string, unknown>).cursor);
    const [page, unread] = await Promise.all([repo.list(me.id, { unreadOnly: false, limit: PAGE, cursor }), repo.unreadCount(me.id)]);
    const ctx = pageCtx(req, reply, kit);
    const done = (req.query as Record<string, unknown>).done === 'read' ? ctx.tr('work:notifications.marked') : null;
    return sendPage(reply, 200, notificationsView(ctx, { items: page.items, unread, nextCursor: page.nextCursor, done }));
  });
  app.post('/notifications/read', async (req, reply) => {
    await repo.markRead(agentOf(req).id, null, new Date());
    return reply.redirect('/notifications?done=read', 303);
  });
}

/** Opening a ticket is reading what was said about it: its unread notifications for this agent are marked read. */
export async function markTicketRead(kit: ConsoleKit, agentId: string, number: number): Promise<void> {
  const repo = kit.deps.work.notifications;
  const unread = await repo.list(agentId, { unreadOnly: true, limit: 100, cursor: null });
  const ids = unread.items.filter((n) => n.ticket.number === number).map((n) => n.id);
  if (ids.length) await repo.markRead(agentId, ids, new Date());
}
