/**
 * The fastify application: health, metrics, the help-center API and each enabled channel's routes, every part in
 * its own encapsulated plugin. Bodies over 1 MiB get 413 everywhere; errors are shaped in one handler.
 */
import { randomUUID } from 'node:crypto';
import sjson from 'secure-json-parse';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelModule } from '../channels/channel-module.ts';
import { errorHandler, sendError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { apiRoutes, type ApiDeps } from './api/api-routes.ts';

export const BODY_LIMIT = 1024 * 1024;

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
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
  // An empty JSON body (a POST that needs none, sent with a JSON content type) is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
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
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unavailable' });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  await app.register(async (api) => apiRoutes(api, deps.api), { prefix: '/api/v1' });
  for (const ch of deps.channels) await app.register(ch.routes);
  for (const p of deps.plugins ?? []) await app.register(p);
  return app;
}
