/**
 * First run and administration.
 *
 * First run: while no agent can sign in (nobody but the API's pseudo-user), `/setup` offers to create the first
 * admin, once: from the machine itself (loopback, with no proxy header), or from anywhere with the one-time setup
 * token the service prints in its log at start. "Once" holds across instances: the creation is admitted by the
 * shared throttle row (one admission, ever), so two people racing cannot both make an admin.
 *
 * Admin page (`/admin`, admins only; an agent gets 403): agents (invite, deactivate and reactivate, revoke API
 * tokens), services (list, add), and the service chosen for each group chat or channel (the Telegram groups and
 * the others).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, isDomainError } from '../core/errors.ts';
import type { ApiTokenRecord } from '../core/ports/access-port.ts';
import type { ChatConfigInfo } from '../core/ports/console-port.ts';
import type { UserRecord } from '../core/ports/store-port.ts';
import { EMAIL_RE } from '../core/tickets/ticket-service.ts';
import { actorOf, field, pageCtx, sendPage, startSession, type ConsoleKit, type PageCtx } from './console-http.ts';
import { errorPageView } from './error-view.ts';
import { html, sel, type SafeHtml } from './html-template.ts';
import { layoutView } from './layout-view.ts';
import { UUID_RE } from '../core/text-rules.ts';
import { channelName, errorText, notice, timeTag } from './view-parts.ts';

const SETUP_KEY = 'setup:first-admin';
const FOREVER_MS = 100 * 365 * 86_400_000;
const MIN_PASSWORD = 10;

function isLoopback(req: FastifyRequest): boolean {
  const h = req.headers;
  if (h['x-forwarded-for'] || h['forwarded'] || h['x-real-ip']) return false; // a proxy on this machine is not "this machine"
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface SetupForm {
  name: string;
  email: string;
  error?: string | null;
  needsToken: boolean;
}

function setupView(ctx: PageCtx, v: SetupForm): SafeHtml {
  const { tr } = ctx;
  const body = html`<section class="auth-card" aria-labelledby="setup-title">
  <h1 id="setup-title">${tr('work:setup.title')}</h1>
  <p class="muted">${tr('work:setup.lead')}</p>
  ${notice('error', v.error)}
  <form method="post" action="/setup" class="stack" id="setup-form">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <div class="field"><label for="setup-name">${tr('field.name')}</label><input id="setup-name" type="text" name="name" required maxlength="200" value="${v.name}" autocomplete="name"></div>
    <div class="field"><label for="setup-email">${tr('field.email')}</label><input id="setup-email" name="email" type="email" required maxlength="254" value="${v.email}" autocomplete="username"></div>
    <div class="field"><label for="setup-password">${tr('invite.password')}</label><input id="setup-password" name="password" type="password" required minlength="${MIN_PASSWORD}" autocomplete="new-password"><p class="hint">${tr('invite.password_hint')}</p></div>
    <div class="field"><label for="setup-confirm">${tr('invite.confirm')}</label><input id="setup-confirm" name="confirm" type="password" required minlength="${MIN_PASSWORD}" autocomplete="new-password"></div>
    ${v.needsToken
      ? html`<div class="field"><label for="setup-token">${tr('work:setup.token')}</label><input id="setup-token" type="text" name="token" required maxlength="200" autocomplete="off"><p class="hint">${tr('work:setup.token_hint')}</p></div>`
      : html`<p class="hint">${tr('work:setup.loopback')}</p>`}
    <button type="submit" class="btn btn-primary btn-block">${tr('work:setup.submit')}</button>
  </form>
</section>`;
  return layoutView(ctx, { title: tr('work:setup.title'), body });
}

interface AdminData {
  agents: { user: UserRecord; tokens: ApiTokenRecord[] }[];
  services: { id: string; name: string; description: string | null }[];
  chats: ChatConfigInfo[];
  invitation?: { email: string; url: string } | null;
  done?: string | null;
  error?: string | null;
}

function adminView(ctx: PageCtx, d: AdminData): SafeHtml {
  const { tr } = ctx;
  const me = ctx.agent!;
  const csrf = html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
  const agentRows = d.agents.map(
    ({ user: u, tokens }) => html`<tr data-agent="${u.id}">
      <td><strong>${u.name}</strong><div class="muted small">${u.email}</div></td>
      <td>${tr(`work:admin.role_${u.role === 'admin' ? 'admin' : 'agent'}`)}</td>
      <td>${u.active ? tr('work:admin.active') : html`<span class="badge badge-danger">${tr('work:admin.inactive')}</span>`}</td>
      <td>${tokens.filter((t) => !t.revokedAt).length
        ? html`<ul class="mini-list">${tokens.filter((t) => !t.revokedAt).map(
            (t) => html`<li>${t.label} <span class="muted small">${tr('work:admin.token_used')} ${t.lastUsedAt ? timeTag(ctx.locale, t.lastUsedAt) : '—'}</span>
              <form method="post" action="/admin/agents/${u.id}/tokens/${t.id}/revoke" class="inline">${csrf}<button type="submit" class="btn btn-small">${tr('work:admin.revoke')}</button></form></li>`,
          )}</ul>`
        : html`<span class="muted">—</span>`}</td>
      <td>${u.id === me.id
        ? html`<span class="muted small">${tr('work:admin.you')}</span>`
        : html`<form method="post" action="/admin/agents/${u.id}/${u.active ? 'deactivate' : 'reactivate'}" class="inline">${csrf}<button type="submit" class="btn btn-small">${tr(u.active ? 'work:admin.deactivate' : 'work:admin.reactivate')}</button></form>`}</td>
    </tr>`,
  );
  const body = html`<div class="page-head"><h1>${tr('work:admin.title')}</h1></div>
${notice('ok', d.done)}${notice('error', d.error)}
${d.invitation ? html`<div class="notice notice-ok" role="status" id="invitation">${tr('work:admin.invitation_made', { email: d.invitation.email })} <code class="invite-url">${d.invitation.url}</code></div>` : ''}
<section class="card" aria-labelledby="agents-title">
  <h2 id="agents-title">${tr('work:admin.agents')}</h2>
  <div class="table-scroll"><table class="admin-table">
    <thead><tr><th scope="col">${tr('field.name')}</th><th scope="col">${tr('work:admin.role')}</th><th scope="col">${tr('work:admin.state')}</th><th scope="col">${tr('work:admin.tokens')}</th><th scope="col"><span class="visually-hidden">${tr('work:admin.actions')}</span></th></tr></thead>
    <tbody>${agentRows}</tbody>
  </table></div>
  <h3>${tr('work:admin.invite')}</h3>
  <form method="post" action="/admin/agents" class="filters" id="invite-form">${csrf}
    <div class="field"><label for="inv-name">${tr('field.name')}</label><input id="inv-name" type="text" name="name" required maxlength="200"></div>
    <div class="field"><label for="inv-email">${tr('field.email')}</label><input id="inv-email" name="email" type="email" required maxlength="254"></div>
    <div class="filter-actions"><button type="submit" class="btn btn-primary">${tr('work:admin.invite_submit')}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="services-title">
  <h2 id="services-title">${tr('work:admin.services')}</h2>
  <ul class="mini-list">${d.services.map((s) => html`<li><strong>${s.name}</strong>${s.description ? html` <span class="muted">${s.description}</span>` : ''}</li>`)}</ul>
  <form method="post" action="/admin/services" class="filters" id="service-form">${csrf}
    <div class="field"><label for="svc-name">${tr('field.name')}</label><input id="svc-name" type="text" name="name" required maxlength="200"></div>
    <div class="field field-grow"><label for="svc-desc">${tr('field.description')}</label><input id="svc-desc" type="text" name="description" maxlength="1000"></div>
    <div class="filter-actions"><button type="submit" class="btn">${tr('work:admin.add_service')}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="chats-title">
  <h2 id="chats-title">${tr('work:admin.chats')}</h2>
  <p class="hint">${tr('work:admin.chats_hint')}</p>
  ${d.chats.length
    ? html`<div class="table-scroll"><table class="admin-table">
      <thead><tr><th scope="col">${tr('field.channel')}</th><th scope="col">${tr('work:admin.chat')}</th><th scope="col">${tr('field.service')}</th></tr></thead>
      <tbody>${d.chats.map(
        (c) => html`<tr><td>${channelName(tr, c.platform)}</td><td><code>${c.chatId}</code>${c.workspaceId && c.workspaceId !== c.chatId ? html` <span class="muted small">${c.workspaceId}</span>` : ''}</td>
        <td><form method="post" action="/admin/chats" class="inline">${csrf}
          <input type="hidden" name="platform" value="${c.platform}"><input type="hidden" name="workspace" value="${c.workspaceId}"><input type="hidden" name="chat" value="${c.chatId}">
          <label class="visually-hidden" for="chat-${c.platform}-${c.chatId}">${tr('field.service')}</label>
          <select id="chat-${c.platform}-${c.chatId}" name="service">${d.services.map((s) => html`<option value="${s.id}"${sel(c.service?.id === s.id)}>${s.name}</option>`)}</select>
          <button type="submit" class="btn btn-small">${tr('ticket.save')}</button></form></td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">${tr('work:admin.no_chats')}</p>`}
</section>`;
  return layoutView(ctx, { title: tr('work:admin.title'), body, active: 'admin', wide: true });
}

export function adminRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;
  const setupToken = randomBytes(18).toString('base64url');
  let setupDone = false;

  async function needsSetup(): Promise<boolean> {
    if (setupDone) return false;
    const none = (await kit.queries.agents()).length === 0;
    if (!none) setupDone = true;
    return none;
  }

  app.addHook('onReady', async () => {
    try {
      if (await needsSetup())
        deps.logger.warn({ setupUrl: `${deps.publicUrl}/setup`, setupToken }, 'No agent can sign in yet: open /setup to create the first admin (from this machine, or anywhere with this one-time setup token)');
    } catch (err) {
      deps.logger.warn({ err }, 'console: could not tell whether the first admin exists');
    }
  });

  function gone(req: FastifyRequest, reply: FastifyReply) {
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, 404, errorPageView(ctx, { title: ctx.tr('error.not_found_title'), message: ctx.tr('work:setup.done') }));
  }

  app.get('/setup', { config: { audience: 'public' } }, async (req, reply) => {
    if (!(await needsSetup())) return gone(req, reply);
    return sendPage(reply, 200, setupView(pageCtx(req, reply, kit), { name: '', email: '', needsToken: !isLoopback(req) }));
  });

  app.post('/setup', { config: { audience: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    if (!(await needsSetup())) return gone(req, reply);
    const name = field(req.body, 'name', 200).trim();
    const email = field(req.body, 'email', 254).trim().toLowerCase();
    const password = field(req.body, 'password', 1000);
    const needsToken = !isLoopback(req);
    const form = { name, email, needsToken };
    const ctx = pageCtx(req, reply, kit);
    const refuse = (status: number, key: string) => sendPage(reply, status, setupView(ctx, { ...form, error: ctx.tr(key) }));
    if (needsToken && !sameSecret(field(req.body, 'token', 200), setupToken)) return refuse(403, 'work:setup.bad_token');
    if (!name || !EMAIL_RE.test(email)) return refuse(400, 'work:setup.bad_fields');
    if (password.length < MIN_PASSWORD) return refuse(400, 'invite.password_hint');
    if (password !== field(req.body, 'confirm', 1000)) return refuse(400, 'invite.mismatch');
    // One admission ever, shared by every instance: the first admin is made once.
    const admitted = await kit.throttle.admit(SETUP_KEY, 1, FOREVER_MS);
    if (!admitted.admitted) return gone(req, reply);
    let user: UserRecord;
    try {
      const passwordHash = await deps.hashPassword(password);
      const r = await deps.store.findOrInsertUser({ email, name, role: 'admin', passwordHash });
      if (!r.created) throw new DomainError('email_taken', 'that email belongs to someone already');
      user = r.user;
    } catch (e) {
      await kit.throttle.clear(SETUP_KEY);
      if (isDomainError(e)) return refuse(409, 'error.email_taken');
      throw e;
    }
    setupDone = true;
    req.log.info({ adminId: user.id }, 'console: first admin created');
    await startSession(req, reply, kit, user.id, 'agent');
    return reply.redirect('/admin?done=setup', 303);
  });

  /** Admins only: an agent is told plainly that this needs the admin role. */
  function admin(req: FastifyRequest): void {
    if (actorOf(req).role !== 'admin') throw new DomainError('forbidden', 'the admin page needs the admin role');
  }

  async function data(req: FastifyRequest): Promise<AdminData> {
    const actor = actorOf(req);
    const hidden = new Set((await kit.queries.agents()).map((a) => a.id));
    const page = await deps.access.listAgents(actor, { limit: 200, cursor: null });
    // Inactive agents are listed too (to be reactivated); the API's pseudo-user never (it is not a person).
    const people = page.items.filter((u) => hidden.has(u.id) || !u.active);
    const agents = await Promise.all(people.map(async (u) => ({ user: u, tokens: await deps.access.listTokens(actor, u.id) })));
    const [services, chats] = await Promise.all([deps.directory.listServices(), kit.queries.chatConfigs()]);
    return { agents, services, chats };
  }

  const DONE = new Set(['setup', 'invited', 'deactivated', 'reactivated', 'revoked', 'service', 'chat']);
  app.get('/admin', async (req, reply) => {
    admin(req);
    const d = await data(req);
    const ctx = pageCtx(req, reply, kit);
    const q = (req.query as Record<string, unknown>).done;
    return sendPage(reply, 200, adminView(ctx, { ...d, done: typeof q === 'string' && DONE.has(q) ? ctx.tr(`work:admin.done_${q}`) : null }));
  });

  async function again(req: FastifyRequest, reply: FastifyReply, e: unknown) {
    if (!isDomainError(e)) throw e;
    const ctx = pageCtx(req, reply, kit);
    const status = e.code === 'forbidden' ? 403 : e.code === 'email_taken' ? 409 : e.code.endsWith('not_found') ? 404 : 400;
    return sendPage(reply, status, adminView(ctx, { ...(await data(req)), error: errorText(ctx.tr, e.code) }));
  }

  app.post('/admin/agents', async (req, reply) => {
    admin(req);
    const name = field(req.body, 'name', 200).trim();
    const email = field(req.body, 'email', 254).trim();
    try {
      if (!name) throw new DomainError('validation_failed', 'a name is needed', 'name');
      const agent = await deps.directory.createAgent({ email, name });
      const { token } = await deps.directory.createInvitation(agent.id);
      const ctx = pageCtx(req, reply, kit);
      return sendPage(reply, 201, adminView(ctx, { ...(await data(req)), invitation: { email: agent.email, url: `${deps.publicUrl}/invite/${token}` } }));
    } catch (e) {
      return again(req, reply, e);
    }
  });

  for (const [action, active] of [['deactivate', false], ['reactivate', true]] as const) {
    app.post(`/admin/agents/:id/${action}`, async (req, reply) => {
      admin(req);
      const { id } = req.params as { id: string };
      if (!UUID_RE.test(id)) return again(req, reply, new DomainError('user_not_found', 'no such agent'));
      try {
        await deps.access.setActive(actorOf(req), id, active);
      } catch (e) {
        return again(req, reply, e);
      }
      return reply.redirect(`/admin?done=${action}d`, 303);
    });
  }

  app.post('/admin/agents/:id/tokens/:tokenId/revoke', async (req, reply) => {
    admin(req);
    const { id, tokenId } = req.params as { id: string; tokenId: string };
    if (!UUID_RE.test(id) || !UUID_RE.test(tokenId)) return again(req, reply, new DomainError('not_found', 'no such token'));
    try {
      await deps.access.revokeToken(actorOf(req), id, tokenId);
    } catch (e) {
      return again(req, reply, e);
    }
    return reply.redirect('/admin?done=revoked', 303);
  });

  app.post('/admin/services', async (req, reply) => {
    admin(req);
    const name = field(req.body, 'name', 200).trim();
    const description = field(req.body, 'description', 1000).trim();
    try {
      if (!name) throw new DomainError('validation_failed', 'a name is needed', 'name');
      await deps.directory.createService({ name, description: description || null });
    } catch (e) {
      return again(req, reply, e);
    }
    return reply.redirect('/admin?done=service', 303);
  });

  app.post('/admin/chats', async (req, reply) => {
    admin(req);
    const platform = field(req.body, 'platform', 40);
    const workspace = field(req.body, 'workspace', 200);
    const chat = field(req.body, 'chat', 200);
    const service = field(req.body, 'service', 40);
    // Only a chat that is already configured can be changed here, and only to a service that exists.
    const known = (await kit.queries.chatConfigs()).some((c) => c.platform === platform && c.workspaceId === workspace && c.chatId === chat);
    const services = await deps.directory.listServices();
    if (!known) return again(req, reply, new DomainError('not_found', 'no such chat'));
    if (!services.some((s) => s.id === service)) return again(req, reply, new DomainError('service_not_found', 'no such service'));
    await deps.store.setChatService(platform, workspace, chat, service);
    return reply.redirect('/admin?done=chat', 303);
  });
}
