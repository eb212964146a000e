import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelSendError, type DeliveryMessage, type ThreadTarget } from '../../../src/core/ports/channel-port.ts';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram adapter: outbound', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  const ticket = { number: 7, subject: 'Printer', status: 'open' as const, priority: 'normal' as const, url: 'https://desk.example/tickets/7' };
  const ctx = (key = 'k1') => ({ locale: 'en' as const, deliveryKey: key });
  const reply = (body: string): DeliveryMessage => ({ kind: 'agent_reply', ticket, authorName: 'Agent', body });
  const dmTarget = (chatId: number): ThreadTarget => ({ platform: 'telegram', workspaceId: String(h.botUser.id), chatId: String(chatId), threadRef: null });

  async function sendError(p: Promise<unknown>): Promise<ChannelSendError> {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ChannelSendError);
    return e as ChannelSendError;
  }

  const id = (messageId: string) => Number(messageId.split(':')[1]);

  it('posts into a group thread as a reply, and still posts when the root message is gone', async () => {
    const { user } = await h.customer(111, 'Alice');
    const group = h.group();
    const root = h.fake.updates.message(group, user, '@ticket_bot something broke');
    h.fake.observe(root);
    const target = { ...dmTarget(group.id), threadRef: String(root.message.message_id) };
    const sent = await h.module.adapter.post(target, reply('first'), ctx());
    expect(h.fake.store.message(group.id, id(sent.messageId))!.reply_to_message_id).toBe(root.message.message_id);
    expect(h.fake.callsTo('sendMessage').at(-1)!.params['reply_parameters']).toEqual({
      message_id: root.message.message_id,
      allow_sending_without_reply: true,
    });
    h.fake.store.message(group.id, root.message.message_id)!.deleted = true;
    await expect(h.module.adapter.post(target, reply('second'), ctx('k2'))).resolves.toHaveProperty('messageId');
  });

  it('sendDirect writes to the private chat, which in Telegram has the user id', async () => {
    await h.customer(111, 'Alice');
    const sent = await h.module.adapter.sendDirect({ workspaceId: String(h.botUser.id), platformUserId: '111' }, reply('hello'), ctx());
    // Message ids are per chat in Telegram: the id the engine keeps names the chat too.
    expect(sent.messageId).toMatch(/^111:\d+$/);
    expect(h.fake.store.message(111, id(sent.messageId))!.text).toBe('Agent replied to request #7:\nhello');
  });

  it('429 -> rate_limited with retryAfterMs = retry_after * 1000', async () => {
    await h.customer(111, 'Alice');
    h.fake.failNext('sendMessage', { type: 'rate_limit', retryAfter: 3 });
    const e = await sendError(h.module.adapter.post(dmTarget(111), reply('x'), ctx()));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(3000);
  });

  it('5xx -> transient; 403 blocked -> permanent; chat not found -> permanent; no connection -> transient', async () => {
    await h.customer(111, 'Alice');
    h.fake.failNext('sendMessage', { type: 'server_error' });
    expect((await sendError(h.module.adapter.post(dmTarget(111), reply('x'), ctx()))).kind).toBe('transient');
    h.fake.failNext('sendMessage', { type: 'blocked' });
    expect((await sendError(h.module.adapter.post(dmTarget(111), reply('x'), ctx()))).kind).toBe('permanent');
    h.fake.blockBot(111);
    const blocked = await sendError(h.module.adapter.post(dmTarget(111), reply('x'), ctx()));
    expect(blocked.kind).toBe('permanent');
    expect(blocked.message).toContain('bot was blocked by the user');
    expect((await sendError(h.module.adapter.post(dmTarget(424242), reply('x'), ctx()))).kind).toBe('permanent');
    await h.fake.stop();
    expect((await sendError(h.module.adapter.post(dmTarget(111), reply('x'), ctx()))).kind).toBe('transient');
  });

  it('splits long texts at 4096, keeps the buttons on the last part, and escapes user text', async () => {
    await h.customer(111, 'Alice');
    // 28 + 1 + 5600 + 1 + 2500 = 8130 visible characters: two parts, the first cut at a space near 4096.
    const body = `${'<tag> & '.repeat(700)}\n${'word '.repeat(500)}`;
    const message: DeliveryMessage = { kind: 'agent_reply', ticket, authorName: 'A<b>', body };
    const sent = await h.module.adapter.post(dmTarget(111), message, ctx());
    const parts = h.fake.sent(111);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(4096);
    expect(parts[0]!.text.length).toBeGreaterThan(4000);
    // Cut between words, never inside "<tag>" or "&"; the escaped text reads literally (the fake parses the HTML).
    expect(parts[0]!.text.endsWith('&')).toBe(true);
    expect(parts[1]!.text.startsWith('<tag> &')).toBe(true);
    const squash = (s: string) => s.replace(/\s+/g, '');
    expect(squash(parts.map((p) => p.text).join(''))).toBe(squash(`A<b> replied to request #7:\n${body}`));
    // The header is bold in the first part only.
    expect(parts[0]!.entities[0]).toEqual({ type: 'bold', offset: 0, length: 27 });
    // The engine keeps every part, so that an edit or a delete of the reply reaches all of them.
    expect(sent.messageId).toBe(`111:${parts[0]!.message_id},${parts[1]!.message_id}`);

    const rating = await h.module.adapter.post(dmTarget(111), { kind: 'rating_prompt', ticket }, ctx('k2'));
    expect(h.fake.store.message(111, id(rating.messageId))!.reply_markup?.inline_keyboard).toHaveLength(3);
  });

  it('a retry after a 429 in the middle of a long message does not repeat the parts already shown', async () => {
    await h.customer(111, 'Alice');
    // Three parts: the header line with the a's, the b's, the c's (each cut at a line break).
    const body = `${'a'.repeat(4000)}\n${'b'.repeat(4000)}\n${'c'.repeat(100)}`;
    h.fake.failNext('sendMessage', { type: 'rate_limit', retryAfter: 2 }, 1, { after: 1 });
    await expect(h.module.adapter.post(dmTarget(111), reply(body), ctx('long'))).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 2000,
    });
    expect(h.fake.sent(111).map((m) => m.text[0])).toEqual(['A']);
    // The engine retries the same delivery: it resumes with the second part.
    await h.module.adapter.post(dmTarget(111), reply(body), ctx('long'));
    expect(h.fake.sent(111).map((m) => m.text[0])).toEqual(['A', 'b', 'c']);
  });

  it('update edits the message; an unchanged edit is fine; delete is idempotent', async () => {
    await h.customer(111, 'Alice');
    const target = dmTarget(111);
    const sent = await h.module.adapter.post(target, { kind: 'rating_prompt', ticket }, ctx());
    const closed = { ...ticket, status: 'closed' as const };
    await h.module.adapter.update(target, sent.messageId, { kind: 'status_changed', ticket: closed, from: 'solved', to: 'closed' }, ctx());
    const edited = h.fake.store.message(111, id(sent.messageId))!;
    expect(edited.text).toBe('Request #7: status changed from Solved to Closed.');
    expect(edited.reply_markup).toBeUndefined();
    await expect(
      h.module.adapter.update(target, sent.messageId, { kind: 'status_changed', ticket: closed, from: 'solved', to: 'closed' }, ctx()),
    ).resolves.toBeUndefined();
    await h.module.adapter.delete(target, sent.messageId);
    expect(h.fake.store.message(111, id(sent.messageId))).toBeUndefined();
    await expect(h.module.adapter.delete(target, sent.messageId)).resolves.toBeUndefined();
  });

  it('declares Telegram limits for the engine', () => {
    expect(h.module.adapter.limits).toEqual({
      maxMessageLength: 4096,
      perChatIntervalMs: 1000,
      perGroupPerMinute: 20,
      globalPerSecond: 30,
      ephemeral: false,
      buttons: true,
      forms: false,
      directCopies: true,
    });
  });

  it("an agent's edit of a long reply edits every part; one that got shorter drops the parts it no longer needs; a delete removes all", async () => {
    await h.customer(111, 'Alice');
    const target = dmTarget(111);
    const sent = await h.module.adapter.post(target, reply(`${'a'.repeat(4000)}\n${'b'.repeat(3000)}`), ctx());
    const [first, second] = h.fake.sent(111);
    await h.module.adapter.update(target, sent.messageId, reply(`${'c'.repeat(4050)}\n${'d'.repeat(100)}`), ctx());
    expect(h.fake.store.message(111, first!.message_id)!.text).toBe(`Agent replied to request #7:\n${'c'.repeat(4050)}`);
    expect(h.fake.store.message(111, second!.message_id)!.text).toBe('d'.repeat(100));
    await h.module.adapter.update(target, sent.messageId, reply('short now'), ctx());
    expect(h.fake.sent(111).map((m) => m.text)).toEqual(['Agent replied to request #7:\nshort now']);
    await h.module.adapter.delete(target, sent.messageId);
    expect(h.fake.sent(111)).toEqual([]);
  });

  it('edits and deletes a message the engine recorded before ids named their chat (a bare number)', async () => {
    await h.customer(111, 'Alice');
    const sent = await h.module.adapter.post(dmTarget(111), reply('old'), ctx());
    const bare = String(id(sent.messageId));
    await h.module.adapter.update(dmTarget(111), bare, reply('new'), ctx());
    expect(h.texts(111)).toEqual(['Agent replied to request #7:\nnew']);
    await h.module.adapter.delete(dmTarget(111), bare);
    expect(h.texts(111)).toEqual([]);
  });
});
