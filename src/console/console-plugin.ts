/**
 * The help center, agents' console and customers' pages, as one encapsulated fastify plugin: its cookie, form,
 * CSRF and rate-limit plugins, hooks and error handler apply to its own routes only, never to /api/v1 or the chat
 * channels.
 *
 * Every request loads its session from the cookie. A session is an agent's or an end user's, and every route says
 * whom it serves (`config.audience`; a route that says nothing is for agents only): without a session, pages
 * redirect to /login, keeping the wanted page in `next` (JSON answers 401); a session of the other kind gets 404,
 * as if the page did not exist. Every POST carries the form token of its session, checked by
 * @fastify/csrf-protection against the secret stored with that session, so a token from another session is
 * refused.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import { NUL_MESSAGE, nulPath } from '../core/text-rules.ts';
import { toLocale } from '../core/locale.ts';
import { isStaff } from '../core/tickets/ticket-types.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../http/errors.ts';
import { assetRoutes } from './asset-routes.ts';
import { localeOf, pageCtx, redirectToLogin, sendPage, SIGNED_OUT, trFor, type ConsoleDeps, type ConsoleKit, type ConsoleSessionState } from './console-http.ts';
import { emailSignInRoutes } from './portal/email-sign-in-routes.ts';
import { portalRoutes } from './portal/portal-routes.ts';
import { requesterTicketRoutes } from './portal/requester-ticket-routes.ts';
import { errorPageView } from './error-view.ts';
import { newTicketRoutes } from './new-ticket-routes.ts';
import { queueRoutes } from './queue-routes.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { ticketRoutes } from './ticket-routes.ts';
import { userRoutes } from './user-routes.ts';
import { errorText } from './view-parts.ts';
import { attachmentServeRoutes, registerComposerUploads } from '../http/attachment-routes.ts';

const NUL_CODE = 'nul_character';

/** Who a route serves: anyone, agents, customers (end users), or both kinds of signed-in people. */
export type Audience = 'public' | 'agent' | 'customer' | 'any';

declare module 'fastify' {
  interface FastifyContextConfig {
    audience?: Audience;
  }
}

/** No inline script or style anywhere, so the policy can forbid them: an injected tag could not run. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export function createConsolePlugin(deps: ConsoleDeps): (app: FastifyInstance) => Promise<void> {
  return async function consolePlugin(app: FastifyInstance): Promise<void> {
    const kit: ConsoleKit = {
      deps,
      sessions: deps.sessions,
      queries: deps.queries,
      throttle: deps.throttle,
      cookies: {
        // __Host- cookies are only accepted over HTTPS, for this host and path /: nobody can plant one.
        session: deps.secureCookies ? '__Host-tb_session' : 'tb_session',
        csrf: deps.secureCookies ? '__Host-tb_csrf' : 'tb_csrf',
        secure: deps.secureCookies,
      },
    };

    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 1024 * 1024 });
    // The composer's files: each streamed into the attachment store as it arrives (never buffered), its field's
    // value becoming the upload's id; the CSRF check and the comment come after, with the other fields.
    if (deps.attachments) await registerComposerUploads(app, deps.attachments.attachments);
    await app.register(csrf, {
      sessionPlugin: '@fastify/session',
      sessionKey: '_csrf',
      getToken: (req) => {
        const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
        const header = req.headers['x-csrf-token'];
        return typeof fromBody === 'string' ? fromBody : typeof header === 'string' ? header : undefined;
      },
    });
    await app.register(rateLimit, { global: false });

    app.decorateRequest('consoleSession', null);
    // @fastify/csrf-protection's session mode reads and writes `request.session._csrf`.
    app.decorateRequest('session', {
      getter(this: FastifyRequest) {
        return this.consoleSession;
      },
    });

    app.addHook('onRequest', async (req, reply) => {
      const state: ConsoleSessionState = { ...SIGNED_OUT };
      const found = await kit.sessions.find(req.cookies[kit.cookies.session]);
      if (found) {
        const user = await deps.store.getUser(found.userId);
        // The kind was fixed at sign-in; a user whose role changed since (or an agent deactivated) has no session of the old kind.
        const fits = user && (found.kind === 'agent' ? isStaff(user.role) && user.active : user.role === 'end_user');
        if (fits) {
          Object.assign(state, { idHash: found.idHash, _csrf: found.csrfSecret });
          if (found.kind === 'agent') state.agent = user;
          else {
            state.customer = user;
            const prefs = await deps.requester.preferences(user.id).catch(() => null);
            if (prefs?.localeChosen) state.chosenLocale = toLocale(prefs.locale);
          }
        } else await kit.sessions.destroy(found.idHash);
      }
      if (!state.agent && !state.customer) {
        const pre = req.cookies[kit.cookies.csrf];
        if (pre && pre.length <= 100) state._csrf = pre;
      }
      req.consoleSession = state;
      const audience = req.routeOptions.config?.audience ?? 'agent';
      if (audience === 'public') return;
      if (audience === 'any' ? state.agent || state.customer : audience === 'agent' ? state.agent : state.customer) return;
      const json = req.url.startsWith('/console/');
      if (state.agent || state.customer) {
        // The other kind of session: the page does not exist for it, and nothing says otherwise.
        if (json) return reply.code(404).header('cache-control', 'no-store').send({ error: { code: 'not_found', message: 'not found' } });
        const ctx = pageCtx(req, reply, kit);
        return sendPage(reply, 404, errorPageView(ctx, { title: ctx.tr('error.not_found_title'), message: ctx.tr('portal:error.page_not_found') }));
      }
      if (json && req.method === 'GET')
        return reply.code(401).header('cache-control', 'no-store').send({ error: { code: 'unauthenticated', message: 'sign in first' } });
      return redirectToLogin(req, reply);
    });

    // A NUL cannot be stored: any form field, query parameter or path segment holding one is refused before the
    // route (and its database) sees it.
    app.addHook('preValidation', async (req) => {
      const at = nulPath(req.body) ?? nulPath(req.query) ?? nulPath(req.params);
      if (at !== null) throw Object.assign(new Error(`${at}: ${NUL_MESSAGE}`), { statusCode: 400, code: NUL_CODE });
    });

    app.addHook('preHandler', (req, reply, done) => {
      if (req.method !== 'POST') return done();
      app.csrfProtection(req, reply, done);
    });

    app.addHook('onSend', async (_req, reply, payload) => {
      // A route with a stricter policy of its own (an attachment's bytes) keeps it.
      const own = reply.getHeader('content-security-policy');
      reply.headers(SECURITY_HEADERS);
      if (own) reply.header('content-security-policy', own);
      return payload;
    });

    app.setErrorHandler((err: FastifyError, req, reply) => renderError(err, req, reply, kit));

    assetRoutes(app);
    signInRoutes(app, kit);
    emailSignInRoutes(app, kit);
    portalRoutes(app, kit);
    requesterTicketRoutes(app, kit);
    queueRoutes(app, kit);
    newTicketRoutes(app, kit);
    ticketRoutes(app, kit);
    userRoutes(app, kit);
    if (deps.attachments) attachmentServeRoutes(app, deps.attachments, (req) => req.consoleSession?.agent ?? req.consoleSession?.customer ?? null);
  };
}

interface ErrorAnswer {
  status: number;
  /** Catalog keys of the page's message and heading. */
  key: string;
  title: string;
}

function classify(err: FastifyError, unavailable: ConsoleKit['deps']['unavailable']): ErrorAnswer {
  const answer = (status: number, key: string, title = 'error.title') => ({ status, key, title });
  if (err.code === NUL_CODE) return answer(400, 'error.nul_character');
  if (unavailable.isUnavailable(err)) return answer(503, 'error.database_unavailable', 'error.unavailable_title');
  if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') return answer(403, 'error.csrf', 'error.forbidden_title');
  if (err.statusCode === 429) return answer(429, 'error.too_many', 'error.too_many_title');
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return answer(413, 'error.too_large');
  if (isDomainError(err)) {
    const status = DOMAIN_ERROR_STATUS[err.code];
    return answer(status, `error.${err.code}`, status === 403 ? 'error.forbidden_title' : 'error.title');
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return answer(err.statusCode, 'error.bad_request');
  return answer(500, 'error.generic');
}

/** Errors become pages a person can act on (JSON for the typeahead); details stay in the log. */
function renderError(err: FastifyError, req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit): FastifyReply {
  const { status, key, title } = classify(err, kit.deps.unavailable);
  if (status === 503) {
    req.log.warn({ err: kit.deps.unavailable.describe(err) }, 'console: database unavailable');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  } else if (status >= 500) req.log.error({ err }, 'console error');
  else req.log.info({ code: err.code, status }, 'console request refused');
  if (req.consoleSession === null) req.consoleSession = { ...SIGNED_OUT };
  if (req.url.startsWith('/console/') && !req.url.startsWith('/console/assets/')) {
    const code = status === 403 ? 'forbidden' : status === 503 ? 'database_unavailable' : 'error';
    return reply.code(status).send({ error: { code, message: status >= 500 ? trFor(localeOf(req))(key) : err.message } });
  }
  const ctx = pageCtx(req, reply, kit);
  const message = isDomainError(err) ? errorText(ctx.tr, err.code) : ctx.tr(key);
  return sendPage(reply, status, errorPageView(ctx, { title: ctx.tr(title), message }));
}
