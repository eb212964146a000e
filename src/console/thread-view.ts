/**
 * A ticket's conversation and history: comments oldest first, each marked with its channel, public replies and
 * internal notes drawn unmistakably apart, the delivery state of replies that go to chat, and the audit trail.
 */
import { createHash } from 'node:crypto';
import type { Locale } from '../core/locale.ts';
import type { CommentView, Store } from '../core/ports/store-port.ts';
import type { Tr } from './console-http.ts';
import type { DeliveryState } from '../core/ports/console-port.ts';
import { html, type SafeHtml } from './html-template.ts';
import { attachmentList, channelBadge, channelName, lockIcon, timeTag } from './view-parts.ts';

export type TicketEvent = Awaited<ReturnType<Store['listTicketEvents']>>[number];

function deliveryLine(tr: Tr, list: DeliveryState[] | undefined, hasThreads: boolean): SafeHtml {
  if (!list?.length) return hasThreads ? html`` : html`<p class="delivery muted">${tr('delivery.help_center_only')}</p>`;
  return html`<ul class="delivery" aria-label="${tr('delivery.label')}">${list.map((d) => {
    const where = channelName(tr, d.platform);
    if (d.status === 'sent') return html`<li class="delivery-sent" data-delivery="sent"><span aria-hidden="true">✓</span> ${tr('delivery.sent', { channel: where })}</li>`;
    if (d.status === 'failed')
      return html`<li class="delivery-failed" data-delivery="failed"><span aria-hidden="true">✕</span> ${tr('delivery.failed', { channel: where })}${d.lastError ? html` <code>${d.lastError}</code>` : ''}</li>`;
    return html`<li class="delivery-pending" data-delivery="pending"><span aria-hidden="true">…</span> ${tr('delivery.pending', { channel: where })}</li>`;
  })}</ul>`;
}

function commentItem(locale: Locale, tr: Tr, c: CommentView, deliveries: Map<string, DeliveryState[]>, hasThreads: boolean): SafeHtml {
  const staff = c.author.role !== 'end_user';
  const kind = c.public ? 'public' : 'internal';
  const attachments = attachmentList(tr, c.attachments);
  return html`<li class="comment comment-${kind}" id="comment-${c.id}" data-kind="${kind}">
  <div class="comment-head">
    <span class="comment-kind">${c.public ? tr('comment.public') : html`${lockIcon} ${tr('comment.internal')}`}</span>
    <span class="author">${c.author.name}</span>
    <span class="role muted">${staff ? tr('role.agent') : tr('role.customer')}</span>
    ${channelBadge(tr, c.via)}
    <span class="comment-time">${timeTag(locale, c.createdAt)}</span>
  </div>
  ${c.deletedAt
    ? html`<div class="comment-body deleted"><p class="muted">${tr('comment.deleted')}</p><del>${c.body}</del></div>`
    : html`<div class="comment-body">${c.body}</div>`}
  ${c.editedAt ? html`<p class="muted small">${tr('comment.edited')}</p>` : ''}
  ${attachments}
  ${c.public && staff ? deliveryLine(tr, deliveries.get(c.id), hasThreads) : ''}
</li>`;
}

export function threadStamp(comments: CommentView[], deliveries: Map<string, DeliveryState[]>): string {
  const h = createHash('sha256');
  for (const c of comments) h.update(`${c.id}|${c.public}|${c.editedAt?.getTime() ?? ''}|${c.deletedAt?.getTime() ?? ''}|${(deliveries.get(c.id) ?? []).map((d) => d.status).join(',')}|${c.attachments.map((a) => a.state).join(',')}\n`);
  return h.digest('hex').slice(0, 16);
}

export function threadView(
  locale: Locale,
  tr: Tr,
  v: { comments: CommentView[]; deliveries: Map<string, DeliveryState[]>; hasThreads: boolean },
): SafeHtml {
  return html`<section id="ticket-thread" class="thread" data-live="thread" data-stamp="${threadStamp(v.comments, v.deliveries)}" aria-labelledby="thread-title">
  <h2 id="thread-title">${tr('thread.title')} <span class="count">(${v.comments.length})</span></h2>
  <ol class="comments">${v.comments.map((c) => commentItem(locale, tr, c, v.deliveries, v.hasThreads))}</ol>
</section>`;
}

export function eventText(tr: Tr, e: TicketEvent, names: Map<string, string>): SafeHtml {
  const status = (s: string | null) => (s ? tr(`status.${s}`) : '—');
  const prio = (p: string | null) => (p ? tr(`common:priority.${p}`) : '—');
  const who = (id: string | null) => (id ? (names.get(id) ?? tr('common.unknown')) : tr('common.nobody'));
  switch (e.kind) {
    case 'created':
      return html`${tr('event.created', { status: status(e.to) })}`;
    case 'status':
      return html`${tr('event.status', { from: status(e.from), to: status(e.to) })}`;
    case 'priority':
      return html`${tr('event.priority', { from: prio(e.from), to: prio(e.to) })}`;
    case 'assignee':
      return html`${tr('event.assignee', { from: who(e.from), to: who(e.to) })}`;
    case 'visibility':
      return html`${e.to === 'private' ? tr('event.made_private') : tr('event.made_public')}`;
    case 'comment_added':
      return html`${e.field === 'internal' ? tr('event.internal_note') : tr('event.public_reply')}`;
    case 'comment_made_internal':
      return html`${tr('event.comment_made_internal')}`;
    case 'comment_edited':
      return html`${tr('event.comment_edited')} <details class="inline-details"><summary>${tr('event.previous_text')}</summary><div class="comment-body">${e.from ?? ''}</div></details>`;
    case 'comment_deleted':
      return html`${tr('event.comment_deleted')}`;
    case 'rated':
      return html`${tr('event.rated', { score: e.to ?? '?' })}`;
    case 'rating_comment':
      return html`${tr('event.rating_comment')}`;
    case 'reopened':
      return html`${tr('event.reopened')}`;
    case 'follow_up':
      return html`${tr('event.follow_up')}`;
    case 'tags':
      return html`${tr('work:event.tags', { from: e.from ?? '', to: e.to ?? '' })}`;
    case 'thread_linked':
      return html`${tr('event.thread_linked', { channel: channelName(tr, (e.to ?? '').split(':')[0] ?? '') })}`;
    default:
      return html`${e.kind}`;
  }
}

export function historyView(locale: Locale, tr: Tr, events: TicketEvent[], names: Map<string, string>): SafeHtml {
  const stamp = events.length ? `${events.length}:${events[events.length - 1]!.id}` : '0';
  return html`<section id="ticket-history" class="history card" data-live="history" data-stamp="${stamp}" aria-labelledby="history-title">
  <h2 id="history-title">${tr('history.title')}</h2>
  <ol class="events">${events.map(
    (e) => html`<li>
      <span class="event-text">${eventText(tr, e, names)}</span>
      <span class="event-meta muted">${e.actor?.name ?? tr('common.system')} · ${channelName(tr, e.via)} · ${timeTag(locale, e.createdAt)}</span>
    </li>`,
  )}</ol>
</section>`;
}
