/**
 * Operating Telegram against the real service: the webhook's secret and body checks, updates recognised by
 * update_id, the Bot API answering 429 / 5xx / 403 (through the sync engine and inside interactive answers), long
 * texts split at Telegram's limit, and user text escaped for parse_mode HTML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postUpdate } from '../../fakes/telegram/telegram-inbound.ts';
import { SERVICE_WEBHOOK_SECRET, TelegramServiceWorld, type Customer } from '../../helpers/telegram/telegram-service.ts';

const w = new TelegramServiceWorld();
beforeAll(async () => {
  await w.start();
});
afterAll(async () => {
  await w.stop();
});

const inboundCount = () => w.db.inboundEvent.count({ where: { platform: 'telegram' } });

/** A ticket an agent opens for a registered customer; the core notifies their private chat (confirmation delivered). */
async function ticketFor(c: Customer, subject: string): Promise<number> {
  const r = await w.api('POST', '/tickets', { subject, description: `${subject}, details follow`, requesterId: c.userId });
  expect(r.status).toBe(201);
  await w.deliveries(r.body.ticket.number, 1);
  return r.body.ticket.number;
}

/** sendMessage calls into one chat, as Telegram answered them. */
const sendStatuses = (chatId: number, skip = 0) =>
  w.fake.callsTo('sendMessage').filter((c) => Number(c.params['chat_id']) === chatId).slice(skip).map((c) => c.status);

describe('the webhook', () => {
  it('a wrong or missing secret gets 401 and nothing is stored or processed', async () => {
    const { tg, chat } = await w.person('Stan');
    const update = w.fake.updates.message(chat, tg, '/help');
    w.fake.observe(update);
    const before = await inboundCount();
    for (const secret of ['wrong-secret', null, `${SERVICE_WEBHOOK_SECRET}x`]) {
      const answer = await postUpdate(w.webhookUrl, update, secret);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'unauthenticated' } });
    }
    // Checked before the body is read: a malformed body with a bad secret is a 401 too.
    expect((await postUpdate(w.webhookUrl, '{not json', 'nope')).status).toBe(401);
    expect(await inboundCount()).toBe(before);
    // The right secret for the same update is then taken (nothing about it was remembered).
    expect((await w.send(update)).status).toBe(200);
    expect(await inboundCount()).toBe(before + 1);
    expect(w.texts(chat.id)).toHaveLength(1);
  });

  it('malformed bodies get 400 and bodies over 1 MiB get 413; nothing is stored', async () => {
    const before = await inboundCount();
    for (const body of ['{not json', '', '[]', '{"update_id":"7"}', '{"update_id":1,"message":{"chat":{}}}']) {
      const answer = await postUpdate(w.webhookUrl, body, SERVICE_WEBHOOK_SECRET);
      expect(answer.status, body).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const big = JSON.stringify({ update_id: 1, padding: 'x'.repeat(1024 * 1024) });
    expect((await postUpdate(w.webhookUrl, big, SERVICE_WEBHOOK_SECRET)).status).toBe(413);
    expect(await inboundCount()).toBe(before);
  });

  it('an update delivered twice is recorded once under its update_id and processed once', async () => {
    const c = await w.customer('Dora');
    const update = w.fake.updates.message(c.chat, c.tg, '/help');
    const first = await w.send(update);
    const again = await postUpdate(w.webhookUrl, update, SERVICE_WEBHOOK_SECRET);
    expect(first).toEqual({ status: 200, body: '' });
    expect(again).toEqual({ status: 200, body: '' });
    // A later update, processed after the duplicate was answered, proves the worker has moved on.
    await w.send(w.fake.updates.message(c.chat, c.tg, '/tickets'));
    const rows = await w.db.inboundEvent.findMany({ where: { platform: 'telegram', externalId: String(update.update_id) } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'done', attempts: 0, payload: update });
    const texts = w.texts(c.chat.id);
    expect(texts.filter((t) => t.startsWith('/new: create a request'))).toHaveLength(1);
    expect(texts.at(-1)).toBe('You have no open requests.');
  });
});

describe('the Bot API refusing', () => {
  it('429 on a delivery: the engine waits retry_after and delivers once, in order', async () => {
    const c = await w.customer('Rita');
    const n = await ticketFor(c, 'Rate limited ticket');
    const skip = sendStatuses(c.chat.id).length;
    w.fake.failNext('sendMessage', { type: 'rate_limit', retryAfter: 1 });
    await w.api('POST', `/tickets/${n}/comments`, { body: 'first answer', public: true });
    const deliveries = await w.deliveries(n, 3);
    expect(deliveries.map((d) => [d.outboxEvent.type, d.status, d.attempts])).toEqual([
      ['ticket.created', 'sent', 1],
      ['comment.added', 'sent', 2],
      ['ticket.status_changed', 'sent', 1],
    ]);
    expect(sendStatuses(c.chat.id, skip)).toEqual([429, 200, 200]);
    expect(w.texts(c.chat.id).slice(-2)).toEqual([`${w.agentName} replied to request #${n}:\nfirst answer`, `Request #${n}: status changed from New to Open.`]);
  });

  it('5xx on a delivery: retried with backoff and delivered once', async () => {
    const c = await w.customer('Sven');
    const n = await ticketFor(c, 'Flaky Bot API ticket');
    const skip = sendStatuses(c.chat.id).length;
    w.fake.failNext('sendMessage', { type: 'server_error' }, 2);
    await w.api('PATCH', `/tickets/${n}`, { status: 'pending' });
    const deliveries = await w.deliveries(n, 2);
    expect(deliveries[1]).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(sendStatuses(c.chat.id, skip)).toEqual([500, 500, 200]);
    expect(w.texts(c.chat.id).filter((t) => t === `Request #${n}: status changed from New to Awaiting your reply.`)).toHaveLength(1);
  });

  it('403 (the user blocked the bot): the thread link is marked broken and later changes send nothing', async () => {
    const c = await w.customer('Tess');
    const n = await ticketFor(c, 'Blocked bot ticket');
    w.fake.blockBot(c.tg.id);
    await w.api('PATCH', `/tickets/${n}`, { status: 'on_hold' });
    const deliveries = await w.deliveries(n, 2);
    expect(deliveries[1]!.status).toBe('failed');
    const link = await w.db.chatThreadLink.findFirstOrThrow({ where: { ticket: { number: n } } });
    expect(link.status).toBe('broken');
    expect(link.brokenReason).toBe('telegram 403: Forbidden: bot was blocked by the user');
    await w.api('PATCH', `/tickets/${n}`, { status: 'open' });
    expect(await w.db.delivery.count({ where: { threadLinkId: link.id } })).toBe(2);
  });

  it('429 and 5xx inside an interactive answer: waited out and retried, shown once', async () => {
    const c = await w.customer('Uma');
    const skip = sendStatuses(c.chat.id).length;
    w.fake.failNext('sendMessage', { type: 'rate_limit', retryAfter: 1 });
    const throttled = w.fake.updates.message(c.chat, c.tg, '/tickets');
    await w.send(throttled);
    w.fake.failNext('sendMessage', { type: 'server_error' });
    const failed = w.fake.updates.message(c.chat, c.tg, '/tickets');
    w.fake.observe(failed);
    expect((await postUpdate(w.webhookUrl, failed, SERVICE_WEBHOOK_SECRET)).status).toBe(200);
    await w.processed(failed.update_id, { retries: true });
    expect(sendStatuses(c.chat.id, skip)).toEqual([429, 200, 500, 200]);
    // The answers were stored with the update: its retry tells what is left, and handles nothing twice.
    const rows = await w.db.inboundEvent.findMany({ where: { externalId: { in: [String(throttled.update_id), String(failed.update_id)] } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['done', 0], ['done', 1]]);
    expect(w.texts(c.chat.id).slice(-2)).toEqual(['You have no open requests.', 'You have no open requests.']);
  });
});

describe('texts', () => {
  it('a reply longer than 4096 characters is split at the limit; user text is escaped for HTML', async () => {
    const c = await w.customer('Vera');
    const n = await ticketFor(c, 'Long answer ticket');
    const skip = w.fake.sent(c.chat.id).length;
    // 8 * 700 + 1 + 5 * 500 = 8101 characters of body: two parts (the fake refuses anything over 4096).
    const body = `${'<tag> & '.repeat(700)}\n${'word '.repeat(500)}`;
    const r = await w.api('POST', `/tickets/${n}/comments`, { body, public: true });
    expect(r.status).toBe(201);
    const deliveries = await w.deliveries(n, 3);
    expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
    const [first, second, status] = w.since(c.chat.id, skip);
    for (const part of [first!, second!]) expect(part.text.length).toBeLessThanOrEqual(4096);
    expect(first!.text.length).toBeGreaterThan(4000);
    const squash = (s: string) => s.replace(/\s+/g, '');
    expect(squash(first!.text + second!.text)).toBe(squash(`${w.agentName} replied to request #${n}:\n${body}`));
    // The delivery records every part: an agent's later edit or delete reaches them all.
    expect(deliveries[1]!.platformMessageId).toBe(`${c.chat.id}:${first!.message_id},${second!.message_id}`);
    expect(status!.text).toBe(`Request #${n}: status changed from New to Open.`);
    // The bold header survived; nothing of the body became markup.
    expect(first!.entities).toEqual([{ type: 'bold', offset: 0, length: `${w.agentName} replied to request #${n}:`.length }]);
    expect(second!.entities).toEqual([]);
  });
});

describe('edits and deletes', () => {
  it("an agent's edit of a public reply edits it in the chat, and a delete removes it; an internal note's edit sends nothing", async () => {
    const c = await w.customer('Xena');
    const n = await ticketFor(c, 'Edited answers');
    const reply = await w.api('POST', `/tickets/${n}/comments`, { body: 'Restart the <router>', public: true });
    const note = await w.api('POST', `/tickets/${n}/comments`, { body: 'internal: check the logs', public: false });
    const [, answer] = await w.deliveries(n, 3);
    const message = w.delivered(answer!.platformMessageId)!;
    expect(message.text).toBe(`${w.agentName} replied to request #${n}:\nRestart the <router>`);

    expect((await w.api('PATCH', `/tickets/${n}/comments/${reply.body.comment.id}`, { body: 'Restart the <router> & the modem' })).status).toBe(200);
    expect((await w.api('PATCH', `/tickets/${n}/comments/${note.body.comment.id}`, { body: 'internal: logs are clean' })).status).toBe(200);
    const edited = await w.deliveries(n, 4);
    expect(edited.map((d) => [d.outboxEvent.type, d.status])).toContainEqual(['comment.edited', 'sent']);
    expect(w.fake.store.message(c.chat.id, message.message_id)).toMatchObject({ text: `${w.agentName} replied to request #${n}:\nRestart the <router> & the modem`, edits: 1 });

    expect((await w.api('DELETE', `/tickets/${n}/comments/${reply.body.comment.id}`)).status).toBe(204);
    await w.deliveries(n, 5);
    expect(w.fake.store.message(c.chat.id, message.message_id)).toBeUndefined();
    expect(w.fake.store.allSent().some((m) => m.text.includes('logs'))).toBe(false);
  });

  it("a customer's edit of their comment in Telegram changes it on the ticket, with the old text in its history", async () => {
    const c = await w.customer('Yann');
    const n = await ticketFor(c, 'Edited comments');
    const confirmation = w.fake.lastSent(c.chat.id);
    const message = w.fake.updates.message(c.chat, c.tg, 'it fails at 9:00', { replyTo: w.fake.toMessage(confirmation, c.chat) });
    await w.send(message);
    await w.send(w.fake.updates.edited(message.message, 'it fails at 9:30'));
    const t = await w.ticket(n);
    expect(t.comments.at(-1)).toMatchObject({ body: 'it fails at 9:30', externalRef: `telegram:${w.botId}:${c.chat.id}:${message.message.message_id}` });
    expect(t.comments.at(-1)!.editedAt).not.toBeNull();
    const history = await w.db.ticketEvent.findMany({ where: { ticketId: t.id, kind: 'comment_edited' } });
    expect(history.map((e) => [e.fromValue, e.toValue, e.via])).toEqual([['it fails at 9:00', 'it fails at 9:30', 'telegram']]);
  });
});

describe('one chat, one update at a time', () => {
  it('updates of one chat are processed one after another, in update_id order', async () => {
    const c = await w.customer('Wes');
    const skip = sendStatuses(c.chat.id).length;
    const before = w.fake.sent(c.chat.id).length;
    // The answer to the first update is throttled: its handler waits out retry_after while the next two updates
    // are already recorded. Processed side by side, their answers would overtake it.
    w.fake.failNext('sendMessage', { type: 'rate_limit', retryAfter: 2 });
    const updates = ['/help', '/tickets', '/new'].map((text) => w.fake.updates.message(c.chat, c.tg, text));
    for (const update of updates) {
      w.fake.observe(update);
      expect((await postUpdate(w.webhookUrl, update, SERVICE_WEBHOOK_SECRET)).status).toBe(200);
    }
    for (const update of updates) await w.processed(update.update_id);
    expect(sendStatuses(c.chat.id, skip)).toEqual([429, 200, 200, 200]);
    expect(w.since(c.chat.id, before).map((m) => m.text.split('\n')[0])).toEqual([
      '/new: create a request',
      'You have no open requests.',
      'Choose the service your request is about:',
    ]);
    // The draft /new started (last in the chat) is the newest: /help and /tickets ran before it.
    const drafts = await w.db.requestDraft.findMany({ where: { platformUserId: String(c.tg.id) } });
    expect(drafts).toEqual([expect.objectContaining({ serviceChosen: false, cancelled: false })]);
    const rows = await w.db.inboundEvent.findMany({
      where: { platform: 'telegram', externalId: { in: updates.map((u) => String(u.update_id)) } },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((r) => [r.externalId, r.status, r.attempts])).toEqual(updates.map((u) => [String(u.update_id), 'done', 0]));
    // Finished in the order they were recorded.
    const finished = rows.map((r) => r.processedAt!.getTime());
    expect(finished).toEqual([...finished].sort((a, b) => a - b));
  });
});
