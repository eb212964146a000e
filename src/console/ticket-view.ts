/** The ticket page: header, thread, composer and history in the main column; properties and people beside it. */
import { createHash } from 'node:crypto';
import type { CommentView, TicketView, UserRecord } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/tickets/ticket-types.ts';
import type { PageCtx } from './console-http.ts';
import type { AgentOption, DeliveryState, ThreadLinkInfo } from '../core/ports/console-port.ts';
import { chk, html, safeExternalUrl, sel, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { historyView, threadView, type TicketEvent } from './thread-view.ts';
import { channelName, lockIcon, notice, person, priorityBadge, privateBadge, statusBadge, timeTag } from './view-parts.ts';

export interface TicketPageData {
  ticket: TicketView;
  comments: CommentView[];
  events: TicketEvent[];
  deliveries: Map<string, DeliveryState[]>;
  threadLinks: ThreadLinkInfo[];
  requester: UserRecord | null;
  otherTickets: TicketView[];
  agents: AgentOption[];
}

export interface ComposerState {
  body: string;
  mode: 'internal' | 'public';
  status: string;
}

const SETTABLE = TICKET_STATUSES.filter((s) => s !== 'closed');

function summary(ctx: PageCtx, t: TicketView): SafeHtml {
  const { tr } = ctx;
  const stamp = createHash('sha256').update(`${t.updatedAt.getTime()}|${t.status}|${t.priority}|${t.visibility}|${t.assignee?.id ?? ''}`).digest('hex').slice(0, 16);
  return html`<div id="ticket-summary" class="ticket-summary" data-live="summary" data-stamp="${stamp}">
  ${statusBadge(tr, t.status)} ${priorityBadge(tr, t.priority)} ${privateBadge(tr, t.visibility)}
  <span class="muted">${tr('ticket.opened_via', { channel: channelName(tr, t.via) })} · ${timeTag(ctx.locale, t.createdAt)}</span>
</div>`;
}

function composer(ctx: PageCtx, t: TicketView, state: ComposerState): SafeHtml {
  const { tr } = ctx;
  if (t.status === 'closed') return html`<section class="card composer-closed"><p>${tr('composer.closed')}</p></section>`;
  const publicHint = t.visibility === 'private' ? tr('composer.public_hint_private') : tr('composer.public_hint');
  return html`<section class="card composer-card" aria-labelledby="composer-title">
  <h2 id="composer-title">${tr('composer.title')}</h2>
  <form method="post" action="/tickets/${t.number}/comments" class="composer" enctype="multipart/form-data">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <fieldset class="mode-switch">
      <legend class="visually-hidden">${tr('composer.mode')}</legend>
      <input type="radio" name="mode" value="internal" id="mode-internal"${chk(state.mode !== 'public')}>
      <label for="mode-internal" class="mode mode-internal">${lockIcon} ${tr('composer.internal')}</label>
      <input type="radio" name="mode" value="public" id="mode-public"${chk(state.mode === 'public')}>
      <label for="mode-public" class="mode mode-public">${tr('composer.public')}</label>
    </fieldset>
    <p class="hint mode-hint hint-internal">${tr('composer.internal_hint')}</p>
    <p class="hint mode-hint hint-public">${publicHint}</p>
    <label for="reply-body" class="visually-hidden">${tr('composer.body')}</label>
    <textarea id="reply-body" name="body" rows="6" maxlength="20000" placeholder="${tr('composer.placeholder')}">${state.body}</textarea>
    <div class="field composer-files">
      <label for="reply-files">${tr('composer.attach')}</label>
      <input type="file" id="reply-files" name="files" multiple>
    </div>
    <div class="composer-actions">
      <div class="field field-inline">
        <label for="reply-status">${tr('composer.then_status')}</label>
        <select id="reply-status" name="status">
          <option value="">${tr('composer.keep_status', { status: tr(`status.${t.status}`) })}</option>
          ${SETTABLE.map((s) => html`<option value="${s}"${sel(state.status === s)}>${tr(`status.${s}`)}</option>`)}
        </select>
      </div>
      <button type="submit" class="btn btn-primary composer-submit">
        <span class="when-internal">${tr('composer.submit_internal')}</span><span class="when-public">${tr('composer.submit_public')}</span>
      </button>
    </div>
  </form>
</section>`;
}

function properties(ctx: PageCtx, d: TicketPageData): SafeHtml {
  const { tr } = ctx;
  const t = d.ticket;
  const closed = t.status === 'closed';
  const publicCount = d.comments.filter((c) => c.public).length;
  const visibility =
    t.visibility === 'private'
      ? html`<p class="hint">${tr('ticket.private_explained')}</p>`
      : closed
        ? html``
        : html`<form method="post" action="/tickets/${t.number}/private" class="stack-sm">
            <input type="hidden" name="_csrf" value="${ctx.csrf}">
            <button type="submit" class="btn btn-small">${tr('ticket.make_private')}</button>
            <p class="hint">${publicCount === 1 ? tr('ticket.make_private_hint') : tr('ticket.cannot_make_private_now', { count: publicCount })}</p>
          </form>`;
  return html`<section class="card" aria-labelledby="props-title">
  <h2 id="props-title">${tr('ticket.properties')}</h2>
  <form method="post" action="/tickets/${t.number}/properties" class="stack-sm">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <div class="field">
      <label for="p-status">${tr('field.status')}</label>
      <select id="p-status" name="status"${closed ? html` disabled` : ''}>
        ${(closed ? TICKET_STATUSES : SETTABLE).map((s) => html`<option value="${s}"${sel(t.status === s)}>${tr(`status.${s}`)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="p-priority">${tr('field.priority')}</label>
      <select id="p-priority" name="priority"${closed ? html` disabled` : ''}>
        ${TICKET_PRIORITIES.map((p) => html`<option value="${p}"${sel(t.priority === p)}>${tr(`common:priority.${p}`)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="p-assignee">${tr('field.assignee')}</label>
      <select id="p-assignee" name="assignee"${closed ? html` disabled` : ''}>
        <option value="">${tr('common.unassigned')}</option>
        ${d.agents.map((a) => html`<option value="${a.id}"${sel(t.assignee?.id === a.id)}>${a.name}</option>`)}
      </select>
    </div>
    ${closed ? html`<p class="hint">${tr('composer.closed')}</p>` : html`<button type="submit" class="btn">${tr('ticket.save')}</button>`}
  </form>
  <h3>${tr('field.visibility')}</h3>
  <p>${t.visibility === 'private' ? html`<strong>${tr('visibility.private')}</strong>` : tr('visibility.public')}</p>
  ${visibility}
</section>`;
}

function people(ctx: PageCtx, d: TicketPageData): SafeHtml {
  const { tr } = ctx;
  const t = d.ticket;
  const r = d.requester;
  const source = safeExternalUrl(t.sourceUrl);
  return html`<section class="card" aria-labelledby="req-title">
  <h2 id="req-title">${tr('field.requester')}</h2>
  <p class="requester-name"><a href="/users/${t.requester.id}">${t.requester.name}</a></p>
  <dl class="facts">
    <dt>${tr('field.email')}</dt><dd>${t.requester.email}</dd>
    ${r?.phone ? html`<dt>${tr('field.phone')}</dt><dd>${r.phone}</dd>` : ''}
    <dt>${tr('field.organization')}</dt><dd>${r?.organization?.name ?? t.organization?.name ?? html`<span class="muted">—</span>`}</dd>
  </dl>
  <h3>${tr('ticket.other_tickets')}</h3>
  ${d.otherTickets.length
    ? html`<ul class="mini-list">${d.otherTickets.map((o) => html`<li><a href="/tickets/${o.number}">#${o.number} ${o.subject}</a> ${statusBadge(tr, o.status)}</li>`)}</ul>`
    : html`<p class="muted">${tr('ticket.no_other_tickets')}</p>`}
</section>
<section class="card" aria-labelledby="details-title">
  <h2 id="details-title">${tr('ticket.details')}</h2>
  <dl class="facts">
    <dt>${tr('field.service')}</dt><dd>${t.service?.name ?? html`<span class="muted">—</span>`}</dd>
    <dt>${tr('field.channel')}</dt><dd>${channelName(tr, t.via)}${source ? html` · <a href="${source}" rel="noopener noreferrer" target="_blank">${tr('ticket.source_link')}</a>` : ''}</dd>
    <dt>${tr('field.submitter')}</dt><dd>${person(t.submitter, tr)}</dd>
    <dt>${tr('field.created')}</dt><dd>${timeTag(ctx.locale, t.createdAt)}</dd>
    <dt>${tr('field.updated')}</dt><dd>${timeTag(ctx.locale, t.updatedAt)}</dd>
    ${t.followUpOf ? html`<dt>${tr('ticket.follow_up_of')}</dt><dd><a href="/tickets/${t.followUpOf}">#${t.followUpOf}</a></dd>` : ''}
    ${t.rating
      ? html`<dt>${tr('field.rating')}</dt><dd><span class="rating" aria-label="${tr('ticket.rating_value', { score: t.rating.score })}">${'★'.repeat(t.rating.score)}${'☆'.repeat(5 - t.rating.score)}</span>${t.rating.comment ? html`<blockquote>${t.rating.comment}</blockquote>` : ''}</dd>`
      : ''}
  </dl>
  <h3>${tr('ticket.chat_threads')}</h3>
  ${d.threadLinks.length
    ? html`<ul class="mini-list">${d.threadLinks.map((l) => html`<li>${channelName(tr, l.platform)} ${l.direct ? html`<span class="muted">(${tr('ticket.direct_message')})</span>` : ''} ${l.status === 'broken' ? html`<span class="badge badge-danger">${tr('ticket.thread_broken')}</span> <code>${l.brokenReason ?? ''}</code>` : html`<span class="badge badge-ok">${tr('ticket.thread_active')}</span>`}</li>`)}</ul>`
    : html`<p class="muted">${tr('ticket.no_chat_threads')}</p>`}
</section>`;
}

export function ticketView(ctx: PageCtx, d: TicketPageData, opts: { error?: string | null; done?: string | null; composer?: ComposerState } = {}): SafeHtml {
  const { tr, locale } = ctx;
  const t = d.ticket;
  const names = new Map<string, string>(d.agents.map((a) => [a.id, a.name]));
  const body = html`<div class="ticket-head">
  <p class="crumbs"><a href="/tickets">${tr('nav.queue')}</a> / #${t.number}</p>
  <h1><span class="ticket-number">#${t.number}</span> ${t.subject}</h1>
  ${summary(ctx, t)}
</div>
${notice('error', opts.error)}${notice('ok', opts.done)}
${t.visibility === 'private' ? html`<div class="banner-private" role="note"><strong>${tr('ticket.private_banner_title')}</strong> ${tr('ticket.private_banner')}</div>` : ''}
<div class="ticket-layout">
  <div class="ticket-main">
    ${threadView(locale, tr, { comments: d.comments, deliveries: d.deliveries, hasThreads: d.threadLinks.length > 0 })}
    ${composer(ctx, t, opts.composer ?? { body: '', mode: 'internal', status: '' })}
    ${historyView(locale, tr, d.events, names)}
  </div>
  <aside class="ticket-side" aria-label="${tr('ticket.sidebar')}">
    ${properties(ctx, d)}
    ${people(ctx, d)}
  </aside>
</div>`;
  return layoutView(ctx, { title: `#${t.number} ${t.subject}`, body, wide: true });
}
