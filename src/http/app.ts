/**
 * The fastify application: health, metrics, the help-center API and each enabled channel's routes, every part in
 * its own encapsulated plugin. Bodies over 1 MiB get 413 everywhere; errors are shaped in one handler.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import sjson from 'secure-json-parse';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelModule } from '../channels/channel-module.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../infra/db/db-errors.ts';
import { errorHandler, HttpError, sendError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { metricsRoutes, type MetricsAccess } from './metrics-routes.ts';
import { apiRoutes, type ApiDeps } from './api/api-routes.ts';

export const BODY_LIMIT = 1024 * 1024;

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
  /** fastify's trustProxy (TRUST_PROXY): which proxies' X-Forwarded-For gives the client's address. */
  trustProxy?: boolean | number | string[];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 200 },
    // A hop count means "the nearest n proxies", which is proxy-addr's own reading of a number.
    trustProxy: typeof deps.trustProxy === 'number' ? ((_address: string, hop: number) => hop < (deps.trustProxy as number)) : (deps.trustProxy ?? false),
  });
  app.setErrorHandler(errorHandler);
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
