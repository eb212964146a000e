/**
 * The one skeleton of every platform's inbound route: raw body → verify → decide → record → answer. A platform
 * says only what is its own (how a request is authenticated and what its body means, in `decide`); the order, the
 * raw-body handling, the logging, the durable record before the answer and the answer when the inbox cannot
 * record (so the platform retries) are the same for all.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { InboxPort } from '../../core/ports/inbox-port.ts';

export interface WebhookReply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface RecordedEvent {
  externalId: string;
  payload: unknown;
  /** Events with one key are processed one at a time, in the order recorded (e.g. one chat's). */
  orderingKey?: string | undefined;
}

export type WebhookDecision =
  /** Answer without recording (a challenge, an event type nobody handles, a duplicate we can tell at once). */
  | { kind: 'answer'; reply: WebhookReply }
  /** Record, then answer `reply` (200 with no body by default); if recording fails, answer `ifNotRecorded`. */
  | {
      kind: 'record';
      event: RecordedEvent;
      reply?: WebhookReply;
      ifNotRecorded?: WebhookReply;
      /** The platform's deadline: when the inbox has not recorded within this many ms, answer `ifNotRecorded`. */
      recordWithinMs?: number;
    }
  /** A request that is not the platform's (401) or not understood (400); nothing is stored. */
  | { kind: 'reject'; status: 400 | 401 | 403 | 404 | 415; reason: string; reply?: WebhookReply };

export interface WebhookRequest {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  url: string;
}

export interface WebhookRouteOptions {
  platform: string;
  paths: string[];
  inbox: InboxPort;
  logger: Logger;
  decide(req: WebhookRequest): Promise<WebhookDecision> | WebhookDecision;
}

/** Not recorded: a 5xx makes the platform deliver it again later, and nothing is lost. */
const NOT_RECORDED: WebhookReply = { status: 503, json: { error: 'try again later' }, headers: { 'retry-after': '5' } };

function send(reply: FastifyReply, r: WebhookReply): FastifyReply {
  reply.code(r.status ?? 200);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.json !== undefined) return reply.type('application/json; charset=utf-8').send(JSON.stringify(r.json));
  if (r.text !== undefined) return reply.type('text/plain; charset=utf-8').send(r.text);
  return reply.send();
}

/** The promise, or a rejection once `ms` have passed (a late record may still land; the platform's retry is a duplicate). */
async function withDeadline<T>(p: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not recorded within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function webhookRoute(opts: WebhookRouteOptions): FastifyPluginAsync {
  const { logger, platform } = opts;
  return async (app) => {
    // The signatures cover the exact bytes: the body stays raw in this plugin; the app's bodyLimit (413) still applies.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const path of opts.paths) {
      app.post(path, async (req, reply) => {
        const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        let decision: WebhookDecision;
        try {
          decision = await opts.decide({ rawBody, headers: req.headers, url: req.url });
        } catch (e) {
          // A platform request we cannot make sense of is its problem to resend, never our 500.
          logger.warn({ platform, err: e instanceof Error ? e.message : String(e) }, `${platform}: request could not be read`);
          return send(reply, { status: 400 });
        }
        if (decision.kind === 'reject') {
          logger.warn({ platform, status: decision.status, reason: decision.reason }, `${platform}: request refused`);
          return send(reply, decision.reply ?? { status: decision.status });
        }
        if (decision.kind === 'answer') return send(reply, decision.reply);
        try {
          const r = await withDeadline(opts.inbox.record({ platform, ...decision.event }), decision.recordWithinMs);
          if (r.duplicate) logger.info({ platform, externalId: decision.event.externalId }, `${platform}: delivered again, already recorded`);
        } catch (e) {
          logger.error({ platform, err: e instanceof Error ? e.message : String(e), externalId: decision.event.externalId }, `${platform}: could not record the event`);
          return send(reply, decision.ifNotRecorded ?? NOT_RECORDED);
        }
        return send(reply, decision.reply ?? {});
      });
    }
  };
}
