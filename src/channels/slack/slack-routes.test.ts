import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../test/helpers/memory/memory-store.ts';
import { fixture } from '../../../test/helpers/slack/slack-payloads.ts';
import {
  commandRequest,
  eventRequest,
  interactionRequest,
  signedRequest,
  type SignedRequest,
} from '../../../test/fakes/slack/slack-inbound.ts';
import type { WebhookDecision } from '../shared/webhook-route.ts';
import { slackRoutes } from './slack-routes.ts';

const SECRET = 'test-signing-secret';
const NOW = 1_750_000_000;

describe('POST /slack/events', () => {
  let app: FastifyInstance;
  let mem: ReturnType<typeof createMemoryStore>;
  let recordCalls: number;
  let failNextRecords: number;
  let dispatched: Record<string, unknown>[];
  let nextDecision: WebhookDecision;
  const inbox = () => ({ events: mem.peek.inbound() });

  beforeEach(async () => {
    mem = createMemoryStore();
    recordCalls = 0;
    failNextRecords = 0;
    dispatched = [];
    nextDecision = { kind: 'answer', reply: {} };
    const answer = async (what: object) => {
      dispatched.push(what as Record<string, unknown>);
      return nextDecision;
    };
    app = Fastify({ bodyLimit: 1024 * 1024 });
    await app.register(
      slackRoutes({
        signingSecret: SECRET,
        inbox: {
          record: (e) => {
            recordCalls += 1;
            if (failNextRecords-- > 0) return Promise.reject(new Error('database unavailable'));
            return mem.inbox.record(e);
          },
        },
        logger: pino({ level: 'silent' }),
        now: () => NOW,
        interactions: { onCommand: answer, onAction: answer, onSubmission: (v, body) => answer({ ...v, body }) },
      }),
    );
  });
  afterEach(async () => {
    await app.close();
  });

  const send = (req: SignedRequest) => app.inject({ method: 'POST', url: '/slack/events', headers: req.headers, payload: req.body });
  const reaction = () => fixture('event-reaction-added');

  describe('signature', () => {
    it('a correctly signed event is recorded once and answered 200 with no body', async () => {
      const res = await send(eventRequest(SECRET, reaction(), { timestamp: NOW }));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(inbox().events).toHaveLength(1);
      expect(inbox().events[0]).toMatchObject({ platform: 'slack', externalId: 'Ev0PV52K21' });
      // The verification token is not kept.
      expect(inbox().events[0]!.payload).not.toHaveProperty('token');
      expect(inbox().events[0]!.payload).toHaveProperty('event.reaction', 'ticket');
    });

    it.each([
      ['signed with another secret', { secret: 'not-the-secret', timestamp: NOW }],
      ['stale (6 minutes old)', { timestamp: NOW - 360 }],
      ['from the future (6 minutes ahead)', { timestamp: NOW + 360 }],
      ['unsigned', { unsigned: true }],
    ])('%s -> 401 and nothing recorded', async (_name, opts) => {
      const res = await send(eventRequest(SECRET, reaction(), opts));
      expect(res.statusCode).toBe(401);
      expect(recordCalls).toBe(0);
      expect(dispatched).toHaveLength(0);
    });

    it('timestamps just inside the window on either side pass', async () => {
      expect((await send(eventRequest(SECRET, reaction(), { timestamp: NOW - 299 }))).statusCode).toBe(200);
      expect((await send(eventRequest(SECRET, { ...reaction(), event_id: 'Ev2' }, { timestamp: NOW + 299 }))).statusCode).toBe(200);
    });

    it('a body changed after signing -> 401', async () => {
      const req = eventRequest(SECRET, reaction(), { timestamp: NOW });
      const res = await send({ ...req, body: req.body.replace('ticket', 'tada') });
      expect(res.statusCode).toBe(401);
      expect(recordCalls).toBe(0);
    });

    it('a missing timestamp header -> 401', async () => {
      const req = eventRequest(SECRET, reaction(), { timestamp: NOW });
      delete req.headers['x-slack-request-timestamp'];
      expect((await send(req)).statusCode).toBe(401);
    });

    it('url_verification is answered with the challenge only when signed', async () => {
      const challenge = fixture('url-verification');
      const ok = await send(eventRequest(SECRET, challenge, { timestamp: NOW }));
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ challenge: challenge.challenge });
      expect(recordCalls).toBe(0);
      expect((await send(eventRequest(SECRET, challenge, { unsigned: true }))).statusCode).toBe(401);
    });
  });

  describe('bodies', () => {
    it('malformed JSON -> 400', async () => {
      const res = await send(signedRequest(SECRET, '{"type":"event_callback",', 'application/json', { timestamp: NOW }));
      expect(res.statusCode).toBe(400);
      expect(recordCalls).toBe(0);
    });

    it('an event_callback without an event_id -> 400', async () => {
      const { event_id: _id, ...rest } = reaction();
      expect((await send(eventRequest(SECRET, rest, { timestamp: NOW }))).statusCode).toBe(400);
    });

    it('a JSON array -> 400', async () => {
      expect((await send(signedRequest(SECRET, '[1,2]', 'application/json', { timestamp: NOW }))).statusCode).toBe(400);
    });

    it('an event sent as text/plain -> 400', async () => {
      const res = await send(eventRequest(SECRET, reaction(), { timestamp: NOW, contentType: 'text/plain' }));
      expect(res.statusCode).toBe(400);
      expect(recordCalls).toBe(0);
    });

    it('a slash command sent as JSON -> 400', async () => {
      const res = await send(signedRequest(SECRET, JSON.stringify(fixture('command-assist')), 'application/json', { timestamp: NOW }));
      expect(res.statusCode).toBe(400);
      expect(dispatched).toHaveLength(0);
    });

    it('a form with neither payload nor command -> 400; a payload that is not JSON -> 400', async () => {
      expect((await send(signedRequest(SECRET, 'foo=bar', 'application/x-www-form-urlencoded', { timestamp: NOW }))).statusCode).toBe(400);
      expect((await send(signedRequest(SECRET, 'payload=%7Bnope', 'application/x-www-form-urlencoded', { timestamp: NOW }))).statusCode).toBe(400);
    });

    it('a body over 1 MiB -> 413 and nothing recorded', async () => {
      const big = { ...reaction(), padding: 'x'.repeat(1024 * 1024) };
      const res = await send(eventRequest(SECRET, big, { timestamp: NOW }));
      expect(res.statusCode).toBe(413);
      expect(recordCalls).toBe(0);
    });

    it('an empty signed POST -> 400, not a crash', async () => {
      expect((await send(signedRequest(SECRET, '', 'application/json', { timestamp: NOW }))).statusCode).toBe(400);
    });
  });

  describe('retries and durability', () => {
    it('a Slack retry of the same event_id is answered 200 and not recorded twice', async () => {
      expect((await send(eventRequest(SECRET, reaction(), { timestamp: NOW }))).statusCode).toBe(200);
      const retry = await send(eventRequest(SECRET, reaction(), { timestamp: NOW, retryNum: 1, retryReason: 'http_timeout' }));
      expect(retry.statusCode).toBe(200);
      expect(recordCalls).toBe(2);
      expect(inbox().events).toHaveLength(1);
    });

    it('when the inbox cannot record, Slack is not acknowledged (it will retry)', async () => {
      failNextRecords = 1;
      const res = await send(eventRequest(SECRET, reaction(), { timestamp: NOW }));
      expect(res.statusCode).toBe(503);
      expect(inbox().events).toHaveLength(0);
    });

    it('app_rate_limited notices are acknowledged without storing', async () => {
      const notice = { token: 'x', type: 'app_rate_limited', team_id: 'T0001', minute_rate_limited: 1518467820, api_app_id: 'A0001' };
      expect((await send(eventRequest(SECRET, notice, { timestamp: NOW }))).statusCode).toBe(200);
      expect(recordCalls).toBe(0);
    });
  });

  describe('commands and interactivity', () => {
    it('a slash command is handled in the request and its answer becomes the response', async () => {
      nextDecision = { kind: 'answer', reply: { json: { response_type: 'ephemeral', text: 'hi' } } };
      const res = await send(commandRequest(SECRET, fixture('command-assist'), { timestamp: NOW }));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ response_type: 'ephemeral', text: 'hi' });
      // Decoded into named fields at the edge.
      expect(dispatched[0]).toEqual({ command: '/assist', team: 'T0001', channel: 'C0123', user: 'U_AUTHOR', text: 'printer on fire', triggerId: expect.any(String) });
      expect(recordCalls).toBe(0);
    });

    it('an interaction payload is unwrapped from payload= and handled', async () => {
      const res = await send(interactionRequest(SECRET, fixture('block-actions'), { timestamp: NOW }));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(dispatched[0]).toMatchObject({ actionId: 'slack_rate', value: '1', channel: 'C0123', messageTs: '1700000300.000500', threadTs: '1700000000.000100' });
    });

    it('a submitted modal recorded by its answer is stored without the verification token', async () => {
      nextDecision = { kind: 'record', event: { externalId: 'view:T0001:V0001', payload: { kept: true } } };
      const res = await send(interactionRequest(SECRET, fixture('view-submission'), { timestamp: NOW }));
      expect(res.statusCode).toBe(200);
      expect(dispatched[0]!['body']).not.toHaveProperty('token');
      expect(inbox().events).toEqual([expect.objectContaining({ externalId: 'view:T0001:V0001', payload: { kept: true } })]);
    });

    it('other interactions (a closed modal) get their 200; a payload that is no interaction at all is a 400', async () => {
      expect((await send(interactionRequest(SECRET, { type: 'view_closed', view: {} }, { timestamp: NOW }))).statusCode).toBe(200);
      expect((await send(interactionRequest(SECRET, { no: 'type' }, { timestamp: NOW }))).statusCode).toBe(400);
      expect(dispatched).toEqual([]);
    });

    it('a slash command with a bad signature is not dispatched', async () => {
      const res = await send(commandRequest(SECRET, fixture('command-assist'), { secret: 'wrong', timestamp: NOW }));
      expect(res.statusCode).toBe(401);
      expect(dispatched).toHaveLength(0);
    });

    it('a command missing its trigger_id -> 400', async () => {
      const { trigger_id: _t, ...fields } = fixture('command-assist') as Record<string, string>;
      expect((await send(commandRequest(SECRET, fields, { timestamp: NOW }))).statusCode).toBe(400);
    });

    it('ssl_check is answered 200', async () => {
      const res = await send(signedRequest(SECRET, 'ssl_check=1&token=x', 'application/x-www-form-urlencoded', { timestamp: NOW }));
      expect(res.statusCode).toBe(200);
    });
  });
});
