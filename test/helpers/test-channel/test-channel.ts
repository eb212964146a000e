/**
 * The sync engine's in-process test channel: a ChannelAdapter for platform "test" that talks to TestPlatform over
 * HTTP, and a signed inbound route (POST /test/events) that records events in the inbox like a real channel.
 * Rendering is deliberately plain: `<kind>|#<number>|<body>`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ChannelDeps, ChannelModule } from '../../../src/channels/channel-module.ts';
import { ChannelSendError, FileTooLargeError, type ChannelAdapter, type ChatMessage, type SentMessage } from '../../../src/core/ports/channel-port.ts';
import type { ChatEvent, ChatFile } from '../../../src/core/chat/chat-events.ts';
import { TEST_BOT_TOKEN } from './test-platform.ts';

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
  /** Look the author up on the platform first, as a real adapter asks for a profile (so a platform outage fails it). */
  lookup: z.boolean().optional(),
  /** Recorded with its chat as ordering key, as the real channels record chat messages. */
  ordered: z.boolean().optional(),
  /** The platform's message id, when a test re-delivers one message under another event id (default: the event id). */
  messageId: z.string().min(1).optional(),
  /** Files that came with the message: the bytes are on the test platform (TestPlatform.files), fetched with the bot's token. */
  files: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string(),
        size: z.number().int().nonnegative().optional(),
        contentType: z.string().optional(),
        /** The bytes in the event itself (base64), as a mail's MIME part brings them: nothing to fetch. */
        content: z.string().optional(),
      }),
    )
    .optional(),
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
    async fetchFile(file: ChatFile, maxBytes: number) {
      const path = file.fetchRef?.path;
      if (!path) throw new ChannelSendError('permanent', 'no file reference');
      let res: Response;
      try {
        res = await fetch(`${opts.apiUrl}${path}`, { headers: { authorization: `Bearer ${TEST_BOT_TOKEN}` } });
      } catch (e) {
        throw new ChannelSendError('transient', `network: ${(e as Error).message}`);
      }
      if (res.status >= 500 || res.status === 429) {
        await res.body?.cancel();
        throw new ChannelSendError('transient', `http ${res.status}`);
      }
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        throw new ChannelSendError('permanent', `http ${res.status}`);
      }
      const size = res.headers.get('content-length') ? Number(res.headers.get('content-length')) : null;
      if (size !== null && size > maxBytes) {
        await res.body.cancel();
        throw new FileTooLargeError(size, maxBytes);
      }
      return { body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), contentType: res.headers.get('content-type'), size };
    },
    async postFiles(target, files, ctx) {
      const sent: SentMessage[] = [];
      for (const [i, f] of files.entries()) {
        const q = new URLSearchParams({ chatId: target.chatId, threadRef: target.threadRef ?? '', name: f.name, key: i === 0 ? ctx.deliveryKey : `${ctx.deliveryKey}:${i}` });
        let res: Response;
        try {
          res = await fetch(`${opts.apiUrl}/upload?${q}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_BOT_TOKEN}`, 'content-type': f.contentType, 'content-length': String(f.size) },
            body: Readable.toWeb(await f.open()) as unknown as RequestInit["body"],
            duplex: 'half',
          } as RequestInit);
        } catch (e) {
          throw new ChannelSendError('transient', `network: ${(e as Error).message}`);
        }
        const json = (await res.json().catch(() => ({}))) as { ok?: boolean; id?: string; error?: string };
        if (res.status >= 500) throw new ChannelSendError('transient', `http ${res.status}`);
        if (!json.ok || !json.id) throw new ChannelSendError('permanent', json.error ?? `http ${res.status}`);
        sent.push({ messageId: json.id });
      }
      return sent;
    },
    async parse(env): Promise<ChatEvent[]> {
      const e = inboundSchema.parse(env.payload);
      if (e.poison) throw new Error('poison event');
      const person = { platform: 'test', workspaceId: 'w', platformUserId: e.user };
      // `lookup`: the adapter reads from the platform while parsing (as Slack reads a reacted message), so a platform
      // outage fails the event here.
      if (e.lookup) await call('/profile', { user: e.user });
      const profile = async () => ({ ...person, displayName: e.user, verifiedEmail: e.email, locale: 'en' as const });
      return [
        {
          type: 'message',
          place: { platform: 'test', workspaceId: 'w', chatId: e.chatId, threadRef: e.threadRef, direct: false },
          messageId: `${e.chatId}:${e.messageId ?? e.id}`,
          author: { ...person, profile },
          text: e.text,
          files: (e.files ?? []).map((f) => ({
            name: f.name,
            url: `${opts.apiUrl}/view/${encodeURIComponent(f.id)}`,
            platformFileId: f.id,
            size: f.size ?? null,
            contentType: f.contentType ?? null,
            fetchRef: { path: `/files/${encodeURIComponent(f.id)}` },
            ...(f.content !== undefined ? { content: Buffer.from(f.content, 'base64') } : {}),
          })),
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
        const r = await deps.inbox.record({
          platform: 'test',
          externalId: parsed.data.id,
          payload: parsed.data,
          ...(parsed.data.ordered ? { orderingKey: parsed.data.chatId } : {}),
        });
        return reply.code(200).send({ ok: true, duplicate: r.duplicate });
      });
    },
  };
}
