/**
 * A notification as a mail, in the requester's language: a subject shared by every mail of the ticket (so mail
 * programs that thread by subject agree with References), a plain-text body and the same words in HTML. Every mail
 * starts with the reply marker (what the inbound side cuts a reply at), links to the ticket, and ends with why it
 * was sent and the preference link. Everything interpolated into the HTML is escaped.
 */
import type { Locale } from '../../core/locale.ts';
import type { RichMessage } from '../../core/ports/channel-port.ts';
import { t } from '../../i18n/catalog.ts';
import '../../i18n/messages/email.ts';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** Written by no person (a confirmation, the rating invitation): autoresponders stay quiet (Auto-Submitted). */
  automatic: boolean;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function preferencesUrl(publicUrl: string): string {
  return `${publicUrl}/my/chats`;
}

/** An answer of the conversation engine to the sender of a mail (e.g. why their mail opened no request). */
export function renderNotice(key: string, params: Record<string, string | number> | undefined, locale: Locale): { subject: string; text: string; html: string } {
  const line = t(locale, key, params);
  const why = t(locale, 'email:footer.why');
  return {
    subject: t(locale, 'email:notice.subject'),
    text: [t(locale, 'email:greeting'), '', line, '', '-- ', why, ''].join('\n'),
    html: `<!doctype html>\n<html lang="${locale}"><head><meta charset="utf-8"><title>${esc(t(locale, 'email:notice.subject'))}</title></head>\n<body style="font-family:-apple-system,'Segoe UI',Roboto,'Hiragino Sans','Noto Sans JP',Arial,sans-serif;color:#1b2430;"><p>${esc(t(locale, 'email:greeting'))}</p><p>${esc(line)}</p><p style="font-size:12px;color:#8a94a3;">${esc(why)}</p></body></html>`,
  };
}

export function renderMail(message: RichMessage, locale: Locale, publicUrl: string): RenderedMail | null {
  if (message.kind === 'ticket_list' || message.kind === 'notice') return null;
  const tk = message.ticket;
  const tr = (key: string, params?: Record<string, string | number>) => t(locale, `email:${key}`, params);
  const base = { number: tk.number, subject: tk.subject };
  let lead: string[];
  let quote: string | null = null;
  let button = { label: tr('view'), url: tk.url };
  let extra: string[] = [];
  let automatic = true;
  switch (message.kind) {
    case 'ticket_confirmation':
      lead = [tr('opened.lead', base), tr('opened.next')];
      break;
    case 'agent_reply':
      lead = [tr('reply.lead', { author: message.authorName, number: tk.number })];
      quote = message.body;
      automatic = false;
      break;
    case 'rating_prompt':
      lead = [tr('solved.lead', base), tr('solved.rate')];
      button = { label: tr('solved.rate_button'), url: `${tk.url}#rate-form` };
      extra = [tr('solved.reopen')];
      break;
    case 'status_changed':
      lead = [tr('status.lead', { ...base, status: t(locale, `common:status.${message.to}`) })];
      break;
    case 'reopen_prompt':
      lead = [tr('reopen.lead', base)];
      break;
  }
  const prefs = preferencesUrl(publicUrl);
  const marker = tr('reply_marker');
  const text = [
    marker,
    '',
    tr('greeting'),
    '',
    ...lead.flatMap((l) => [l, '']),
    ...(quote !== null ? [quote, ''] : []),
    `${button.label}: ${button.url}`,
    '',
    ...extra.flatMap((l) => [l, '']),
    tr('reply.hint'),
    '',
    '-- ',
    tr('footer.why'),
    tr('footer.prefs', { url: prefs }),
    '',
  ].join('\n');
  const p = (s: string, style = 'margin:0 0 14px;font-size:15px;line-height:1.5;') => `<p style="${style}">${esc(s)}</p>`;
  const html = `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(tr('subject', base))}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f9;font-family:-apple-system,'Segoe UI',Roboto,'Hiragino Sans','Noto Sans JP',Arial,sans-serif;color:#1b2430;">
  <p style="margin:0 0 12px;font-size:12px;color:#8a94a3;">${esc(marker)}</p>
  <div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #dde2e8;border-radius:10px;padding:28px;">
    ${p(tr('greeting'))}
    ${lead.map((l) => p(l)).join('\n    ')}
    ${quote !== null ? `<blockquote style="margin:0 0 18px;padding:10px 14px;border-left:3px solid #2f6fdf;background:#f7f9fc;white-space:pre-wrap;font-size:15px;line-height:1.5;">${esc(quote)}</blockquote>` : ''}
    <p style="margin:0 0 20px;"><a href="${esc(button.url)}" style="display:inline-block;background:#2f6fdf;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 22px;border-radius:6px;">${esc(button.label)}</a></p>
    ${extra.map((l) => p(l)).join('\n    ')}
    ${p(tr('reply.hint'), 'margin:0;font-size:13px;color:#5f6b7a;')}
  </div>
  <p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#8a94a3;text-align:center;">${esc(tr('footer.why'))} <a href="${esc(prefs)}" style="color:#5f6b7a;">${esc(tr('footer.prefs_link'))}</a></p>
</body>
</html>`;
  return { subject: tr('subject', base), text, html, automatic };
}
