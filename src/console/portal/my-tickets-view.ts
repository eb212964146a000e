/** "My activity": the customer's tickets as requester, newest first, with a search box. */
import type { RequesterTicket } from '../../core/help-center/requester-service.ts';
import type { PageCtx } from '../console-http.ts';
import { html, type SafeHtml } from '../html-template.ts';
import { layoutView } from '../layout-view.ts';
import { statusBadge, timeTag } from '../view-parts.ts';

export function myTicketsView(ctx: PageCtx, v: { items: RequesterTicket[]; query: string; nextCursor: string | null }): SafeHtml {
  const { tr, locale } = ctx;
  const rows = v.items.map(
    (t) => html`<tr>
      <td class="num"><a href="/tickets/${t.number}" tabindex="-1" aria-hidden="true">#${t.number}</a></td>
      <td class="subject"><a href="/tickets/${t.number}">${t.subject}</a></td>
      <td>${statusBadge(tr, t.status)}</td>
      <td class="nowrap">${timeTag(locale, t.createdAt)}</td>
      <td class="nowrap">${timeTag(locale, t.updatedAt)}</td>
    </tr>`,
  );
  const empty = v.query ? tr('portal:my.no_match') : tr('portal:my.empty');
  const more = v.nextCursor
    ? html`<nav class="pager" aria-label="${tr('portal:my.paging')}"><a class="btn" href="/my/tickets?${new URLSearchParams({ ...(v.query ? { q: v.query } : {}), cursor: v.nextCursor }).toString()}">${tr('portal:my.older')}</a></nav>`
    : '';
  const body = html`<div class="page-head">
  <h1>${tr('portal:my.title')}</h1>
</div>
<p class="muted">${tr('portal:my.lead')}</p>
<form class="filters" method="get" action="/my/tickets" role="search" aria-label="${tr('portal:my.search_label')}">
  <div class="field field-grow">
    <label for="my-q">${tr('portal:my.search')}</label>
    <input id="my-q" name="q" type="search" maxlength="200" value="${v.query}" placeholder="${tr('portal:my.search_placeholder')}">
  </div>
  <div class="filter-actions">
    <button type="submit" class="btn">${tr('portal:my.search_submit')}</button>
    ${v.query ? html`<a class="btn btn-quiet" href="/my/tickets">${tr('queue.reset')}</a>` : ''}
  </div>
</form>
<section class="card flush" aria-label="${tr('portal:my.title')}">
  ${v.items.length
    ? html`<table class="queue my-tickets">
        <caption class="visually-hidden">${tr('portal:my.title')}</caption>
        <thead><tr>
          <th scope="col">#</th><th scope="col">${tr('field.subject')}</th><th scope="col">${tr('field.status')}</th>
          <th scope="col">${tr('field.created')}</th><th scope="col">${tr('portal:my.last_update')}</th>
        </tr></thead>
        <tbody>${rows}</tbody>
      </table>`
    : html`<p class="empty">${empty}</p>`}
</section>
${more}`;
  return layoutView(ctx, { title: tr('portal:my.title'), body, active: 'my_tickets' });
}
