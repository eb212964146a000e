/**
 * The page shell: language, title, the header with navigation and sign-out (an agent's or a customer's), and the
 * page's own content. `minimal` leaves the header bare, for pages whose one form must be the only one.
 */
import type { PageCtx } from './console-http.ts';
import { html, type SafeHtml } from './html-template.ts';
import { ASSET_VERSION } from './asset-routes.ts';

export function layoutView(
  ctx: PageCtx,
  page: {
    title: string;
    body: SafeHtml;
    active?: 'queue' | 'new' | 'my_tickets' | 'my_chats' | 'notifications' | 'admin' | null;
    wide?: boolean;
    minimal?: boolean;
    /** The ticket this page shows (the live stream then reports who else is on it). */
    ticket?: number;
  },
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
        <a href="/notifications" id="nav-notifications"${current('notifications')}>${tr('work:nav.notifications')} <span class="unread-badge" id="unread-count" hidden></span></a>
        ${agent.role === 'admin' ? html`<a href="/admin"${current('admin')}>${tr('work:nav.admin')}</a>` : ''}
        <button type="button" class="btn btn-quiet btn-small shortcuts-open" id="shortcuts-open" aria-haspopup="dialog" aria-keyshortcuts="?">${tr('work:nav.shortcuts')}</button>
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
${agent ? html`<meta name="tb-csrf" content="${ctx.csrf}">` : ''}
<title>${page.title} · ${tr('app.name')}</title>
<link rel="stylesheet" href="/console/assets/console.css?v=${ASSET_VERSION}">
<script src="/console/assets/console.js?v=${ASSET_VERSION}" defer></script>
</head>
<body${agent || customer ? '' : html` class="signed-out"`}${agent ? html` data-agent="1" data-agent-id="${agent.id}" data-unread-label="${tr('work:nav.unread_label')}"` : ''}${agent && page.ticket ? html` data-ticket="${page.ticket}"` : ''}>
<a class="skip-link" href="#main">${tr('nav.skip')}</a>
<header class="top-bar">
  <a class="brand" href="${agent ? '/tickets' : customer ? '/my/tickets' : '/login'}"><span class="brand-mark" aria-hidden="true">◆</span> ${tr('app.name')}</a>
  ${nav}
</header>
<main id="main" tabindex="-1" class="${page.wide ? 'main main-wide' : 'main'}">
${page.body}
</main>
<div id="live-announcer" class="visually-hidden" aria-live="polite" data-updated-text="${tr('live.updated')}"></div>
${agent ? shortcutsDialog(ctx) : ''}
</body>
</html>`;
}

/** The keyboard shortcuts, listed on "?" (the page script opens it; without script it is simply not shown). */
function shortcutsDialog(ctx: PageCtx): SafeHtml {
  const { tr } = ctx;
  const keys: [string, string][] = [
    ['?', 'work:keys.help'],
    ['g q', 'work:keys.queue'],
    ['g n', 'work:keys.notifications'],
    ['/', 'work:keys.search'],
    ['j / k', 'work:keys.move'],
    ['o / Enter', 'work:keys.open'],
    ['x', 'work:keys.select'],
    ['r', 'work:keys.reply'],
    ['n', 'work:keys.note'],
    ['m', 'work:keys.macro'],
    ['Ctrl+Enter', 'work:keys.send'],
    ['Esc', 'work:keys.close'],
  ];
  return html`<dialog id="shortcuts" class="shortcuts" aria-labelledby="shortcuts-title">
  <h2 id="shortcuts-title">${tr('work:keys.title')}</h2>
  <dl class="keys">${keys.map(([k, label]) => html`<dt><kbd>${k}</kbd></dt><dd>${tr(label)}</dd>`)}</dl>
  <form method="dialog"><button class="btn">${tr('work:keys.close_button')}</button></form>
</dialog>`;
}
