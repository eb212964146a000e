import { afterEach, describe, expect, it } from 'vitest';
import { postUpdate } from '../../fakes/telegram/telegram-inbound.ts';
import { privateChatOf, tgUser } from '../../fakes/telegram/telegram-updates.ts';
import { TelegramHarness, WEBHOOK_SECRET } from '../../helpers/telegram/telegram-harness.ts';

describe('POST /telegram/webhook', () => {
  let h: TelegramHarness;
  afterEach(async () => {
    await h.close();
  });

  const alice = tgUser(111, 'Alice', { languageCode: 'en' });
  const dm = privateChatOf(alice);

  it('a wrong or missing secret gets 401 and nothing is recorded', async () => {
    h = await new TelegramHarness().start();
    const update = h.fake.updates.message(dm, alice, '/help');
    expect((await h.send(update, 'wrong-secret')).status).toBe(401);
    expect((await h.send(update, null)).status).toBe(401);
    expect((await h.send(update, `${WEBHOOK_SECRET}x`)).status).toBe(401);
    expect(h.inbox.rows).toHaveLength(0);
    expect(h.fake.callsTo('sendMessage')).toHaveLength(0);
    // Even an unparsable body with a bad secret is a 401: the secret is checked before the body is read.
    expect((await postUpdate(h.webhookUrl, '{not json', 'nope')).status).toBe(401);
  });

  it('a malformed body gets 400 and nothing is recorded', async () => {
    h = await new TelegramHarness().start();
    for (const body of ['{not json', '', '[]', '{"update_id":"7"}', '{"update_id":1,"message":{"chat":{}}}']) {
      const answer = await postUpdate(h.webhookUrl, body, WEBHOOK_SECRET);
      expect(answer.status, body).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect(h.inbox.rows).toHaveLength(0);
  });

  it('a body over 1 MiB gets 413', async () => {
    h = await new TelegramHarness().start();
    const big = JSON.stringify({ update_id: 1, padding: 'x'.repeat(1024 * 1024) });
    expect((await postUpdate(h.webhookUrl, big, WEBHOOK_SECRET)).status).toBe(413);
    expect(h.inbox.rows).toHaveLength(0);
  });

  it('records the update with update_id as externalId and answers 200 with an empty body', async () => {
    h = await new TelegramHarness().start();
    const update = h.fake.updates.message(dm, alice, '/help');
    h.fake.observe(update);
    const answer = await postUpdate(h.webhookUrl, update, WEBHOOK_SECRET);
    expect(answer).toEqual({ status: 200, body: '' });
    expect(h.inbox.rows).toHaveLength(1);
    expect(h.inbox.rows[0]).toMatchObject({ platform: 'telegram', externalId: String(update.update_id), payload: update });
    // Nothing ran yet: handlers run from the inbox, not in the request.
    expect(h.fake.callsTo('sendMessage')).toHaveLength(0);
    await h.drain();
    expect(h.fake.callsTo('sendMessage')).toHaveLength(1);
  });

  it('a duplicate delivery is answered 200 and processed once', async () => {
    h = await new TelegramHarness().start();
    const update = h.fake.updates.message(dm, alice, '/help');
    expect((await h.send(update)).status).toBe(200);
    expect((await h.send(update)).status).toBe(200);
    expect(h.inbox.rows).toHaveLength(1);
    expect(h.fake.sent(dm.id)).toHaveLength(1);
  });

  it('answers 503 (so Telegram retries) when the inbox cannot record', async () => {
    h = await new TelegramHarness().start();
    h.inbox.gate = async () => {
      throw new Error('database down');
    };
    const answer = await postUpdate(h.webhookUrl, h.fake.updates.message(dm, alice, '/help'), WEBHOOK_SECRET);
    expect(answer.status).toBe(503);
    expect(h.inbox.rows).toHaveLength(0);
  });

  it('start() registers the webhook with the secret when PUBLIC_URL is https', async () => {
    h = await new TelegramHarness().start({ publicUrl: 'https://support.example.com' });
    expect(h.fake.webhook).toEqual({
      url: 'https://support.example.com/telegram/webhook',
      secret: WEBHOOK_SECRET,
      allowedUpdates: ['message', 'callback_query', 'my_chat_member'],
    });
    expect(h.fake.callsTo('getMe')).toHaveLength(1);
  });

  it('start() leaves the webhook alone when PUBLIC_URL is plain http (Telegram would refuse it)', async () => {
    h = await new TelegramHarness().start({ publicUrl: 'http://localhost:3000' });
    expect(h.fake.callsTo('setWebhook')).toHaveLength(0);
  });

  it('a stored payload that is not an update is skipped by processInbound, not retried forever', async () => {
    h = await new TelegramHarness().start();
    await expect(
      h.module.adapter.processInbound({ id: 'x', platform: 'telegram', externalId: '1', payload: { nope: true }, receivedAt: new Date() }),
    ).resolves.toBeUndefined();
    expect(h.fake.callsTo('sendMessage')).toHaveLength(0);
  });

  it('a core failure (not a refusal) fails processInbound so the worker retries; the press is still answered', async () => {
    h = await new TelegramHarness().start();
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/tickets'));
    const press = h.fake.updates.callbackQuery(user, h.fake.updates.message(chat, user, 'x').message, 't:d:5');
    h.fake.observe(press);
    await postUpdate(h.webhookUrl, press, WEBHOOK_SECRET);
    const row = h.inbox.rows.at(-1)!;
    const original = h.desk.getTicketForRequester.bind(h.desk);
    h.desk.getTicketForRequester = async () => {
      throw new Error('connection terminated');
    };
    await expect(h.module.adapter.processInbound(row)).rejects.toThrow('connection terminated');
    expect(h.answers().map((a) => a.id)).toContain(press.callback_query.id);
    // The retry, once the core is back, does the work.
    h.desk.getTicketForRequester = original;
    await h.module.adapter.processInbound(row);
    // Ticket 5 does not exist: this time the core answered, and the person is told.
    expect(h.answers().at(-1)).toEqual({ id: press.callback_query.id, text: 'Request not found.', alert: true });
  });
});
