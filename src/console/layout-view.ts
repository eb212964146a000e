/**
 * The page shell: language, title, the header with navigation and sign-out (an agent's or a customer's), and the
 * page's own content. `minimal` leaves the header bare, for pages whose one form must be the only one.
 */
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { ASSET_VERSION } from './asset-routes.ts';

export function layoutView(
  ctx: PageCtx,
  page: { title: string; body: SafeHtml; active?: 'queue' | 'new' | 'my_tickets' | 'my_chats' | null; wide?: boolean; minimal?: boolean },
): SafeHtml {
  const { tr, agent, customer } = ctx;
  const current = (k: typeof page.active) => (page.active === k ? html` aria-current="page"` : '');
  const signOut = html`<form method="post" action="/logout" class="inline">
          <input type="hidden" name="_csrf" value="${ctx.csrf}">
          <button type="submit" class="btn btn-quiet">${tr('nav.sign_out')}</button>
        </form>`;
  const nav = page.minimal
    ? html``
    : customer
    ? html`<nav class="top-nav" aria-label="${tr('nav.label')}">
        <a href="/my/tickets"${current('my_tickets')}>${tr('portal:nav.my_activity')}</a>
        <a href="/my/chats"${current('my_chats')}>${tr('portal:nav.my_chats')}</a>
      </nav>
      <div class="who">
        <span class="who-name">${customer.name}</span>
        ${signOut}
      </div>`
    : agent
    ? html`<nav class="top-nav" aria-label="${tr('nav.label')}">
        <a href="/tickets"${page.active === 'queue' ? html` aria-current="page"` : ''}>${tr('nav.queue')}</a>
        <a href="/tickets/new"${page.active === 'new' ? html` aria-current="page"` : ''}>${tr('nav.new_ticket')}</a>
      </nav>
      <div class="who">
        <span class="who-name">${agent.name}</span>
        ${signOut}
      </div>`
    : html``;
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${tr('app.name')}</title>
<link rel="stylesheet" href="/console/assets/console.css?v=${ASSET_VERSION}">
<script src="/console/assets/console.js?v=${ASSET_VERSION}" defer></script>
</head>
<body${agent || customer ? '' : html` class="signed-out"`}>
<a class="skip-link" href="#main">${tr('nav.skip')}</a>
<header class="top-bar">
  <a class="brand" href="${agent ? '/tickets' : customer ? '/my/tickets' : '/login'}"><span class="brand-mark" aria-hidden="true">◆</span> ${tr('app.name')}</a>
  ${nav}
</header>
<main id="main" tabindex="-1" class="${page.wide ? 'main main-wide' : 'main'}">
${page.body}
</main>
<div id="live-announcer" class="visually-hidden" aria-live="polite" data-updated-text="${tr('live.updated')}"></div>
</body>
</html>`;
}
