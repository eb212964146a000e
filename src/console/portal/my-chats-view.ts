/**
 * The customer's chat accounts: those linked (with unlink), how to link another one with a one-time code (a
 * Telegram deep link, or the code to send to the bot), and their preferences (language, email copies of replies).
 */
import type { AccountLinking } from '../../channels/channel-module.ts';
import type { ChatAccount, RequesterPreferences } from '../../core/ports/help-center-port.ts';
import { LOCALES } from '../../core/locale.ts';
import type { PageCtx } from '../console-http.ts';
import { chk, html, sel, type SafeHtml } from '../html-template.ts';
import { layoutView } from '../layout-view.ts';
import { channelName, notice, timeTag } from '../view-parts.ts';

/** Each language named in itself, as language pickers do. */
const LANGUAGE_NAMES: Record<string, string> = { en: 'English', ja: '日本語', ru: 'Русский' };

export interface MyChatsPage {
  accounts: ChatAccount[];
  linking: AccountLinking[];
  code: { code: string; expiresAt: Date } | null;
  preferences: RequesterPreferences;
  email: string;
  emailAvailable: boolean;
  done?: string | null;
  error?: string | null;
}

function linkPanel(ctx: PageCtx, l: AccountLinking, code: { code: string; expiresAt: Date }, email: string): SafeHtml {
  const { tr } = ctx;
  const name = channelName(tr, l.platform);
  const deep = l.deepLink?.(code.code) ?? null;
  const handle = l.botHandle?.() ?? null;
  const message = l.codeMessage(code.code);
  return html`<li class="link-panel" data-platform="${l.platform}">
  <h3>${name}</h3>
  ${deep
    ? html`<p><a class="btn btn-primary deep-link" href="${deep}" target="_blank" rel="noopener noreferrer">${tr('portal:chats.open_app', { app: name })}</a></p>
      <p class="hint">${tr('portal:chats.deep_link_hint', { app: name })}</p>`
    : ''}
  <p>${handle ? tr('portal:chats.send_to_handle', { app: name, handle }) : tr('portal:chats.send_to_bot', { app: name })}</p>
  <p class="code" data-code-message>${message}</p>
  ${l.linksByProfileEmail ? html`<p class="hint">${tr('portal:chats.profile_email', { app: name, email })}</p>` : ''}
</li>`;
}

export function myChatsView(ctx: PageCtx, v: MyChatsPage): SafeHtml {
  const { tr, locale } = ctx;
  const accounts = v.accounts.length
    ? html`<ul class="mini-list accounts">${v.accounts.map(
        (a) => html`<li class="account" data-platform="${a.platform}">
          <span><strong>${channelName(tr, a.platform)}</strong> · ${a.displayName}</span>
          <span class="muted small">${tr('portal:chats.linked_since')} ${timeTag(locale, a.createdAt)}</span>
          <form method="post" action="/my/chats/${a.id}/unlink" class="inline">
            <input type="hidden" name="_csrf" value="${ctx.csrf}">
            <button type="submit" class="btn btn-small">${tr('portal:chats.unlink')}</button>
          </form>
        </li>`,
      )}</ul>`
    : html`<p class="muted">${tr('portal:chats.none_linked')}</p>`;
  const linking = v.linking.length && v.code
    ? html`<p>${tr('portal:chats.code_lead')}</p>
      <ul class="link-panels">${v.linking.map((l) => linkPanel(ctx, l, v.code!, v.email))}</ul>
      <p class="muted small">${tr('portal:chats.code_expires')} ${timeTag(locale, v.code.expiresAt)}. ${tr('portal:chats.code_once')}</p>`
    : html`<p class="muted">${tr('portal:chats.no_channels')}</p>`;
  const p = v.preferences;
  // Until the person chooses, the pages follow the browser: the picker shows that language, not a stored default.
  const shownLocale = p.localeChosen ? p.locale : locale;
  const body = html`<div class="page-head"><h1>${tr('portal:chats.title')}</h1></div>
${notice('ok', v.done)}${notice('error', v.error)}
<section class="card" aria-labelledby="linked-title">
  <h2 id="linked-title">${tr('portal:chats.linked')}</h2>
  ${accounts}
</section>
<section class="card" aria-labelledby="link-title">
  <h2 id="link-title">${tr('portal:chats.link_title')}</h2>
  ${linking}
</section>
<section class="card" aria-labelledby="prefs-title">
  <h2 id="prefs-title">${tr('portal:prefs.title')}</h2>
  <form method="post" action="/my/preferences" class="stack-sm">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <div class="field">
      <label for="pref-locale">${tr('portal:prefs.language')}</label>
      <select id="pref-locale" name="locale">
        ${LOCALES.map((l) => html`<option value="${l}" lang="${l}"${sel(shownLocale === l)}>${LANGUAGE_NAMES[l] ?? l}</option>`)}
      </select>
      <p class="hint">${tr('portal:prefs.language_hint')}</p>
    </div>
    <div class="field field-check">
      <label><input type="checkbox" name="emailReplies" value="1"${chk(p.emailReplies)}> ${tr('portal:prefs.email_replies', { email: v.email })}</label>
      ${v.emailAvailable ? '' : html`<p class="hint">${tr('portal:prefs.email_off')}</p>`}
    </div>
    <button type="submit" class="btn">${tr('portal:prefs.save')}</button>
  </form>
</section>`;
  return layoutView(ctx, { title: tr('portal:chats.title'), body, active: 'my_chats' });
}
