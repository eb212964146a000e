/** Pages for what went wrong: not found, refused form, too many attempts, server error. */
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';

export function errorPageView(ctx: PageCtx, v: { title: string; message: string }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="error-title">
  <h1 id="error-title">${v.title}</h1>
  <p>${v.message}</p>
  <p>${ctx.agent
    ? html`<a class="btn" href="/tickets">${tr('error.back_to_queue')}</a>`
    : ctx.customer
      ? html`<a class="btn" href="/my/tickets">${tr('portal:error.back_to_activity')}</a>`
      : html`<a class="btn" href="/login">${tr('error.back_to_login')}</a>`}</p>
</section>`;
  return layoutView(ctx, { title: v.title, body });
}
