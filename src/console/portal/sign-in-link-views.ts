/** The pages of the email sign-in: "check your email", the link's confirmation, and a link that cannot work. */
import type { PageCtx } from '../console-http.ts';
import { html, type SafeHtml } from '../html-template.ts';
import { layoutView } from '../layout-view.ts';

export function linkSentView(ctx: PageCtx, v: { email: string }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="sent-title">
  <h1 id="sent-title">${tr('portal:sent.title')}</h1>
  <p role="status">${tr('portal:sent.body', { email: v.email, minutes: 15 })}</p>
  <p class="hint">${tr('portal:sent.hint')}</p>
  <p><a class="btn" href="/login">${tr('portal:sent.back')}</a></p>
</section>`;
  return layoutView(ctx, { title: tr('portal:sent.title'), body });
}

/**
 * Opening the link only shows this: one form, signing in when submitted. Mail scanners that open every link in a
 * mail therefore use nothing up. Bare header: the form is the page's only one.
 */
export function linkConfirmView(ctx: PageCtx, v: { path: string }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="confirm-title">
  <h1 id="confirm-title">${tr('portal:confirm.title')}</h1>
  <p>${tr('portal:confirm.body')}</p>
  <form method="post" action="${v.path}" class="stack">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <button type="submit" class="btn btn-primary btn-block" autofocus>${tr('portal:confirm.submit')}</button>
  </form>
</section>`;
  return layoutView(ctx, { title: tr('portal:confirm.title'), body, minimal: true });
}

export function linkRefusedView(ctx: PageCtx, v: { reason: 'invalid' | 'expired' | 'used' }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="refused-title">
  <h1 id="refused-title">${tr('portal:refused.title')}</h1>
  <p role="alert">${tr(`portal:refused.${v.reason}`)}</p>
  <p><a class="btn btn-primary" href="/login">${tr('portal:refused.again')}</a></p>
</section>`;
  return layoutView(ctx, { title: tr('portal:refused.title'), body, minimal: true });
}
