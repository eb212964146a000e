/** Pages for what went wrong: not found, refused form, too many attempts, server error. */
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';

export function errorPageView(ctx: PageCtx, v: { title: string; message: string }): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="error-title">
  <h1 id="error-title">${v.title}</h1>
  <p>${v.message}</p>
  <p><a class="btn" href="${ctx.agent ? '/tickets' : '/login'}">${ctx.agent ? tr('error.back_to_queue') : tr('error.back_to_login')}</a></p>
</section>`;
  return layoutView(ctx, { title: v.title, body });
}
