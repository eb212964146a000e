/** A customer's profile: contact details, their tickets, and a Telegram registration code on request. */
import type { TicketView, UserRecord } from '../core/ports/store-port.ts';
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { notice, privateBadge, statusBadge, timeTag } from './view-parts.ts';

export function userView(
  ctx: PageCtx,
  v: { user: UserRecord; tickets: TicketView[]; linkCode?: { code: string; expiresAt: Date } | null; error?: string | null },
): SafeHtml {
  const { tr, locale } = ctx;
  const u = v.user;
  const code = v.linkCode
    ? html`<div class="link-code" role="status">
        <p>${tr('user.code_ready')}</p>
        <p class="code" id="link-code">${v.linkCode.code}</p>
        <p>${tr('user.code_instructions', { command: `/start ${v.linkCode.code}` })}</p>
        <p class="muted">${tr('user.code_expires')} ${timeTag(locale, v.linkCode.expiresAt)}</p>
      </div>`
    : '';
  const body = html`<div class="page-head">
  <h1>${u.name}</h1>
  <a class="btn btn-primary" href="/tickets/new?requester=${u.id}">${tr('user.new_ticket')}</a>
</div>
${notice('error', v.error)}
<div class="ticket-layout">
  <div class="ticket-main">
    <section class="card" aria-labelledby="user-tickets-title">
      <h2 id="user-tickets-title">${tr('user.tickets')}</h2>
      ${v.tickets.length
        ? html`<ul class="mini-list">${v.tickets.map((t) => html`<li><a href="/tickets/${t.number}">#${t.number} ${t.subject}</a> ${statusBadge(tr, t.status)} ${privateBadge(tr, t.visibility)} <span class="muted small">${timeTag(locale, t.updatedAt)}</span></li>`)}</ul>`
        : html`<p class="muted">${tr('ticket.no_other_tickets')}</p>`}
    </section>
  </div>
  <aside class="ticket-side">
    <section class="card" aria-labelledby="user-facts-title">
      <h2 id="user-facts-title">${tr('user.profile')}</h2>
      <dl class="facts">
        <dt>${tr('field.email')}</dt><dd>${u.email}</dd>
        <dt>${tr('field.phone')}</dt><dd>${u.phone ?? html`<span class="muted">—</span>`}</dd>
        <dt>${tr('field.organization')}</dt><dd>${u.organization?.name ?? html`<span class="muted">—</span>`}</dd>
        <dt>${tr('user.role')}</dt><dd>${u.role === 'end_user' ? tr('role.customer') : tr('role.agent')}</dd>
        <dt>${tr('field.created')}</dt><dd>${timeTag(locale, u.createdAt)}</dd>
      </dl>
    </section>
    <section class="card" aria-labelledby="user-telegram-title">
      <h2 id="user-telegram-title">${tr('user.telegram')}</h2>
      <p class="hint">${tr('user.telegram_hint')}</p>
      ${code}
      <form method="post" action="/users/${u.id}/link-code">
        <input type="hidden" name="_csrf" value="${ctx.csrf}">
        <button type="submit" class="btn">${tr('user.give_code')}</button>
      </form>
    </section>
  </aside>
</div>`;
  return layoutView(ctx, { title: u.name, body, wide: true });
}
