/**
 * A ticket as its requester sees it: subject, status, the public conversation (support's replies and their own),
 * and what they can do now: reply; on a solved ticket rate it (1-5, a comment if they like; this closes it) or
 * reopen it with a reason; on a closed one, write again to start a follow-up. Nothing of agents' work shows here.
 */
import { createHash } from 'node:crypto';
import type { RequesterComment, RequesterTicket } from '../../core/help-center/requester-service.ts';
import type { PageCtx } from '../console-http.ts';
import { chk, html, type SafeHtml } from '../html-template.ts';
import { layoutView } from '../layout-view.ts';
import { attachmentList, channelName, notice, statusBadge, timeTag } from '../view-parts.ts';

export interface RequesterForms {
  reply?: string;
  reason?: string;
  score?: number | null;
  ratingComment?: string;
}

function commentItem(ctx: PageCtx, c: RequesterComment): SafeHtml {
  const { tr, locale } = ctx;
  const files = attachmentList(tr, c.attachments);
  return html`<li class="comment comment-public ${c.fromSupport ? 'from-support' : 'from-me'}" id="comment-${c.id}">
  <div class="comment-head">
    <span class="author">${c.authorName}</span>
    <span class="role muted">${c.fromSupport ? tr('portal:ticket.support') : tr('portal:ticket.you')}</span>
    <span class="badge badge-via">${channelName(tr, c.via)}</span>
    <span class="comment-time">${timeTag(locale, c.createdAt)}</span>
  </div>
  <div class="comment-body">${c.body}</div>
  ${files}
</li>`;
}

function stars(score: number): string {
  return `${'★'.repeat(score)}${'☆'.repeat(5 - score)}`;
}

function replyForm(ctx: PageCtx, t: RequesterTicket, text: string): SafeHtml {
  const { tr } = ctx;
  const closed = t.status === 'closed';
  return html`<section class="card composer-card" aria-labelledby="reply-title">
  <h2 id="reply-title">${closed ? tr('portal:ticket.follow_up_title') : tr('portal:ticket.reply_title')}</h2>
  ${closed ? html`<p class="hint">${tr('portal:ticket.closed_hint')}</p>` : ''}
  <form method="post" action="/tickets/${t.number}/reply" class="composer" id="reply-form" enctype="multipart/form-data">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <label for="reply-body">${tr('portal:ticket.message')}</label>
    <textarea id="reply-body" name="body" rows="5" required maxlength="20000" placeholder="${tr('composer.placeholder')}">${text}</textarea>
    <div class="field composer-files">
      <label for="reply-files">${tr('composer.attach')}</label>
      <input type="file" id="reply-files" name="files" multiple>
    </div>
    <div class="composer-actions"><span></span><button type="submit" class="btn btn-primary">${closed ? tr('portal:ticket.send_follow_up') : tr('portal:ticket.send')}</button></div>
  </form>
</section>`;
}

function solvedForms(ctx: PageCtx, t: RequesterTicket, f: RequesterForms): SafeHtml {
  const { tr } = ctx;
  return html`<section class="card" aria-labelledby="rate-title">
  <h2 id="rate-title">${tr('portal:ticket.rate_title')}</h2>
  <p class="hint">${tr('portal:ticket.rate_hint')}</p>
  <form method="post" action="/tickets/${t.number}/rate" class="stack-sm" id="rate-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <fieldset class="rating-choice">
      <legend>${tr('portal:ticket.score')}</legend>
      ${[1, 2, 3, 4, 5].map(
        (n) => html`<input type="radio" name="score" value="${n}" id="score-${n}" required${chk(f.score === n)}><label for="score-${n}" title="${tr('portal:ticket.score_value', { score: n })}"><span aria-hidden="true">${stars(n)}</span><span class="visually-hidden">${tr('portal:ticket.score_value', { score: n })}</span></label>`,
      )}
    </fieldset>
    <div class="field">
      <label for="rating-comment">${tr('portal:ticket.rating_comment')}</label>
      <textarea id="rating-comment" name="comment" rows="3" maxlength="20000">${f.ratingComment ?? ''}</textarea>
    </div>
    <button type="submit" class="btn btn-primary">${tr('portal:ticket.rate_submit')}</button>
  </form>
</section>
<section class="card" aria-labelledby="reopen-title">
  <h2 id="reopen-title">${tr('portal:ticket.reopen_title')}</h2>
  <form method="post" action="/tickets/${t.number}/reopen" class="stack-sm" id="reopen-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <div class="field">
      <label for="reopen-reason">${tr('portal:ticket.reopen_reason')}</label>
      <textarea id="reopen-reason" name="reason" rows="3" required maxlength="20000">${f.reason ?? ''}</textarea>
    </div>
    <button type="submit" class="btn">${tr('portal:ticket.reopen_submit')}</button>
  </form>
</section>`;
}

export function requesterTicketView(
  ctx: PageCtx,
  v: { ticket: RequesterTicket; comments: RequesterComment[]; done?: string | null; error?: string | null; forms?: RequesterForms },
): SafeHtml {
  const { tr, locale } = ctx;
  const t = v.ticket;
  const f = v.forms ?? {};
  const stamp = createHash('sha256').update(`${t.status}|${t.updatedAt.getTime()}|${v.comments.map((c) => c.id).join(',')}`).digest('hex').slice(0, 16);
  const rating = t.rating
    ? html`<p class="rating-given"><span class="rating" aria-label="${tr('portal:ticket.score_value', { score: t.rating.score })}">${stars(t.rating.score)}</span> ${tr('portal:ticket.rated')}${t.rating.comment ? html`<blockquote>${t.rating.comment}</blockquote>` : ''}</p>`
    : '';
  const actions = t.status === 'solved' ? solvedForms(ctx, t, f) : replyForm(ctx, t, f.reply ?? '');
  const body = html`<div class="ticket-head">
  <p class="crumbs"><a href="/my/tickets">${tr('portal:nav.my_activity')}</a> / #${t.number}</p>
  <h1><span class="ticket-number">#${t.number}</span> ${t.subject}</h1>
  <div id="ticket-summary" class="ticket-summary">
    ${statusBadge(tr, t.status)}
    <span class="muted">${tr('ticket.opened_via', { channel: channelName(tr, t.via) })} · ${timeTag(locale, t.createdAt)}</span>
    <span class="muted">· ${tr('portal:my.last_update')} ${timeTag(locale, t.updatedAt)}</span>
    ${t.serviceName ? html`<span class="muted">· ${t.serviceName}</span>` : ''}
  </div>
</div>
${notice('error', v.error)}${notice('ok', v.done)}
${t.status === 'solved' ? html`<div class="notice notice-ok" role="note">${tr('portal:ticket.solved_banner')}</div>` : ''}
${rating}
<section id="ticket-thread" class="thread" data-live="thread" data-stamp="${stamp}" aria-labelledby="thread-title">
  <h2 id="thread-title">${tr('thread.title')} <span class="count">(${v.comments.length})</span></h2>
  <ol class="comments">${v.comments.map((c) => commentItem(ctx, c))}</ol>
</section>
${actions}`;
  return layoutView(ctx, { title: `#${t.number} ${t.subject}`, body, active: 'my_tickets' });
}
