/**
 * POST /slack/events: Events API, slash commands and interactivity on one URL. An encapsulated fastify plugin that
 * reads the raw bytes itself (the v0 signature covers them exactly) and keeps the app's bodyLimit.
 *
 * Events are made durable (InboxPort.record) and answered 200 at once; the worker later feeds them to Bolt. Commands
 * and interactions need an answer computed in the request (a modal opened with a 3-second trigger_id, form errors),
 * so they run through Bolt right here; a form that changes something records itself before its ack.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { InboxPort } from '../../core/ports/desk-port.ts';
import { PLATFORM } from './slack-ids.ts';
import type { AckReply, SlackReceiver } from './slack-receiver.ts';
import { eventCallbackSchema, eventConversationKey, slashCommandSchema, urlVerificationSchema } from './slack-schemas.ts';
import { verifySlackSignature } from './slack-verify.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackRoutesOptions {
  signingSecret: string;
  inbox: InboxPort;
  receiver: Pick<SlackReceiver, 'dispatch'>;
  logger: Logger;
  /** For tests of the replay window; seconds since the epoch. */
  now?: () => number;
}

const interactionSchema = z.looseObject({ type: z.string().min(1) });

/** The media type without parameters, lower-cased. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The verification token travels in every payload; it is no use to anyone downstream, so it is not stored. */
function withoutToken(body: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...rest } = body;
  return rest;
}

function sendAck(reply: FastifyReply, ack: AckReply): FastifyReply {
  if (ack.kind === 'json') return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(ack.body));
  if (ack.kind === 'text') return reply.code(200).type('text/plain; charset=utf-8').send(ack.body);
  return reply.code(200).send();
}

export function slackRoutes(opts: SlackRoutesOptions): FastifyPluginAsync {
  const log = opts.logger;
  return async (app) => {
    // Our own parser for every type: the body stays the raw bytes the signature was computed over.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.post(SLACK_EVENTS_PATH, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifySlackSignature({
        signingSecret: opts.signingSecret,
        timestamp: req.headers['x-slack-request-timestamp'],
        signature: req.headers['x-slack-signature'],
        rawBody: raw,
        ...(opts.now ? { nowSeconds: opts.now() } : {}),
      });
      if (!verdict.ok) {
        log.warn({ reason: verdict.reason }, 'slack: request refused');
        return reply.code(401).send();
      }

      const type = mediaType(req.headers['content-type']);
      if (type === 'application/json') {
        const body = parseJsonObject(raw.toString('utf8'));
        if (!body) return reply.code(400).send();
        const challenge = urlVerificationSchema.safeParse(body);
        if (challenge.success) return reply.code(200).send({ challenge: challenge.data.challenge });
        if (body['type'] === 'app_rate_limited') {
          // Slack dropped events for a minute; nothing to store, nothing to retry.
          log.warn('slack: app_rate_limited notice received');
          return reply.code(200).send();
        }
        const event = eventCallbackSchema.safeParse(body);
        if (!event.success) return reply.code(400).send();
        try {
          const rec = await opts.inbox.record({
            platform: PLATFORM,
            externalId: event.data.event_id,
            payload: withoutToken(body),
            // One conversation's events run one at a time, in order: an edit never overtakes its reply.
            orderingKey: eventConversationKey(event.data),
          });
          const retryNum = req.headers['x-slack-retry-num'];
          if (rec.duplicate || retryNum !== undefined) {
            log.info({ eventId: event.data.event_id, duplicate: rec.duplicate, retryNum }, 'slack: event redelivered');
          }
        } catch (e) {
          // Not acknowledged, so Slack retries; the event is not lost.
          log.error({ err: e instanceof Error ? e.message : String(e) }, 'slack: could not record the event');
          return reply.code(503).header('retry-after', '5').send();
        }
        return reply.code(200).send();
      }

      if (type === 'application/x-www-form-urlencoded') {
        const form = new URLSearchParams(raw.toString('utf8'));
        const payload = form.get('payload');
        if (payload !== null) {
          const body = parseJsonObject(payload);
          if (!body || !interactionSchema.safeParse(body).success) return reply.code(400).send();
          return sendAck(reply, await opts.receiver.dispatch(withoutToken(body)));
        }
        if (form.has('command')) {
          const fields = Object.fromEntries(form.entries());
          if (!slashCommandSchema.safeParse(fields).success) return reply.code(400).send();
          return sendAck(reply, await opts.receiver.dispatch(withoutToken(fields)));
        }
        if (form.get('ssl_check') === '1') return reply.code(200).send();
        return reply.code(400).send();
      }

      return reply.code(400).send();
    });
  };
}
