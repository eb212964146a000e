/**
 * Customers signing in by email: POST /login/email queues a one-time link (the same answer whether or not the
 * address has an account), GET /login/link/<token> shows a confirmation, and only its POST signs in, with a new
 * session of the end-user kind. Both throttled: per address and per client address for the mail (so nobody can
 * flood a mailbox or the mail server), per client address for the link.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../core/errors.ts';
import { EMAIL_RE } from '../../core/tickets/ticket-service.ts';
import { SIGN_IN_LINK_PATH } from '../../core/help-center/sign-in-service.ts';
import { field, pageCtx, safeNext, sendPage, startSession, type ConsoleKit } from '../console-http.ts';
import { loginView } from '../login-view.ts';
import { throttleKey } from '../throttle-key.ts';
import { linkConfirmView, linkRefusedView, linkSentView } from './sign-in-link-views.ts';

const WINDOW_MS = 15 * 60_000;
/** Links one address may be sent per window: enough for a lost mail or two, too few to flood a mailbox. */
export const LINKS_PER_ADDRESS = 3;
/** Link requests one client address may make per window, whatever addresses it types. */
export const LINKS_PER_CLIENT = 20;

const REFUSALS = { link_code_invalid: 'invalid', link_code_expired: 'expired', link_code_used: 'used' } as const;
const REFUSAL_STATUS = { invalid: 400, expired: 410, used: 409 } as const;

export function emailSignInRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { signIn } = kit.deps;

  function refuse(req: FastifyRequest, reply: FastifyReply, reason: 'invalid' | 'expired' | 'used') {
    return sendPage(reply, REFUSAL_STATUS[reason], linkRefusedView(pageCtx(req, reply, kit), { reason }));
  }

  app.post('/login/email', { config: { audience: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (req, reply) => {
    const email = field(req.body, 'email', 320).trim();
    const next = safeNext(field(req.body, 'next', 500), '');
    const ctx = pageCtx(req, reply, kit);
    const again = (status: number, error: string, retryAfter?: number) => {
      if (retryAfter) reply.header('retry-after', String(retryAfter));
      return sendPage(reply, status, loginView(ctx, { email: '', next, emailSignIn: signIn.emailAvailable, customer: { email, error } }));
    };
    // Not a fault of the request nor of the service: the page says so (no 5xx for a feature that is switched off).
    if (!signIn.emailAvailable) return again(200, ctx.tr('portal:login.link_unavailable'));
    if (!EMAIL_RE.test(email.toLowerCase()) || email.length > 254) return again(400, ctx.tr('error.invalid_email'));
    for (const [key, limit] of [[throttleKey('link-client', req.ip), LINKS_PER_CLIENT], [throttleKey('link-address', email.toLowerCase()), LINKS_PER_ADDRESS]] as const) {
      const a = await kit.throttle.admit(key, limit, WINDOW_MS);
      if (!a.admitted) return again(429, ctx.tr('portal:login.link_throttled', { minutes: Math.ceil(a.retryAfterSeconds / 60) }), a.retryAfterSeconds);
    }
    await signIn.requestByEmail(email, { locale: ctx.locale, next: next || null });
    return sendPage(reply, 200, linkSentView(ctx, { email }));
  });

  app.get('/login/link/:token', { config: { audience: 'public' } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const state = await signIn.check(token);
    if (state !== 'valid') return refuse(req, reply, state);
    reply.header('referrer-policy', 'no-referrer');
    return sendPage(reply, 200, linkConfirmView(pageCtx(req, reply, kit), { path: `${SIGN_IN_LINK_PATH}${encodeURIComponent(token)}` }));
  });

  app.post('/login/link/:token', { config: { audience: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    let signedIn: Awaited<ReturnType<typeof signIn.redeem>>;
    try {
      signedIn = await signIn.redeem(token);
    } catch (e) {
      if (isDomainError(e) && e.code in REFUSALS) return refuse(req, reply, REFUSALS[e.code as keyof typeof REFUSALS]);
      throw e;
    }
    await startSession(req, reply, kit, signedIn.user.id, 'end_user');
    req.log.info({ userId: signedIn.user.id }, 'help center: customer signed in by email link');
    return reply.redirect(safeNext(signedIn.next, '/my/tickets'), 303);
  });
}
