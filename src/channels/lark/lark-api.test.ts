import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelSendError } from '../../core/ports/channel-port.ts';
import { LarkFake, type FakeChat } from '../../../test/fakes/lark/lark-fake.ts';
import { createLarkApi, type LarkApi } from './lark-api.ts';

const SEND = '/open-apis/im/v1/messages';
const text = { msgType: 'text' as const, text: 'hello' };

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

async function sendError(api: LarkApi, chatId: string): Promise<ChannelSendError> {
  try {
    await api.send('chat_id', chatId, text);
  } catch (e) {
    if (e instanceof ChannelSendError) return e;
    throw e;
  }
  throw new Error('expected the send to fail');
}

describe('LarkApi against the fake Open API', () => {
  let fake: LarkFake;
  let api: LarkApi;
  let chat: FakeChat;
  let lines: string[];

  beforeEach(async () => {
    fake = new LarkFake();
    await fake.start();
    const log = capturingLogger();
    lines = log.lines;
    api = createLarkApi({ appId: fake.appId, appSecret: fake.appSecret, domain: fake.url, timeoutMs: 5000, logger: log.logger });
    chat = fake.addGroup([fake.addUser({ name: 'Alice' })]);
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('sends with a tenant token it fetched once, and returns the message id', async () => {
    const a = (await api.send('chat_id', chat.chat_id, text)).messageId;
    const b = (await api.send('chat_id', chat.chat_id, text)).messageId;
    expect(a).not.toBe(b);
    expect(fake.messages.get(a)?.content).toBe('{"text":"hello"}');
    expect(fake.callsTo('POST', '/open-apis/auth/v3/tenant_access_token/internal')).toHaveLength(1);
    expect(fake.callsTo('POST', SEND).every((c) => /^Bearer t-/.test(c.headers.authorization ?? ''))).toBe(true);
  });

  it('maps HTTP 429 / 99991400 to rate_limited with the reset header in milliseconds', async () => {
    fake.rateLimitNext(SEND, 1, 3);
    const e = await sendError(api, chat.chat_id);
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(3000);
  });

  it('maps 99991400 answered with HTTP 200 to rate_limited too, reading the header of that answer', async () => {
    fake.failNext(SEND, 1, { status: 200, code: 99991400, msg: 'request trigger frequency limit', headers: { 'x-ogw-ratelimit-reset': '2' } });
    const e = await sendError(api, chat.chat_id);
    expect(e).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
  });

  it('maps the per-chat limit 230020 to rate_limited after one second', async () => {
    fake.chatLimitNext(SEND, 1);
    expect(await sendError(api, chat.chat_id)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
  });

  it('maps HTTP 500 and an unreachable server to transient', async () => {
    fake.serverErrorNext(SEND, 1);
    expect((await sendError(api, chat.chat_id)).kind).toBe('transient');
    await fake.stop();
    expect((await sendError(api, chat.chat_id)).kind).toBe('transient');
    await fake.start(); // afterEach stops it again
  });

  it('maps bot-not-in-chat (230002) and an unknown chat to permanent', async () => {
    fake.botNotInChatNext(SEND, 1);
    expect((await sendError(api, chat.chat_id)).kind).toBe('permanent');
    expect((await sendError(api, 'oc_gone')).kind).toBe('permanent');
  });

  it('refuses wrong app credentials as permanent', async () => {
    const wrong = createLarkApi({ appId: fake.appId, appSecret: 'wrong', domain: fake.url, timeoutMs: 5000, logger: pino({ level: 'silent' }) });
    expect((await sendError(wrong, chat.chat_id)).kind).toBe('permanent');
  });

  it('never logs the tenant token or the app secret', async () => {
    fake.serverErrorNext(SEND, 1);
    await sendError(api, chat.chat_id);
    // a failing token call: the SDK logs the request, whose body holds the secret
    const log = capturingLogger();
    const wrong = createLarkApi({ appId: fake.appId, appSecret: 'wrong-secret-value', domain: fake.url, timeoutMs: 5000, logger: log.logger });
    await sendError(wrong, chat.chat_id);
    const all = lines.join('') + log.lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(all).not.toMatch(/t-[0-9a-f]{20,}/);
    expect(all).not.toContain(fake.appSecret);
    expect(all).not.toContain('wrong-secret-value');
  });

  it('reads a contact profile and the bot identity', async () => {
    const u = fake.addUser({ name: 'Ren', email: 'ren@example.jp', locale: 'ja_JP' });
    expect(await api.getUser(u.open_id)).toEqual({ name: 'Ren', email: 'ren@example.jp', locale: 'ja_JP' });
    expect(await api.botOpenId()).toBe(fake.botOpenId);
    await expect(api.getUser('ou_unknown')).rejects.toBeInstanceOf(ChannelSendError);
  });
});
