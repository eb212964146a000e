/** The sign-in form and the invitation form (an invited agent sets a first password). */
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { notice } from './view-parts.ts';

export function loginView(ctx: PageCtx, v: { email: string; next: string; error?: string | null; info?: string | null }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="login-title">
  <h1 id="login-title">${tr('login.title')}</h1>
  <p class="muted">${tr('login.lead')}</p>
  ${notice('error', v.error)}${notice('ok', v.info)}
  <form method="post" action="/login" class="stack">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <input type="hidden" name="next" value="${v.next}">
    <div class="field">
      <label for="login-email">${tr('login.email')}</label>
      <input id="login-email" name="email" type="email" autocomplete="username" required value="${v.email}"${v.email ? '' : html` autofocus`}>
    </div>
    <div class="field">
      <label for="login-password">${tr('login.password')}</label>
      <input id="login-password" name="password" type="password" autocomplete="current-password" required${v.email ? html` autofocus` : ''}>
    </div>
    <button type="submit" class="btn btn-primary btn-block">${tr('login.submit')}</button>
  </form>
  <p class="hint">${tr('login.no_password')}</p>
</section>`;
  return layoutView(ctx, { title: tr('login.title'), body });
}

export function inviteView(ctx: PageCtx, v: { token: string; error?: string | null }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="invite-title">
  <h1 id="invite-title">${tr('invite.title')}</h1>
  <p class="muted">${tr('invite.lead')}</p>
  ${notice('error', v.error)}
  <form method="post" action="/invite/${encodeURIComponent(v.token)}" class="stack">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <div class="field">
      <label for="invite-password">${tr('invite.password')}</label>
      <input id="invite-password" name="password" type="password" autocomplete="new-password" minlength="10" required aria-describedby="invite-password-hint" autofocus>
      <p class="hint" id="invite-password-hint">${tr('invite.password_hint')}</p>
    </div>
    <div class="field">
      <label for="invite-confirm">${tr('invite.confirm')}</label>
      <input id="invite-confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required>
    </div>
    <button type="submit" class="btn btn-primary btn-block">${tr('invite.submit')}</button>
  </form>
</section>`;
  return layoutView(ctx, { title: tr('invite.title'), body });
}
