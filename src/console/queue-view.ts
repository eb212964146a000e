/** The queue: filters, the tickets table (a live region the page script refreshes), and paging. */
import { createHash } from 'node:crypto';
import type { TicketView } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/tickets/ticket-types.ts';
import type { PageCtx } from './console-http.ts';
import type { AgentOption } from '../core/ports/console-port.ts';
import { html, sel, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { channelBadge, channelName, person, priorityBadge, privateBadge, statusBadge, timeTag } from './view-parts.ts';

export interface QueueFilters {
  status: string;
  priority: string;
  service: string;
  assignee: string;
  via: string;
  q: string;
}

export const KNOWN_CHANNELS = ['web', 'api', 'slack', 'lark', 'telegram', 'email'];

export function queueQuery(f: QueueFilters, cursor?: string | null): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  if (cursor) p.set('cursor', cursor);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Changes when anything shown in the table does; the page script compares it to decide whether to swap. */
function stamp(items: TicketView[]): string {
  const h = createHash('sha256');
  for (const t of items) h.update(`${t.number}|${t.updatedAt.getTime()}|${t.status}|${t.priority}|${t.assignee?.id ?? ''}|${t.visibility}\n`);
  return h.digest('hex').slice(0, 16);
}

export function queueView(
  ctx: PageCtx,
  v: {
    filters: QueueFilters;
    items: TicketView[];
    nextCursor: string | null;
    services: { id: string; name: string }[];
    agents: AgentOption[];
  },
): SafeHtml {
  const { tr, locale } = ctx;
  const f = v.filters;
  const channels = [...new Set([...KNOWN_CHANNELS, ...v.items.map((t) => t.via), ...(f.via ? [f.via] : [])])];
  const rows = v.items.map(
    (t) => html`<tr>
      <td class="num"><a href="/tickets/${t.number}" tabindex="-1" aria-hidden="true">#${t.number}</a></td>
      <td class="subject"><a href="/tickets/${t.number}">${t.subject}</a> ${privateBadge(tr, t.visibility)}</td>
      <td>${person(t.requester, tr)}${t.organization ? html`<div class="muted small">${t.organization.name}</div>` : ''}</td>
      <td>${statusBadge(tr, t.status)}</td>
      <td>${priorityBadge(tr, t.priority)}</td>
      <td>${person(t.assignee, tr)}</td>
      <td>${t.service?.name ?? html`<span class="muted">—</span>`}</td>
      <td>${channelBadge(tr, t.via)}</td>
      <td class="nowrap">${timeTag(locale, t.updatedAt)}</td>
    </tr>`,
  );
  const table = v.items.length
    ? html`<table class="queue">
        <caption class="visually-hidden">${tr('queue.caption')}</caption>
        <thead><tr>
          <th scope="col">#</th><th scope="col">${tr('field.subject')}</th><th scope="col">${tr('field.requester')}</th>
          <th scope="col">${tr('field.status')}</th><th scope="col">${tr('field.priority')}</th><th scope="col">${tr('field.assignee')}</th>
          <th scope="col">${tr('field.service')}</th><th scope="col">${tr('field.channel')}</th><th scope="col">${tr('field.updated')}</th>
        </tr></thead>
        <tbody>${rows}</tbody>
      </table>`
    : html`<p class="empty">${tr('queue.empty')}</p>`;
  const statusOptions = ['unsolved', 'all', ...TICKET_STATUSES];
  const body = html`<div class="page-head">
  <h1>${tr('queue.title')}</h1>
  <a class="btn btn-primary" href="/tickets/new">${tr('nav.new_ticket')}</a>
</div>
<form class="filters" method="get" action="/tickets" role="search" aria-label="${tr('queue.filters')}">
  <div class="field field-grow">
    <label for="f-q">${tr('queue.search')}</label>
    <input id="f-q" name="q" type="search" value="${f.q}" placeholder="${tr('queue.search_placeholder')}">
  </div>
  <div class="field">
    <label for="f-status">${tr('field.status')}</label>
    <select id="f-status" name="status">
      ${statusOptions.map((s) => html`<option value="${s}"${sel(f.status === s)}>${s === 'unsolved' ? tr('queue.unsolved') : s === 'all' ? tr('queue.any_status') : tr(`status.${s}`)}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="f-priority">${tr('field.priority')}</label>
    <select id="f-priority" name="priority">
      <option value="">${tr('queue.any')}</option>
      ${TICKET_PRIORITIES.map((p) => html`<option value="${p}"${sel(f.priority === p)}>${tr(`common:priority.${p}`)}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="f-service">${tr('field.service')}</label>
    <select id="f-service" name="service">
      <option value="">${tr('queue.any')}</option>
      ${v.services.map((s) => html`<option value="${s.id}"${sel(f.service === s.id)}>${s.name}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="f-assignee">${tr('field.assignee')}</label>
    <select id="f-assignee" name="assignee">
      <option value="">${tr('queue.any')}</option>
      <option value="me"${sel(f.assignee === 'me')}>${tr('queue.me')}</option>
      ${v.agents.map((a) => html`<option value="${a.id}"${sel(f.assignee === a.id)}>${a.name}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="f-via">${tr('field.channel')}</label>
    <select id="f-via" name="via">
      <option value="">${tr('queue.any')}</option>
      ${channels.map((c) => html`<option value="${c}"${sel(f.via === c)}>${channelName(tr, c)}</option>`)}
    </select>
  </div>
  <div class="filter-actions">
    <button type="submit" class="btn">${tr('queue.apply')}</button>
    <a class="btn btn-quiet" href="/tickets">${tr('queue.reset')}</a>
  </div>
</form>
<section id="queue-live" class="card flush" data-live="queue" data-stamp="${stamp(v.items)}" aria-label="${tr('queue.caption')}">
  ${table}
</section>
${v.nextCursor ? html`<nav class="pager" aria-label="${tr('queue.paging')}"><a class="btn" href="/tickets${queueQuery(f, v.nextCursor)}">${tr('queue.older')}</a></nav>` : ''}`;
  return layoutView(ctx, { title: tr('queue.title'), body, active: 'queue', wide: true });
}
