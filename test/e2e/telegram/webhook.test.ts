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

  it('answers 503 (so Telegram retries) when the inbox cannot record', async () => {
    h = await new TelegramHarness().start();
    h.inbox.gate = async () => {
      throw new Error('database down');
    };
    const answer = await postUpdate(h.webhookUrl, h.fake.updates.message(dm, alice, '/help'), WEBHOOK_SECRET);
    expect(answer.status).toBe(503);
    expect(h.inbox.rows).toHaveLength(0);
  });

  it('start() leaves the webhook alone when PUBLIC_URL is plain http (Telegram would refuse it)', async () => {
    h = await new TelegramHarness().start({ publicUrl: 'http://localhost:3000' });
    expect(h.fake.callsTo('setWebhook')).toHaveLength(0);
  });

  it('a stored payload that is not an update is skipped by processInbound, not retried forever', async () => {
    h = await new TelegramHarness().start();
    await expect(
      h.module.adapter.processInbound!({ id: 'x', platform: 'telegram', externalId: '1', payload: { nope: true }, receivedAt: new Date() }),
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
    await expect(h.module.adapter.processInbound!(row)).rejects.toThrow('connection terminated');
    expect(h.answers().map((a) => a.id)).toContain(press.callback_query.id);
    // The retry, once the core is back, does the work.
    h.desk.getTicketForRequester = original;
    await h.module.adapter.processInbound!(row);
    // Ticket 5 does not exist: this time the core answered, and the person is told.
    expect(h.answers().at(-1)).toEqual({ id: press.callback_query.id, text: 'Request not found.', alert: true });
  });
});
