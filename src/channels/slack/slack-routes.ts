/**
 * POST /slack/events: Events API, slash commands and interactivity on one URL, on the shared webhook route (raw
 * body → verify → decide → record → answer). Events are recorded and answered 200 at once; the worker parses them
 * later. Commands and interactions are answered in the request (slack-interactions.ts). The verification token
 * travels in every payload and is of no use to anyone downstream, so it is never stored.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import { parseJson } from '../shared/json-text.ts';
import { webhookRoute, type WebhookDecision, type WebhookRequest } from '../shared/webhook-route.ts';
import { PLATFORM } from './slack-ids.ts';
import type { SlackInteractions } from './slack-interactions.ts';
import { blockActionsSchema, eventCallbackSchema, slashCommandSchema, urlVerificationSchema, viewSubmissionSchema } from './slack-schemas.ts';
import { verifySlackSignature } from './slack-verify.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackRoutesOptions {
  signingSecret: string;
  inbox: InboxPort;
  logger: Logger;
  interactions: Pick<SlackInteractions, 'onCommand' | 'onAction' | 'onSubmission'>;
  /** For tests of the replay window; seconds since the epoch. */
  now?: () => number;
}

const BAD: WebhookDecision = { kind: 'reject', status: 400, reason: 'not a Slack request this app understands' };
const OK: WebhookDecision = { kind: 'answer', reply: {} };

const jsonObject = (text: string) => parseJson(z.record(z.string(), z.unknown()), text);

function withoutToken(body: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...rest } = body;
  return rest;
}

export function slackRoutes(opts: SlackRoutesOptions): FastifyPluginAsync {
  const { interactions } = opts;

  function onJson(raw: string): WebhookDecision {
    const body = jsonObject(raw);
    if (!body) return BAD;
    const challenge = urlVerificationSchema.safeParse(body);
    if (challenge.success) return { kind: 'answer', reply: { json: { challenge: challenge.data.challenge } } };
    // Slack dropped events for a minute: nothing to store, nothing to retry.
    if (body['type'] === 'app_rate_limited') return OK;
    const e = eventCallbackSchema.safeParse(body);
    if (!e.success || !e.data.eventId) return BAD;
    // One conversation's events run one at a time, in order: an edit never overtakes its reply.
    const orderingKey = e.data.channel ? `${e.data.team}:${e.data.channel}` : undefined;
    return { kind: 'record', event: { externalId: e.data.eventId, payload: withoutToken(body), orderingKey } };
  }

  async function onForm(raw: string): Promise<WebhookDecision> {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) {
      const body = jsonObject(payload);
      if (!body) return BAD;
      const action = blockActionsSchema.safeParse(body);
      if (action.success) return interactions.onAction(action.data);
      const view = viewSubmissionSchema.safeParse(body);
      if (view.success) return interactions.onSubmission(view.data, withoutToken(body));
      // Other interactions (a closed modal, a suggestion) need only their 200.
      return typeof body['type'] === 'string' ? OK : BAD;
    }
    if (form.has('command')) {
      const command = slashCommandSchema.safeParse(Object.fromEntries(form.entries()));
      return command.success ? interactions.onCommand(command.data) : BAD;
    }
    return form.get('ssl_check') === '1' ? OK : BAD;
  }

  return webhookRoute({
    platform: PLATFORM,
    paths: [SLACK_EVENTS_PATH],
    inbox: opts.inbox,
    logger: opts.logger,
    async decide(req: WebhookRequest): Promise<WebhookDecision> {
      const verdict = verifySlackSignature({
        signingSecret: opts.signingSecret,
        timestamp: req.headers['x-slack-request-timestamp'],
        signature: req.headers['x-slack-signature'],
        rawBody: req.rawBody,
        ...(opts.now ? { nowSeconds: opts.now() } : {}),
      });
      if (!verdict.ok) return { kind: 'reject', status: 401, reason: verdict.reason };
      // Slack's media types exactly, without parameters.
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type === 'application/json') return onJson(req.rawBody.toString('utf8'));
      if (type === 'application/x-www-form-urlencoded') return onForm(req.rawBody.toString('utf8'));
      return BAD;
    },
  });
}
