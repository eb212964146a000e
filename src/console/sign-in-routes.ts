/**
 * Agents signing in with their password, signing out (either kind), and accepting an invitation. Unknown email and
 * wrong password get the same answer after the same work (verifyPassword hashes even when there is no stored
 * hash). Each attempt for one email from one client address is admitted by the atomic throttle first (five per 15
 * minutes), so parallel guesses cannot all be evaluated; a successful sign-in forgives the failures before it.
 * The client address is the proxy's X-Forwarded-For only where TRUST_PROXY says to believe it.
 */
import type { FastifyInstance } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import { field, pageCtx, safeNext, sendPage, startSession, type ConsoleKit } from './console-http.ts';
import { inviteView, loginView } from './login-view.ts';
import { throttleKey } from './throttle-key.ts';
import { errorText } from './view-parts.ts';

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_MAX_ATTEMPTS = 5;

export function signInRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { sessions, deps } = kit;

  app.get('/login', { config: { audience: 'public' } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    if (req.consoleSession?.agent) return reply.redirect(safeNext(q.next), 303);
    if (req.consoleSession?.customer) return reply.redirect(safeNext(q.next, '/my/tickets'), 303);
    const ctx = pageCtx(req, reply, kit);
    const info = q.invited === '1' ? ctx.tr('login.password_set') : q.signed_out === '1' ? ctx.tr('login.signed_out') : null;
    // The first-run offer needs the database; the sign-in form does not (it answers 503 itself when posted).
    const setup = await kit.queries.agents().then((a) => a.length === 0, () => false);
    return sendPage(reply, 200, loginView(ctx, { email: '', next: safeNext(q.next, ''), info, emailSignIn: deps.signIn.emailAvailable, setup }));
  });

  // The per-address limit is a second line behind the per-email throttle: it stops one address from trying
  // many emails quickly.
  app.post('/login', { config: { audience: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (req, reply) => {
    const email = field(req.body, 'email', 320).trim();
    const password = field(req.body, 'password', 1000);
    const nextField = safeNext(field(req.body, 'next', 500), '');
    const view = { email, next: nextField, emailSignIn: deps.signIn.emailAvailable };
    const key = throttleKey('password', email.toLowerCase(), req.ip);
    const admission = await kit.throttle.admit(key, SIGN_IN_MAX_ATTEMPTS, SIGN_IN_WINDOW_MS);
    if (!admission.admitted) {
      const ctx = pageCtx(req, reply, kit);
      reply.header('retry-after', String(admission.retryAfterSeconds));
      return sendPage(reply, 429, loginView(ctx, { ...view, error: ctx.tr('login.throttled', { minutes: Math.ceil(admission.retryAfterSeconds / 60) }) }));
    }
    const creds = email ? await deps.store.findStaffCredentials(email) : null;
    const ok = await kit.deps.passwords.verify(password, creds?.passwordHash ?? null);
    if (!ok || !creds) {
      const ctx = pageCtx(req, reply, kit);
      return sendPage(reply, 401, loginView(ctx, { ...view, error: ctx.tr('login.failed') }));
    }
    await kit.throttle.clear(key);
    await startSession(req, reply, kit, creds.user.id, 'agent');
    req.log.info({ agentId: creds.user.id }, 'console sign-in');
    return reply.redirect(nextField || '/tickets', 303);
  });

  app.post('/logout', { config: { audience: 'any' } }, async (req, reply) => {
    if (req.consoleSession?.idHash) await sessions.destroy(req.consoleSession.idHash);
    reply.clearCookie(kit.cookies.session, { path: '/' });
    return reply.redirect('/login?signed_out=1', 303);
  });

  app.get('/invite/:token', { config: { audience: 'public' } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    return sendPage(reply, 200, inviteView(pageCtx(req, reply, kit), { token }));
  });

  app.post('/invite/:token', { config: { audience: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
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
