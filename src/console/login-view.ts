/** The sign-in form and the invitation form (an invited agent sets a first password). */
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { notice } from './view-parts.ts';

export interface LoginPage {
  email: string;
  next: string;
  error?: string | null;
  info?: string | null;
  /** Whether customers can get a sign-in link (a mail server is configured). */
  emailSignIn: boolean;
  customer?: { email?: string; error?: string | null; status?: number };
  /** Nobody can sign in yet: the first run's setup is offered. */
  setup?: boolean;
}

/** One page for both: agents with their password, customers with a link sent to their email address. */
export function loginView(ctx: PageCtx, v: LoginPage): SafeHtml {
  const { tr } = ctx;
  const c = v.customer ?? {};
  const focusAgent = Boolean(v.email || v.error);
  const customerPart = v.emailSignIn
    ? html`<form method="post" action="/login/email" class="stack" id="link-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <input type="hidden" name="next" value="${v.next}">
    <div class="field">
      <label for="link-email">${tr('portal:login.link_email')}</label>
      <input id="link-email" name="email" type="email" autocomplete="email" required maxlength="254" value="${c.email ?? ''}"${c.error ? html` autofocus aria-invalid="true"` : ''}>
    </div>
    <button type="submit" class="btn btn-block">${tr('portal:login.link_submit')}</button>
  </form>
  <p class="hint">${tr('portal:login.link_hint', { minutes: 15 })}</p>`
    : html`<p class="notice notice-info" role="note">${tr('portal:login.link_unavailable')}</p>`;
  const body = html`<section class="auth-card" aria-labelledby="login-title">
  <h1 id="login-title">${tr('login.title')}</h1>
  <p class="muted">${tr('portal:login.lead')}</p>
  ${notice('error', v.error)}${notice('ok', v.info)}
  ${v.setup ? html`<p class="notice notice-info" role="note" id="setup-offer">${tr('work:setup.offer')} <a href="/setup">${tr('work:setup.offer_link')}</a></p>` : ''}
  <h2 class="auth-part">${tr('portal:login.agents')}</h2>
  <form method="post" action="/login" class="stack" id="password-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <input type="hidden" name="next" value="${v.next}">
    <div class="field">
      <label for="login-email">${tr('login.email')}</label>
      <input id="login-email" name="email" type="email" autocomplete="username" required value="${v.email}"${!focusAgent && !c.error ? html` autofocus` : ''}>
    </div>
    <div class="field">
      <label for="login-password">${tr('login.password')}</label>
      <input id="login-password" name="password" type="password" autocomplete="current-password" required${focusAgent ? html` autofocus` : ''}>
    </div>
    <button type="submit" class="btn btn-primary btn-block">${tr('login.submit')}</button>
  </form>
  <p class="hint">${tr('login.no_password')}</p>
  <section class="auth-customer" aria-labelledby="customer-title">
    <h2 class="auth-part" id="customer-title">${tr('portal:login.customers')}</h2>
    <p class="muted">${tr('portal:login.customers_lead')}</p>
    ${notice('error', c.error)}
    ${customerPart}
  </section>
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
