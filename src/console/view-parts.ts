/** Small pieces every console page uses: badges, times, channel names, people, error texts. */
import type { DomainErrorCode } from '../core/errors.ts';
import type { Locale } from '../core/locale.ts';
import type { AttachmentView, UserRef } from '../core/ports/store-port.ts';
import type { Tr } from './console-http.ts';
import { html, safeExternalUrl, type SafeHtml } from './html-template.ts';

/** Product names read the same in every language, so they stay out of the catalog. */
const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', lark: 'Lark', telegram: 'Telegram', api: 'API', test: 'Test chat' };

export function channelName(tr: Tr, via: string): string {
  return via === 'web' ? tr('via.web') : (PLATFORM_NAMES[via] ?? via);
}

export function channelBadge(tr: Tr, via: string): SafeHtml {
  return html`<span class="badge badge-via" data-via="${via}">${channelName(tr, via)}</span>`;
}

export function statusBadge(tr: Tr, status: string): SafeHtml {
  return html`<span class="badge status status-${status}">${tr(`status.${status}`)}</span>`;
}

export function priorityBadge(tr: Tr, priority: string): SafeHtml {
  return html`<span class="badge priority priority-${priority}">${tr(`common:priority.${priority}`)}</span>`;
}

export function privateBadge(tr: Tr, visibility: string): SafeHtml {
  return visibility === 'private' ? html`<span class="badge badge-private" title="${tr('ticket.private_hint')}">${tr('visibility.private')}</span>` : html``;
}

/** Server time in UTC; the page script rewrites it in the reader's time zone. */
export function timeTag(locale: Locale, d: Date): SafeHtml {
  const text = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d);
  return html`<time datetime="${d.toISOString()}">${text} UTC</time>`;
}

export function person(u: UserRef | null, tr: Tr): SafeHtml {
  return u ? html`<span class="person" title="${u.email}">${u.name}</span>` : html`<span class="muted">${tr('common.nobody')}</span>`;
}

const KNOWN_ERRORS = new Set<string>([
  'validation_failed', 'forbidden', 'ticket_not_found', 'user_not_found', 'service_not_found', 'email_taken',
  'forbidden_transition', 'ticket_closed', 'cannot_make_private', 'cannot_make_public', 'invalid_email',
  'description_too_short', 'link_code_invalid', 'link_code_expired', 'link_code_used',
]);

/** A person-readable text for a core error code; the core's own message is English and for logs. */
export function errorText(tr: Tr, code: DomainErrorCode | string): string {
  return KNOWN_ERRORS.has(code) ? tr(`error.${code}`) : tr('error.generic');
}

/** "1.2 MB", "340 KB", "12 B". */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const THUMBNAILED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/**
 * A comment's files: a stored one links to its help-center URL (an image with a thumbnail); one being fetched
 * says so; one that could not be kept says which and why, with the platform's own link as the only way to it.
 */
export function attachmentList(tr: Tr, attachments: AttachmentView[]): SafeHtml {
  if (!attachments.length) return html``;
  return html`<ul class="attachments">${attachments.map((a) => {
    const size = formatSize(a.size);
    if (a.state === 'stored') {
      const href = `/attachments/${a.id}/${encodeURIComponent(a.name)}`;
      const thumb = a.contentType && THUMBNAILED.has(a.contentType)
        ? html`<img class="attachment-thumb" src="${href}?thumb=1" alt="" loading="lazy" width="160" height="120">`
        : '';
      return html`<li class="attachment" data-state="stored"><a href="${href}" target="_blank" rel="noopener">${thumb}<span class="attachment-name">${a.name}</span></a> <span class="muted small">${size}</span></li>`;
    }
    const link = a.platformUrl ? safeExternalUrl(a.platformUrl) : null;
    const onPlatform = link ? html` <a href="${link}" rel="noopener noreferrer" target="_blank">${tr('attachment.on_platform')}</a>` : '';
    const why =
      a.state === 'pending'
        ? tr('attachment.pending')
        : a.state === 'too_large'
          ? tr('attachment.too_large', { max: formatSize(Number(/larger than (\d+) bytes/.exec(a.reason ?? '')?.[1] ?? NaN) || null) || '?' })
          : tr('attachment.unavailable');
    return html`<li class="attachment attachment-missing" data-state="${a.state}"><span class="attachment-name">${a.name}</span> <span class="muted small">${size ? `${size} · ` : ''}${why}</span>${onPlatform}</li>`;
  })}</ul>`;
}

/** Drawn, not an emoji: machines without an emoji font would show a box. */
export const lockIcon = html`<svg class="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v6a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 14.5v-6A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z"/></svg>`;

export function notice(kind: 'ok' | 'error', text: string | null | undefined): SafeHtml {
  if (!text) return html``;
  return kind === 'error'
    ? html`<div class="notice notice-error" role="alert">${text}</div>`
    : html`<div class="notice notice-ok" role="status">${text}</div>`;
}
