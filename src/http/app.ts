/**
 * The fastify application: health, metrics, the help-center API and each enabled channel's routes, every part in
 * its own encapsulated plugin. Bodies over 1 MiB get 413 everywhere; errors are shaped in one handler. Timeouts keep
 * slow clients from holding sockets, and closing drains: requests in flight finish, then every connection closes.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import sjson from 'secure-json-parse';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelModule } from '../channels/channel-module.ts';
import { createErrorHandler, DATABASE_RETRY_AFTER_SECONDS, HttpError, sendError } from './errors.ts';
import type { UnavailabilityCheck } from '../core/ports/console-port.ts';
import type { Metrics } from './metrics.ts';
import { metricsRoutes, type MetricsAccess } from './metrics-routes.ts';
import { apiRoutes, type ApiDeps } from './api/api-routes.ts';

export const BODY_LIMIT = 1024 * 1024;
/** Longer than the 60 s idle timeout of common proxies and load balancers, so they never reuse a socket we close. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** A socket with no traffic at all for this long (a client that stopped reading its answer) is closed. */
const CONNECTION_TIMEOUT_MS = 60_000;
/** At stop, requests in flight get this long to finish before their connections are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  /** How /metrics is guarded; `ownListener` moves it off this app (METRICS_PORT). */
  metricsAccess?: MetricsAccess & { ownListener?: boolean };
  api: ApiDeps;
  channels: ChannelModule[];
  /** Extra plugins (the help-center console) registered at the root. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
  dbReady: () => Promise<boolean>;
  /** Tells a database outage (503, try again) from a fault (500). */
  unavailable: UnavailabilityCheck;
  /** fastify's trustProxy (TRUST_PROXY): which proxies' X-Forwarded-For gives the client's address. */
  trustProxy?: boolean | number | string[];
  /** The whole request (headers and body) must arrive within this (HTTP_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    ...serverOptions(deps.requestTimeoutMs),
    routerOptions: { maxParamLength: 200 },
    // A hop count means "the nearest n proxies", which is proxy-addr's own reading of a number.
    trustProxy: typeof deps.trustProxy === 'number' ? ((_address: string, hop: number) => hop < (deps.trustProxy as number)) : (deps.trustProxy ?? false),
  });
  drainOnClose(app);
  app.setErrorHandler(createErrorHandler(deps.unavailable));
  // An empty JSON body (a POST that needs none, sent with a JSON content type) is no body, not an error. JSON is
  // UTF-8 (RFC 8259): other bytes are refused rather than silently turned into U+FFFD. A repeated key keeps its
  // last value, as JSON.parse does.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) return done(new HttpError(400, 'malformed_json', 'the body is not valid UTF-8'), undefined);
    const text = bytes.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(Object.assign(new SyntaxError('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpDuration
      .labels(req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = await deps.dbReady().catch(() => false);
    if (!ok) reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unavailable' });
  });
  if (!deps.metricsAccess?.ownListener) await app.register(metricsRoutes(deps.metrics, deps.metricsAccess ?? {}));

  await app.register(async (api) => apiRoutes(api, deps.api), { prefix: '/api/v1' });
  for (const ch of deps.channels) await app.register(ch.routes);
  for (const p of deps.plugins ?? []) await app.register(p);
  return app;
}

/** Timeouts and closing behaviour for every listener of the service (a second one, e.g. for metrics, too). */
export function serverOptions(requestTimeoutMs: number) {
  return {
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    requestTimeout: requestTimeoutMs,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Node checks the request and header timeouts on this interval (30 s by default, far coarser than the timeout).
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 15_000),
      connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
    },
  };
}

/**
 * server.close() closes only the connections idle at that moment: a keep-alive connection whose request is in
 * flight would go idle after its answer and then stay open for the whole keep-alive timeout, holding the exit. So,
 * while closing: answers say `Connection: close`, connections that fall idle are closed as they do, and whatever is
 * still open after DRAIN_TIMEOUT_MS is cut.
 */
export function drainOnClose(app: FastifyInstance): void {
  let closing = false;
  let timers: NodeJS.Timeout[] = [];
  app.addHook('preClose', async () => {
    closing = true;
    timers = [setInterval(() => app.server.closeIdleConnections(), 100), setTimeout(() => app.server.closeAllConnections(), DRAIN_TIMEOUT_MS)];
    for (const t of timers) t.unref();
  });
  app.addHook('onClose', async () => {
    for (const t of timers) clearTimeout(t);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
