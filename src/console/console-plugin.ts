/**
 * The help-center console for agents, as one encapsulated fastify plugin: its cookie, form, CSRF and rate-limit
 * plugins, hooks and error handler apply to its own routes only, never to /api/v1 or the chat channels.
 *
 * Every request loads its session from the cookie; every route but sign-in, invitation and assets needs one
 * (pages redirect to /login, keeping the wanted page in `next`; JSON answers 401). Every POST carries the form
 * token of its session, checked by @fastify/csrf-protection against the secret stored with that session, so a
 * token from another agent's session is refused.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import { NUL_MESSAGE, nulPath } from '../core/text-rules.ts';
import { isStaff } from '../core/tickets/ticket-types.ts';
import { DATABASE_RETRY_AFTER_SECONDS, databaseErrorLine, isDatabaseUnavailable } from '../infra/db/db-errors.ts';
import { assetRoutes } from './asset-routes.ts';
import { localeOf, pageCtx, redirectToLogin, sendPage, trFor, type ConsoleDeps, type ConsoleKit, type ConsoleSessionState } from './console-http.ts';
import { createConsoleQueries } from './console-queries.ts';
import { errorPageView } from './error-view.ts';
import { newTicketRoutes } from './new-ticket-routes.ts';
import { queueRoutes } from './queue-routes.ts';
import { createSessionStore } from './session-store.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { ticketRoutes } from './ticket-routes.ts';
import { userRoutes } from './user-routes.ts';
import { errorText } from './view-parts.ts';

const NUL_CODE = 'nul_character';
const PUBLIC_ROUTES = new Set(['/login', '/invite/:token', '/console/assets/:file']);

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
      sessions: createSessionStore(deps.db),
      queries: createConsoleQueries(deps.db),
      cookies: {
        // __Host- cookies are only accepted over HTTPS, for this host and path /: nobody can plant one.
        session: deps.secureCookies ? '__Host-tb_session' : 'tb_session',
        csrf: deps.secureCookies ? '__Host-tb_csrf' : 'tb_csrf',
        secure: deps.secureCookies,
      },
    };

    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 1024 * 1024 });
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
      const state: ConsoleSessionState = { idHash: null, agent: null };
      const found = await kit.sessions.find(req.cookies[kit.cookies.session]);
      if (found) {
        const agent = await deps.store.getUser(found.userId);
        if (agent && isStaff(agent.role) && agent.active) Object.assign(state, { idHash: found.idHash, agent, _csrf: found.csrfSecret });
        else await kit.sessions.destroy(found.idHash);
      }
      if (!state.agent) {
        const pre = req.cookies[kit.cookies.csrf];
        if (pre && pre.length <= 100) state._csrf = pre;
      }
      req.consoleSession = state;
      if (state.agent || PUBLIC_ROUTES.has(req.routeOptions.url ?? '')) return;
      if (req.url.startsWith('/console/') && req.method === 'GET')
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
      reply.headers(SECURITY_HEADERS);
      return payload;
    });

    app.setErrorHandler((err: FastifyError, req, reply) => renderError(err, req, reply, kit));

    assetRoutes(app);
    signInRoutes(app, kit);
    queueRoutes(app, kit);
    newTicketRoutes(app, kit);
    ticketRoutes(app, kit);
    userRoutes(app, kit);
  };
}

interface ErrorAnswer {
  status: number;
  /** Catalog keys of the page's message and heading. */
  key: string;
  title: string;
}

function classify(err: FastifyError): ErrorAnswer {
  const answer = (status: number, key: string, title = 'error.title') => ({ status, key, title });
  if (err.code === NUL_CODE) return answer(400, 'error.nul_character');
  if (isDatabaseUnavailable(err)) return answer(503, 'error.database_unavailable', 'error.unavailable_title');
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
  const { status, key, title } = classify(err);
  if (status === 503) {
    req.log.warn({ err: databaseErrorLine(err) }, 'console: database unavailable');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  } else if (status >= 500) req.log.error({ err }, 'console error');
  else req.log.info({ code: err.code, status }, 'console request refused');
  if (req.consoleSession === null) req.consoleSession = { idHash: null, agent: null };
  if (req.url.startsWith('/console/') && !req.url.startsWith('/console/assets/')) {
    const code = status === 403 ? 'forbidden' : status === 503 ? 'database_unavailable' : 'error';
    return reply.code(status).send({ error: { code, message: status >= 500 ? trFor(localeOf(req))(key) : err.message } });
  }
  const ctx = pageCtx(req, reply, kit);
  const message = isDomainError(err) ? errorText(ctx.tr, err.code) : ctx.tr(key);
  return sendPage(reply, status, errorPageView(ctx, { title: ctx.tr(title), message }));
}
