/**
 * The sign-in mail, in the person's language: a plain-text body (every client can show it) and the same words in
 * HTML with one button. Everything interpolated is escaped by the console's `html` tag, the name included.
 */
import type { SignInMailInput } from '../../core/help-center/sign-in-service.ts';
import { t } from '../../i18n/catalog.ts';
import { html } from '../html-template.ts';
import '../../i18n/messages/portal.ts';

export function composeSignInMail(input: SignInMailInput): { subject: string; text: string; html: string } {
  const tr = (key: string, params?: Record<string, string | number>) => t(input.locale, `portal:mail.${key}`, params);
  const greeting = tr('greeting', { name: input.name });
  const lead = tr('lead');
  const validity = tr('validity', { minutes: input.minutes });
  const ignore = tr('ignore');
  const text = [greeting, '', lead, '', input.url, '', validity, '', ignore, '', `-- ${tr('signature')}`, ''].join('\n');
  const body = html`<!doctype html>
<html lang="${input.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${tr('subject')}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f9;font-family:-apple-system,'Segoe UI',Roboto,'Hiragino Sans','Noto Sans JP',Arial,sans-serif;color:#1b2430;">
  <div style="max-width:520px;margin:0 auto;background:#ffffff;border:1px solid #dde2e8;border-radius:10px;padding:28px;">
    <p style="margin:0 0 16px;font-size:16px;">${greeting}</p>
    <p style="margin:0 0 24px;font-size:15px;line-height:1.5;">${lead}</p>
    <p style="margin:0 0 24px;"><a href="${input.url}" style="display:inline-block;background:#2f6fdf;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 22px;border-radius:6px;">${tr('button')}</a></p>
    <p style="margin:0 0 8px;font-size:13px;color:#5f6b7a;">${tr('paste')}</p>
    <p style="margin:0 0 24px;font-size:13px;word-break:break-all;"><a href="${input.url}" style="color:#2f6fdf;">${input.url}</a></p>
    <p style="margin:0 0 8px;font-size:13px;color:#5f6b7a;">${validity}</p>
    <p style="margin:0;font-size:13px;color:#5f6b7a;">${ignore}</p>
  </div>
  <p style="max-width:520px;margin:12px auto 0;font-size:12px;color:#8a94a3;text-align:center;">${tr('signature')}</p>
</body>
</html>`;
  return { subject: tr('subject'), text, html: body.toString() };
}
