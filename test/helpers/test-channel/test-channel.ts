/**
 * The sync engine's in-process test channel: a ChannelAdapter for platform "test" that talks to TestPlatform over
 * HTTP, and a signed inbound route (POST /test/events) that records events in the inbox like a real channel.
 * Rendering is deliberately plain: `<kind>|#<number>|<body>`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ChannelDeps, ChannelModule } from '../../../src/channels/channel-module.ts';
import { ChannelSendError, type ChannelAdapter, type ChatMessage } from '../../../src/core/ports/channel-port.ts';
import type { ChatEvent } from '../../../src/core/chat/chat-events.ts';

export const TEST_SECRET = 'test-channel-secret';

export function renderTest(m: ChatMessage): string {
  switch (m.kind) {
    case 'agent_reply':
      return `agent_reply|#${m.ticket.number}|${m.body}`;
    case 'status_changed':
      return `status_changed|#${m.ticket.number}|${m.from}->${m.to}`;
    case 'ticket_confirmation':
    case 'rating_prompt':
    case 'reopen_prompt':
      return `${m.kind}|#${m.ticket.number}|${m.ticket.status}`;
    case 'ticket_list':
      return `ticket_list|${m.tickets.map((t) => t.number).join(',')}`;
    case 'notice':
      return `notice|${m.key}`;
    case 'follow_up_started':
      return `follow_up_started|#${m.ticket.number}|of #${m.closedNumber}`;
    case 'request_exists':
      return `request_exists|${m.ticket ? `#${m.ticket.number}` : 'hidden'}`;
    default:
      return m.kind;
  }
}

const inboundSchema = z.object({
  id: z.string().min(1),
  chatId: z.string(),
  threadRef: z.string().nullable(),
  user: z.string(),
  email: z.string().email(),
  text: z.string(),
  poison: z.boolean().optional(),
});

export function createTestChannel(opts: { apiUrl: string; perChatIntervalMs?: number }, deps: ChannelDeps): ChannelModule {
  async function call(path: string, body: unknown): Promise<{ id: string | null }> {
    let res: Response;
    try {
      res = await fetch(`${opts.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (e) {
      throw new ChannelSendError('transient', `network: ${(e as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as { ok?: boolean; id?: string | null; error?: string };
    if (res.status === 429) throw new ChannelSendError('rate_limited', 'ratelimited', Number(res.headers.get('retry-after') ?? '1') * 1000);
    if (res.status >= 500) throw new ChannelSendError('transient', `http ${res.status}`);
    if (!json.ok) throw new ChannelSendError('permanent', json.error ?? `http ${res.status}`);
    return { id: json.id ?? null };
  }

  const adapter: ChannelAdapter = {
    platform: 'test',
    limits: { maxMessageLength: 4000, perChatIntervalMs: opts.perChatIntervalMs ?? 0, perGroupPerMinute: 0, globalPerSecond: 0, ephemeral: false, buttons: false, forms: false },
    async post(target, message, ctx) {
      const r = await call('/post', { chatId: target.chatId, threadRef: target.threadRef, text: renderTest(message), key: ctx.deliveryKey });
      return { messageId: r.id! };
    },
    async sendDirect(user, message, ctx) {
      const r = await call('/post', { chatId: `dm:${user.platformUserId}`, threadRef: null, text: renderTest(message), key: ctx.deliveryKey });
      return { messageId: r.id! };
    },
    async update(target, messageId, message) {
      await call('/update', { chatId: target.chatId, messageId, text: renderTest(message) });
    },
    async delete(target, messageId) {
      await call('/delete', { chatId: target.chatId, messageId });
    },
    async findDelivered(_target, ctx) {
      const r = await call('/find', { key: ctx.deliveryKey });
      return r.id ? { messageId: r.id } : null;
    },
    async parse(env): Promise<ChatEvent[]> {
      const e = inboundSchema.parse(env.payload);
      if (e.poison) throw new Error('poison event');
      const person = { platform: 'test', workspaceId: 'w', platformUserId: e.user };
      return [
        {
          type: 'message',
          place: { platform: 'test', workspaceId: 'w', chatId: e.chatId, threadRef: e.threadRef, direct: false },
          messageId: `${e.chatId}:${e.id}`,
          author: { ...person, profile: async () => ({ ...person, displayName: e.user, verifiedEmail: e.email, locale: 'en' }) },
          text: e.text,
          files: [],
          mentionsBot: false,
          repliesTo: [],
        },
      ];
    },
    async tell(reply, ctx) {
      const chatId = reply.to === 'actor' ? `tell:${reply.actor?.platformUserId}` : reply.place.chatId;
      await call('/post', { chatId, threadRef: reply.place.threadRef, text: renderTest(reply.message), key: ctx.deliveryKey });
    },
  };

  return {
    adapter,
    async routes(app: FastifyInstance) {
      app.post('/test/events', async (req, reply) => {
        if (req.headers['x-test-secret'] !== TEST_SECRET) return reply.code(401).send({ error: { code: 'unauthenticated', message: 'bad secret' } });
        const parsed = inboundSchema.safeParse(req.body);
        if (!parsed.success) return reply.code(400).send({ error: { code: 'validation_failed', message: 'bad event' } });
        const r = await deps.inbox.record({ platform: 'test', externalId: parsed.data.id, payload: parsed.data });
        return reply.code(200).send({ ok: true, duplicate: r.duplicate });
      });
    },
  };
}
