/**
 * Signing in and out, and accepting an invitation. Unknown email and wrong password get the same answer after
 * the same work (verifyPassword hashes even when there is no stored hash); five failures for one email from one
 * address within 15 minutes stop further tries for that pair.
 */
import type { FastifyInstance } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import { verifyPassword } from '../infra/passwords.ts';
import { field, pageCtx, safeNext, sendPage, type ConsoleKit } from './console-http.ts';
import { inviteView, loginView } from './login-view.ts';
import { SESSION_MAX_MS, SIGN_IN_MAX_FAILURES, SIGN_IN_WINDOW_MS } from './session-store.ts';
import { errorText } from './view-parts.ts';

export function signInRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { sessions, deps } = kit;

  app.get('/login', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    if (req.consoleSession?.agent) return reply.redirect(safeNext(q.next), 303);
    const ctx = pageCtx(req, reply, kit);
    const info = q.invited === '1' ? ctx.tr('login.password_set') : q.signed_out === '1' ? ctx.tr('login.signed_out') : null;
    return sendPage(reply, 200, loginView(ctx, { email: '', next: safeNext(q.next), info }));
  });

  // The per-address limit is a second line behind the per-email throttle: it stops one address from trying
  // many emails quickly.
  app.post('/login', { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (req, reply) => {
    const email = field(req.body, 'email', 320).trim();
    const password = field(req.body, 'password', 1000);
    const next = safeNext(field(req.body, 'next', 500));
    const key = sessions.signInKey(email, req.ip);
    if ((await sessions.recentFailures(key)) >= SIGN_IN_MAX_FAILURES) {
      const ctx = pageCtx(req, reply, kit);
      reply.header('retry-after', String(SIGN_IN_WINDOW_MS / 1000));
      return sendPage(reply, 429, loginView(ctx, { email, next, error: ctx.tr('login.throttled', { minutes: SIGN_IN_WINDOW_MS / 60_000 }) }));
    }
    const creds = email ? await deps.store.findStaffCredentials(email) : null;
    const ok = await verifyPassword(password, creds?.passwordHash ?? null);
    if (!ok || !creds) {
      await sessions.recordFailure(key);
      const ctx = pageCtx(req, reply, kit);
      return sendPage(reply, 401, loginView(ctx, { email, next, error: ctx.tr('login.failed') }));
    }
    await sessions.clearFailures(key);
    if (req.consoleSession?.idHash) await sessions.destroy(req.consoleSession.idHash);
    const { cookieValue } = await sessions.create(creds.user.id);
    reply.setCookie(kit.cookies.session, cookieValue, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: kit.cookies.secure,
      maxAge: SESSION_MAX_MS / 1000,
    });
    reply.clearCookie(kit.cookies.csrf, { path: '/' });
    req.log.info({ agentId: creds.user.id }, 'console sign-in');
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.consoleSession?.idHash) await sessions.destroy(req.consoleSession.idHash);
    reply.clearCookie(kit.cookies.session, { path: '/' });
    return reply.redirect('/login?signed_out=1', 303);
  });

  app.get('/invite/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    return sendPage(reply, 200, inviteView(pageCtx(req, reply, kit), { token }));
  });

  app.post('/invite/:token', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const password = field(req.body, 'password', 1000);
    const confirm = field(req.body, 'confirm', 1000);
    const ctx = pageCtx(req, reply, kit);
    if (password !== confirm) return sendPage(reply, 400, inviteView(ctx, { token, error: ctx.tr('invite.mismatch') }));
    try {
      await deps.directory.acceptInvitation(token, password);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      const text = e.code === 'validation_failed' ? ctx.tr('invite.password_hint') : errorText(ctx.tr, e.code);
      return sendPage(reply, DOMAIN_ERROR_STATUS[e.code], inviteView(ctx, { token, error: text }));
    }
    return reply.redirect('/login?invited=1', 303);
  });
}
