/**
 * Long-polling mode (local use) against the real service: no webhook route, the leftover webhook is deleted, and
 * updates fetched with getUpdates go through the same inbox and worker as webhook deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postUpdate } from '../../fakes/telegram/telegram-inbound.ts';
import { TelegramServiceWorld } from '../../helpers/telegram/telegram-service.ts';
import { waitFor } from '../../helpers/wait.ts';

const w = new TelegramServiceWorld();
beforeAll(async () => {
  // A webhook left over from an earlier deployment: getUpdates answers 409 until it is deleted.
  w.fake.webhook = { url: 'https://old.example/telegram/webhook' };
  await w.start({ mode: 'polling' });
});
afterAll(async () => {
  await w.stop();
});

const offsets = () => w.fake.callsTo('getUpdates').map((c) => c.params['offset'] as number | undefined);

describe('long polling', () => {
  it('deletes the leftover webhook, asks for the update kinds it handles, and serves no webhook route', async () => {
    expect(w.fake.webhook).toBeNull();
    expect(w.fake.callsTo('setWebhook')).toHaveLength(0);
    await waitFor(() => w.fake.callsTo('getUpdates').length > 0, 10_000, 'the first getUpdates');
    expect(w.fake.callsTo('getUpdates')[0]!.params['allowed_updates']).toEqual(['message', 'edited_message', 'callback_query', 'my_chat_member']);
    expect((await postUpdate(w.webhookUrl, '{"update_id":1}', 'any')).status).toBe(404);
  });

  it('a polled /start <code> is recorded, confirmed by the next offset, and processed by the worker', async () => {
    const { tg, chat } = await w.person('Polly');
    const user = await w.helpCenterUser('Polly');
    const start = w.fake.updates.command(chat, tg, '/start', await w.linkCode(user.id));
    w.fake.queueUpdate(start);
    await w.processed(start.update_id);
    await waitFor(() => offsets().includes(start.update_id + 1), 10_000, 'the offset that confirms the update');
    expect(await w.db.chatIdentity.findFirstOrThrow({ where: { platformUserId: String(tg.id) } })).toMatchObject({ userId: user.id });
    expect(w.fake.lastSent(chat.id).text).toBe(`Welcome, Polly! Your Telegram account is now linked to ${user.email}.\n\nWhat would you like to do?`);

    const list = w.fake.updates.message(chat, tg, '/tickets');
    w.fake.queueUpdate(list);
    await w.processed(list.update_id);
    expect(w.fake.lastSent(chat.id).text).toBe('You have no open requests.');
    const rows = await w.db.inboundEvent.findMany({ where: { platform: 'telegram' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.externalId, r.status])).toEqual([
      [String(start.update_id), 'done'],
      [String(list.update_id), 'done'],
    ]);
  });
});
