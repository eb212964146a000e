/** The queue: filters, the tickets table (a live region the page script refreshes), and paging. */
import { createHash } from 'node:crypto';
import type { TicketView } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/tickets/ticket-types.ts';
import type { PageCtx } from './console-http.ts';
import type { AgentOption } from '../core/ports/console-port.ts';
import { html, sel, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { channelBadge, channelName, notice, person, priorityBadge, privateBadge, statusBadge, timeTag } from './view-parts.ts';
import { runningTargets, slaView } from '../core/sla/sla-rules.ts';

export interface QueueFilters {
  status: string;
  priority: string;
  service: string;
  assignee: string;
  via: string;
  q: string;
  /** tags, comma-separated, all required */
  tag: string;
  /** '' (the natural sort of the view, else updated) or one of TICKET_SORTS */
  sort: string;
  /** a built-in view's id or a saved view's id */
  view: string;
}

export interface QueueViewChip {
  id: string;
  name: string;
  builtIn: boolean;
  count: number;
  countCapped: boolean;
}

const QUEUE_SORTS = ['updated', 'created', 'priority', 'waiting', 'due', 'number'] as const;

/** The SLA due time of a ticket as the queue shows it: overdue, due within the hour, or later. */
export function slaCell(ctx: PageCtx, t: TicketView, now: Date): SafeHtml {
  const state = { status: t.status, solvedAt: t.solvedAt, closedAt: t.closedAt, ...t.sla };
  const v = slaView(state, now);
  const due = runningTargets(state).map((r) => r.dueAt).sort((a, b) => a.getTime() - b.getTime())[0];
  if (!due) return html`<span class="muted">—</span>`;
  const left = due.getTime() - now.getTime();
  const cls = v.breaching || left <= 0 ? 'sla-due sla-breached' : left < 3_600_000 ? 'sla-due sla-soon' : 'sla-due';
  const label = v.breaching || left <= 0 ? ctx.tr('work:sla.breached') : ctx.tr('work:sla.due');
  return html`<span class="${cls}" data-sla="${v.breaching || left <= 0 ? 'breached' : left < 3_600_000 ? 'soon' : 'later'}">${label} ${timeTag(ctx.locale, due)}</span>`;
}

export function viewName(ctx: PageCtx, v: { id: string; name: string; builtIn: boolean }): string {
  return v.builtIn ? ctx.tr(`work:view.${v.id}`) : v.name;
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
  for (const t of items) h.update(`${t.number}|${t.version}|${t.updatedAt.getTime()}|${t.status}|${t.priority}|${t.assignee?.id ?? ''}|${t.visibility}|${t.tags.join(',')}|${t.sla.dueAt?.getTime() ?? ''}\n`);
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
    views: QueueViewChip[];
    now: Date;
    done?: string | null;
    error?: string | null;
  },
): SafeHtml {
  const { tr, locale } = ctx;
  const f = v.filters;
  const channels = [...new Set([...KNOWN_CHANNELS, ...v.items.map((t) => t.via), ...(f.via ? [f.via] : [])])];
  const rows = v.items.map(
    (t) => html`<tr data-number="${t.number}">
      <td class="pick"><input type="checkbox" name="t" value="${t.number}:${t.version}" form="bulk-form" id="pick-${t.number}" aria-label="${tr('work:bulk.pick', { number: t.number })}"></td>
      <td class="num"><a href="/tickets/${t.number}" tabindex="-1" aria-hidden="true">#${t.number}</a></td>
      <td class="subject"><a href="/tickets/${t.number}">${t.subject}</a> ${privateBadge(tr, t.visibility)}${t.tags.length ? html`<div>${t.tags.map((g) => html`<a class="tag" href="/tickets?tag=${encodeURIComponent(g)}">${g}</a>`)}</div>` : ''}</td>
      <td>${person(t.requester, tr)}${t.organization ? html`<div class="muted small">${t.organization.name}</div>` : ''}</td>
      <td>${statusBadge(tr, t.status)}</td>
      <td>${priorityBadge(tr, t.priority)}</td>
      <td>${person(t.assignee, tr)}</td>
      <td>${t.service?.name ?? html`<span class="muted">—</span>`}</td>
      <td>${channelBadge(tr, t.via)}</td>
      <td>${slaCell(ctx, t, v.now)}</td>
      <td class="nowrap">${timeTag(locale, t.updatedAt)}</td>
    </tr>`,
  );
  const table = v.items.length
    ? html`<table class="queue">
        <caption class="visually-hidden">${tr('queue.caption')}</caption>
        <thead><tr>
          <th scope="col"><span class="visually-hidden">${tr('work:bulk.select')}</span></th><th scope="col">#</th><th scope="col">${tr('field.subject')}</th><th scope="col">${tr('field.requester')}</th>
          <th scope="col">${tr('field.status')}</th><th scope="col">${tr('field.priority')}</th><th scope="col">${tr('field.assignee')}</th>
          <th scope="col">${tr('field.service')}</th><th scope="col">${tr('field.channel')}</th><th scope="col">${tr('work:field.sla')}</th><th scope="col">${tr('field.updated')}</th>
        </tr></thead>
        <tbody>${rows}</tbody>
      </table>`
    : html`<p class="empty">${tr('queue.empty')}</p>`;
  const statusOptions = ['unsolved', 'all', ...TICKET_STATUSES];
  const body = html`<div class="page-head">
  <h1>${tr('queue.title')}</h1>
  <a class="btn btn-primary" href="/tickets/new">${tr('nav.new_ticket')}</a>
</div>
${notice('ok', v.done)}${notice('error', v.error)}
<nav aria-label="${tr('work:view.label')}"><ul class="views" id="views" data-live="views" data-stamp="${v.views.map((w) => `${w.id}:${w.count}`).join(',')}">
  <li><a href="/tickets"${!f.view ? html` aria-current="true"` : ''}>${tr('work:view.all')}</a></li>
  ${v.views.map((w) => html`<li><a href="/tickets?view=${w.id}" data-view="${w.id}"${f.view === w.id ? html` aria-current="true"` : ''}>${viewName(ctx, w)} <span class="view-count">${w.count}${w.countCapped ? '+' : ''}</span></a></li>`)}
</ul></nav>
<form class="filters" method="get" action="/tickets" role="search" aria-label="${tr('queue.filters')}">
  ${f.view ? html`<input type="hidden" name="view" value="${f.view}">` : ''}
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
  <div class="field">
    <label for="f-tag">${tr('work:field.tags')}</label>
    <input id="f-tag" type="text" name="tag" value="${f.tag}" maxlength="200" placeholder="${tr('work:tags.placeholder')}">
  </div>
  <div class="field">
    <label for="f-sort">${tr('work:sort.label')}</label>
    <select id="f-sort" name="sort">
      <option value="">${tr('work:sort.default')}</option>
      ${QUEUE_SORTS.map((k) => html`<option value="${k}"${sel(f.sort === k)}>${tr(`work:sort.${k}`)}</option>`)}
    </select>
  </div>
  <div class="filter-actions">
    <button type="submit" class="btn">${tr('queue.apply')}</button>
    <a class="btn btn-quiet" href="/tickets">${tr('queue.reset')}</a>
  </div>
</form>
<section class="card flush">
<form id="bulk-form" method="post" action="/tickets/bulk" class="bulk-bar" aria-label="${tr('work:bulk.title')}">
  <input type="hidden" name="_csrf" value="${ctx.csrf}">
  <input type="hidden" name="back" value="/tickets${queueQuery(f)}">
  <strong class="bulk-title">${tr('work:bulk.title')}</strong>
  <div class="field">
    <label for="b-status">${tr('field.status')}</label>
    <select id="b-status" name="status"><option value="">${tr('work:bulk.keep')}</option>${TICKET_STATUSES.filter((s) => s !== 'closed').map((s) => html`<option value="${s}">${tr(`status.${s}`)}</option>`)}</select>
  </div>
  <div class="field">
    <label for="b-priority">${tr('field.priority')}</label>
    <select id="b-priority" name="priority"><option value="">${tr('work:bulk.keep')}</option>${TICKET_PRIORITIES.map((p) => html`<option value="${p}">${tr(`common:priority.${p}`)}</option>`)}</select>
  </div>
  <div class="field">
    <label for="b-assignee">${tr('field.assignee')}</label>
    <select id="b-assignee" name="assignee"><option value="">${tr('work:bulk.keep')}</option><option value="none">${tr('common.unassigned')}</option>${v.agents.map((a) => html`<option value="${a.id}">${a.name}</option>`)}</select>
  </div>
  <button type="submit" class="btn">${tr('work:bulk.apply')}</button>
</form>
<div id="queue-live" class="table-scroll" data-live="queue" data-stamp="${stamp(v.items)}" aria-label="${tr('queue.caption')}">
  ${table}
</div>
</section>
${v.nextCursor ? html`<nav class="pager" aria-label="${tr('queue.paging')}"><a class="btn" href="/tickets${queueQuery(f, v.nextCursor)}">${tr('queue.older')}</a></nav>` : ''}`;
  return layoutView(ctx, { title: tr('queue.title'), body, active: 'queue', wide: true });
}
