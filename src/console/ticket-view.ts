/** The ticket page: header, thread, composer and history in the main column; properties and people beside it. */
import { createHash } from 'node:crypto';
import type { CommentView, TicketView, UserRecord } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/tickets/ticket-types.ts';
import type { PageCtx } from './console-http.ts';
import type { AgentOption, DeliveryState, ThreadLinkInfo } from '../core/ports/console-port.ts';
import type { MacroRecord } from '../core/ports/agent-work-port.ts';
import { renderMacroBody } from '../core/macros/macro-rules.ts';
import { slaView, type SlaTargetView } from '../core/sla/sla-rules.ts';
import { chk, html, safeExternalUrl, sel, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { eventText, historyView, threadView, type TicketEvent } from './thread-view.ts';
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
  /** The macros this agent may use (shared and their own). */
  macros: MacroRecord[];
}

/** A save refused because the ticket moved on: what happened since the form was loaded, and what the agent wanted. */
export interface StaleState {
  form: 'properties' | 'composer' | 'private';
  since: TicketEvent[];
  /** The properties the agent changed (only those), to be offered again over the ticket's new state. */
  mine?: { status?: string; priority?: string; assignee?: string };
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

/** What every ticket form carries: the version it was loaded at, and how many history events it had seen. */
function versionFields(d: TicketPageData): SafeHtml {
  return html`<input type="hidden" name="version" value="${d.ticket.version}"><input type="hidden" name="seen" value="${d.events.length}">`;
}

/** Where a public reply goes, truthfully for this ticket: the help center always, and its working threads (chats, the requester's email). */
export function publicHint(tr: PageCtx['tr'], t: TicketView, links: ThreadLinkInfo[]): string {
  const channels = [...new Set(links.filter((l) => l.status === 'active').map((l) => channelName(tr, l.platform)))];
  const priv = t.visibility === 'private';
  if (!channels.length) return tr(priv ? 'work:hint.public_private_web_only' : 'work:hint.public_web_only');
  return tr(priv ? 'work:hint.public_private_threads' : 'work:hint.public_threads', { channels: channels.join(', ') });
}

function composer(ctx: PageCtx, d: TicketPageData, state: ComposerState): SafeHtml {
  const { tr } = ctx;
  const t = d.ticket;
  if (t.status === 'closed') return html`<section class="card composer-closed"><p>${tr('composer.closed')}</p></section>`;
  const hint = publicHint(tr, t, d.threadLinks);
  return html`<section class="card composer-card" aria-labelledby="composer-title">
  <h2 id="composer-title">${tr('composer.title')}</h2>
  <form method="post" action="/tickets/${t.number}/comments" class="composer" enctype="multipart/form-data" data-draft="ticket-${t.number}">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    ${versionFields(d)}
    <fieldset class="mode-switch">
      <legend class="visually-hidden">${tr('composer.mode')}</legend>
      <input type="radio" name="mode" value="internal" id="mode-internal"${chk(state.mode !== 'public')}>
      <label for="mode-internal" class="mode mode-internal">${lockIcon} ${tr('composer.internal')}</label>
      <input type="radio" name="mode" value="public" id="mode-public"${chk(state.mode === 'public')}>
      <label for="mode-public" class="mode mode-public">${tr('composer.public')}</label>
    </fieldset>
    <p class="hint mode-hint hint-internal">${tr('composer.internal_hint')}</p>
    <p class="hint mode-hint hint-public" id="public-hint">${hint}</p>
    ${d.macros.some((m) => m.body)
      ? html`<div class="macro-picker" id="macro-picker">
      <div class="field"><label for="macro-pick">${tr('work:macro.insert_label')}</label>
        <select id="macro-pick" aria-keyshortcuts="m">
          <option value="">${tr('work:macro.choose')}</option>
          ${d.macros.filter((m) => m.body).map((m) => html`<option value="${m.id}" data-body="${renderMacroBody(m.body ?? '', { ticket: t, requester: t.requester, agent: { name: ctx.agent?.name ?? '' } })}" data-public="${m.public ? '1' : '0'}" data-status="${m.status ?? ''}">${m.name}</option>`)}
        </select></div>
      <p class="hint">${tr('work:macro.insert_hint')}</p>
    </div>`
      : ''}
    <p class="hint" id="draft-restored" hidden>${tr('work:draft.restored')}</p>
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

function properties(ctx: PageCtx, d: TicketPageData, stale?: StaleState): SafeHtml {
  const { tr } = ctx;
  const t = d.ticket;
  const mine = stale?.form === 'properties' ? (stale.mine ?? {}) : {};
  const want = { status: mine.status ?? t.status, priority: mine.priority ?? t.priority, assignee: mine.assignee ?? t.assignee?.id ?? '' };
  const mark = (k: keyof typeof mine) => (mine[k] !== undefined ? html` class="reapply" data-reapply="1"` : '');
  const closed = t.status === 'closed';
  const publicCount = d.comments.filter((c) => c.public).length;
  const visibility =
    t.visibility === 'private'
      ? html`<p class="hint">${tr('ticket.private_explained')}</p>`
      : closed
        ? html``
        : html`<form method="post" action="/tickets/${t.number}/private" class="stack-sm">
            <input type="hidden" name="_csrf" value="${ctx.csrf}">
            ${versionFields(d)}
            <button type="submit" class="btn btn-small">${tr('ticket.make_private')}</button>
            <p class="hint">${publicCount === 1 ? tr('ticket.make_private_hint') : tr('ticket.cannot_make_private_now', { count: publicCount })}</p>
          </form>`;
  return html`<section class="card" aria-labelledby="props-title">
  <h2 id="props-title">${tr('ticket.properties')}</h2>
  <form method="post" action="/tickets/${t.number}/properties" class="stack-sm" id="properties-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    ${versionFields(d)}
    <input type="hidden" name="was_status" value="${t.status}">
    <input type="hidden" name="was_priority" value="${t.priority}">
    <input type="hidden" name="was_assignee" value="${t.assignee?.id ?? ''}">
    <div class="field">
      <label for="p-status">${tr('field.status')}</label>
      <select id="p-status" name="status"${mark('status')}${closed ? html` disabled` : ''}>
        ${(closed ? TICKET_STATUSES : SETTABLE).map((s) => html`<option value="${s}"${sel(want.status === s)}>${tr(`status.${s}`)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="p-priority">${tr('field.priority')}</label>
      <select id="p-priority" name="priority"${mark('priority')}${closed ? html` disabled` : ''}>
        ${TICKET_PRIORITIES.map((p) => html`<option value="${p}"${sel(want.priority === p)}>${tr(`common:priority.${p}`)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="p-assignee">${tr('field.assignee')}</label>
      <select id="p-assignee" name="assignee"${mark('assignee')}${closed ? html` disabled` : ''}>
        <option value="">${tr('common.unassigned')}</option>
        ${t.assignee && !d.agents.some((a) => a.id === t.assignee!.id) ? html`<option value="${t.assignee.id}" selected>${t.assignee.name}</option>` : ''}
        ${d.agents.map((a) => html`<option value="${a.id}"${sel(want.assignee === a.id)}>${a.name}</option>`)}
      </select>
    </div>
    ${closed ? html`<p class="hint">${tr('composer.closed')}</p>` : html`<button type="submit" class="btn">${tr('ticket.save')}</button>`}
  </form>
  ${slaBlock(ctx, t)}
  <h3>${tr('work:field.tags')}</h3>
  ${closed
    ? html`<p>${t.tags.length ? t.tags.map((g) => html`<span class="tag">${g}</span>`) : html`<span class="muted">—</span>`}</p>`
    : html`<form method="post" action="/tickets/${t.number}/tags" class="stack-sm" id="tags-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    ${versionFields(d)}
    <div class="field">
      <label for="p-tags" class="visually-hidden">${tr('work:field.tags')}</label>
      <input id="p-tags" type="text" name="tags" value="${t.tags.join(' ')}" maxlength="1100" aria-describedby="p-tags-hint">
      <p class="hint" id="p-tags-hint">${tr('work:tags.hint')}</p>
    </div>
    <button type="submit" class="btn btn-small">${tr('work:tags.save')}</button>
  </form>`}
  ${!closed && d.macros.length
    ? html`<h3>${tr('work:macro.apply_title')}</h3>
  <form method="post" action="/tickets/${t.number}/macro" class="stack-sm" id="macro-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    ${versionFields(d)}
    <div class="field"><label for="macro-apply" class="visually-hidden">${tr('work:macro.apply_title')}</label>
      <select id="macro-apply" name="macro">${d.macros.map((m) => html`<option value="${m.id}">${m.name}</option>`)}</select></div>
    <button type="submit" class="btn btn-small">${tr('work:macro.apply')}</button>
    <p class="hint">${tr('work:macro.apply_hint')}</p>
  </form>`
    : ''}
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

function slaBlock(ctx: PageCtx, t: TicketView): SafeHtml {
  const { tr } = ctx;
  const v = slaView({ status: t.status, solvedAt: t.solvedAt, closedAt: t.closedAt, ...t.sla }, new Date());
  const rows: [string, SlaTargetView | null][] = [['first_reply', v.firstReply], ['next_reply', v.nextReply], ['resolution', v.resolution]];
  const shown = rows.filter(([, r]) => r !== null) as [string, SlaTargetView][];
  if (!shown.length) return html``;
  return html`<h3>${tr('work:field.sla')}</h3>
  <dl class="facts sla" id="sla">${shown.map(
    ([k, r]) => html`<dt>${tr(`work:sla.${k}`)}</dt><dd class="${r.breached ? 'sla-breached' : ''}" data-sla-target="${k}">${r.achievedAt ? tr(r.breached ? 'work:sla.met_late' : 'work:sla.met') : r.breached ? tr('work:sla.breached') : tr('work:sla.due')} ${timeTag(ctx.locale, r.dueAt)}</dd>`,
  )}</dl>`;
}

/** The refusal of a stale save: who changed what since the form was loaded, and how to apply one's change again. */
function staleNotice(ctx: PageCtx, stale: StaleState, names: Map<string, string>): SafeHtml {
  const { tr } = ctx;
  const next = stale.form === 'properties' ? 'work:stale.reapply_properties' : stale.form === 'composer' ? 'work:stale.reapply_comment' : 'work:stale.reapply_private';
  return html`<div class="notice notice-error stale" role="alert" id="stale-notice">
  <p><strong>${tr('work:stale.title')}</strong></p>
  ${stale.since.length
    ? html`<p>${tr('work:stale.changes')}</p><ul class="stale-changes">${stale.since.map((e) => html`<li><strong>${e.actor?.name ?? tr('common.system')}</strong>: ${eventText(tr, e, names)} <span class="muted">${timeTag(ctx.locale, e.createdAt)}</span></li>`)}</ul>`
    : html`<p>${tr('work:stale.no_events')}</p>`}
  <p>${tr(next)}</p>
</div>`;
}

export function ticketView(ctx: PageCtx, d: TicketPageData, opts: { error?: string | null; done?: string | null; composer?: ComposerState; stale?: StaleState } = {}): SafeHtml {
  const { tr, locale } = ctx;
  const t = d.ticket;
  const names = new Map<string, string>(d.agents.map((a) => [a.id, a.name]));
  for (const e of d.events) if (e.actor && !names.has(e.actor.id)) names.set(e.actor.id, e.actor.name);
  if (t.assignee && !names.has(t.assignee.id)) names.set(t.assignee.id, t.assignee.name);
  const body = html`<div class="ticket-head">
  <p class="crumbs"><a href="/tickets">${tr('nav.queue')}</a> / #${t.number}</p>
  <h1><span class="ticket-number">#${t.number}</span> ${t.subject}</h1>
  ${summary(ctx, t)}
  <p id="presence" class="presence" aria-live="polite" hidden></p>
</div>
${opts.stale ? staleNotice(ctx, opts.stale, names) : ''}${notice('error', opts.error)}${notice('ok', opts.done)}
${t.visibility === 'private' ? html`<div class="banner-private" role="note"><strong>${tr('ticket.private_banner_title')}</strong> ${tr('ticket.private_banner')}</div>` : ''}
<div class="ticket-layout">
  <div class="ticket-main">
    ${threadView(locale, tr, { comments: d.comments, deliveries: d.deliveries, hasThreads: d.threadLinks.length > 0 })}
    ${composer(ctx, d, opts.composer ?? { body: '', mode: 'internal', status: '' })}
    ${historyView(locale, tr, d.events, names)}
  </div>
  <aside class="ticket-side" aria-label="${tr('ticket.sidebar')}">
    ${properties(ctx, d, opts.stale)}
    ${people(ctx, d)}
  </aside>
</div>`;
  return layoutView(ctx, { title: `#${t.number} ${t.subject}`, body, wide: true, ticket: t.number });
}
