/**
 * GET /metrics, on the public listener or on a listener of its own (METRICS_PORT). With METRICS_TOKEN set, the
 * scraper must send it as a bearer token: the metrics tell anyone who can read them how busy the service is, which
 * channels it runs and how its deliveries fail.
 */
import { drainOnClose, serverOptions } from './app.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { sendError } from './errors.ts';
import type { Metrics } from './metrics.ts';

export interface MetricsAccess {
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares hashes, so neither the length nor the content of the token leaks through timing. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m !== null && timingSafeEqual(digest(m[1]!), expected);
}

export function metricsRoutes(metrics: Metrics, access: MetricsAccess): FastifyPluginAsync {
  const expected = access.token ? digest(access.token) : null;
  return async (app) => {
    app.get('/metrics', async (req, reply) => {
      if (expected && !bearerMatches(req.headers.authorization, expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return sendError(reply, 401, 'unauthenticated', 'send Authorization: Bearer <METRICS_TOKEN>');
      }
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}

/** The separate listener of METRICS_PORT: /metrics and nothing else. */
export async function buildMetricsApp(metrics: Metrics, access: MetricsAccess, logger: Logger, requestTimeoutMs: number): Promise<FastifyInstance> {
  // The same timeouts and draining as the public listener: a slow scraper never holds the stop.
  const app = Fastify({ loggerInstance: logger.child({ listener: 'metrics' }) as unknown as FastifyBaseLogger, ...serverOptions(requestTimeoutMs) });
  drainOnClose(app);
  app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'not_found', 'this listener serves only GET /metrics'));
  await app.register(metricsRoutes(metrics, access));
  return app;
}
