/**
 * POST /lark/events and POST /lark/cards. This plugin keeps the raw body (the signature is over the exact bytes),
 * authenticates every request itself, and makes each event durable in the inbox before Lark gets its 200. Events
 * of one chat share an ordering key, so the worker processes them one at a time, in order.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { InboxPort } from '../../core/ports/desk-port.ts';
import { t } from '../../i18n/catalog.ts';
import { cardResponse } from './lark-cards.ts';
import { isCardDecision } from './lark-card-flow.ts';
import { PLATFORM } from './lark-profile.ts';
import { eventChatKey } from './lark-schemas.ts';
import { storableBody, verifyLarkRequest, type LarkSecrets, type VerifiedRequest } from './lark-verify.ts';

export interface LarkRouteDeps {
  secrets: LarkSecrets;
  inbox: InboxPort;
  logger: Logger;
  /** Event types worth recording; others are acknowledged and dropped. */
  eventTypes: ReadonlySet<string>;
  /** Runs the SDK's card dispatcher over a verified, decrypted callback body; resolves to a CardDecision. */
  dispatchCard(body: Record<string, unknown>): Promise<unknown>;
}

type Recordable = Exclude<VerifiedRequest, { kind: 'challenge' }>;

const genericFailure = (legacy: boolean) =>
  cardResponse(legacy, { type: 'error', content: t('en', 'error.generic') }, null);

export function larkRoutes(deps: LarkRouteDeps): FastifyPluginAsync {
  const { inbox, logger, secrets } = deps;

  async function record(externalId: string, request: Recordable): Promise<boolean> {
    try {
      const payload = storableBody(request);
      const orderingKey = eventChatKey(payload);
      const res = await inbox.record({ platform: PLATFORM, externalId, payload, ...(orderingKey ? { orderingKey } : {}) });
      if (res.duplicate) logger.debug({ externalId }, 'lark: duplicate delivery, already recorded');
      return true;
    } catch (e) {
      logger.error({ err: e instanceof Error ? e.message : String(e), externalId }, 'lark: inbox record failed');
      return false;
    }
  }

  async function handleCard(request: Recordable, externalId: string, reply: FastifyReply) {
    const legacy = request.kind === 'legacy_card';
    let decision: unknown;
    try {
      decision = await deps.dispatchCard(storableBody(request));
    } catch (e) {
      logger.error({ err: e instanceof Error ? e.message : String(e) }, 'lark: card callback failed');
    }
    if (!isCardDecision(decision)) return reply.code(200).send(genericFailure(legacy));
    if (decision.record && !(await record(externalId, request))) return reply.code(200).send(genericFailure(legacy));
    return reply.code(200).send(decision.response);
  }

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    const raw = req.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) return reply.code(400).send({ error: 'empty body' });
    const verified = verifyLarkRequest(raw, req.headers, secrets);
    if (!verified.ok) {
      logger.info({ status: verified.status, reason: verified.reason, url: req.url }, 'lark: request rejected');
      return reply.code(verified.status).send({ error: verified.status === 401 ? 'unauthorized' : 'bad request' });
    }
    const r = verified.request;
    switch (r.kind) {
      case 'challenge':
        return reply.code(200).send({ challenge: r.challenge });
      case 'legacy_card':
        return handleCard(r, `card:${r.cardToken}`, reply);
      case 'v2':
        if (r.eventType === 'card.action.trigger') return handleCard(r, r.eventId, reply);
        break;
      case 'v1':
        break;
    }
    const externalId = r.kind === 'v2' ? r.eventId : r.uuid;
    if (!deps.eventTypes.has(r.eventType)) {
      logger.debug({ eventType: r.eventType }, 'lark: event type not handled, acknowledged');
      return reply.code(200).send({});
    }
    // 503 makes Lark deliver again later; a 200 here would lose the event.
    if (!(await record(externalId, r))) return reply.code(503).send({ error: 'try again' });
    return reply.code(200).send({});
  }

  return async (app) => {
    // The signature covers the exact bytes, so the body must stay raw; the app's bodyLimit (413) still applies.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post('/lark/events', handle);
    app.post('/lark/cards', handle);
  };
}
