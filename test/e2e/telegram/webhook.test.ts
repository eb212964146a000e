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
    h.gate = async () => {
      throw new Error('database down');
    };
    const answer = await postUpdate(h.webhookUrl, h.fake.updates.message(dm, alice, '/help'), WEBHOOK_SECRET);
    expect(answer.status).toBe(503);
    expect(h.core.peek.inbound()).toHaveLength(0);
  });

  it('start() leaves the webhook alone when PUBLIC_URL is plain http (Telegram would refuse it)', async () => {
    h = await new TelegramHarness().start({ publicUrl: 'http://localhost:3000' });
    expect(h.fake.callsTo('setWebhook')).toHaveLength(0);
  });

  it('a stored payload that is not an update parses into nothing and is not retried forever', async () => {
    h = await new TelegramHarness().start();
    await h.core.inbox.record({ platform: 'telegram', externalId: 'x1', payload: { nope: true } });
    await h.run();
    expect(h.core.peek.inbound()).toEqual([expect.objectContaining({ externalId: 'x1', status: 'done', attempts: 0 })]);
    expect(h.fake.callsTo('sendMessage')).toHaveLength(0);
  });

  it('an update recorded before the bot is identified waits, without counting as a failure, then is processed', async () => {
    h = await new TelegramHarness().start({ start: false });
    const { user, chat } = await h.customer(111, 'Alice');
    const update = h.fake.updates.message(chat, user, '/tickets');
    expect((await postUpdate(h.webhookUrl, update, WEBHOOK_SECRET)).status).toBe(200);
    const row = h.core.peek.inbound()[0]!;
    const envelope = { id: row.id, platform: 'telegram', externalId: row.externalId, payload: row.payload, receivedAt: row.receivedAt };
    await expect(h.module.adapter.parse!(envelope)).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 5000 });
    await h.module.start!();
    await h.run();
    expect(h.core.peek.inbound()[0]!.lastError).toBeNull();
    expect(h.core.peek.inbound()[0]).toMatchObject({ status: 'done', attempts: 0 });
    expect(h.texts(chat.id)).toEqual(['You have no open requests.']);
  });

  it('a core failure (not a refusal) is retried; the press is answered once the retry succeeds', async () => {
    h = await new TelegramHarness().start();
    const { user, chat, account } = await h.customer(111, 'Alice');
    const n = await h.ticketFor(account!, 'Printer on fire');
    const prompt = h.fake.lastSent(chat.id);
    const press = h.fake.updates.callbackQuery(user, h.fake.toMessage(prompt, chat), `t:d:${n}`);
    const getTicket = h.core.store.getTicket;
    let failures = 1;
    h.core.store.getTicket = async (number) => {
      if (failures-- > 0) throw new Error('connection terminated');
      return getTicket(number);
    };
    await h.send(press);
    expect(h.core.peek.inbound().at(-1)).toMatchObject({ status: 'done', attempts: 1 });
    expect(h.answers().filter((a) => a.id === press.callback_query.id)).toEqual([{ id: press.callback_query.id }]);
    expect(h.fake.lastSent(chat.id).text.split('\n')[0]).toBe(`#${n} Printer on fire`);
  });
});
