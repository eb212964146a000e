/**
 * Telegram unreachable when the service starts (getMe fails): the service starts anyway, the channel keeps trying
 * in the background, and once the bot is known it polls (or registers its webhook) and works; updates the webhook
 * recorded meanwhile wait in the inbox and are processed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_WEBHOOK_SECRET, TelegramServiceWorld } from '../../helpers/telegram/telegram-service.ts';
import { waitFor } from '../../helpers/wait.ts';
import { postUpdate } from '../../fakes/telegram/telegram-inbound.ts';

let w: TelegramServiceWorld | undefined;
afterEach(async () => {
  await w?.stop();
  w = undefined;
});

const inboxRow = (world: TelegramServiceWorld, updateId: number) =>
  world.db.inboundEvent.findUnique({ where: { platform_externalId: { platform: 'telegram', externalId: String(updateId) } } });

describe('Telegram down at start', () => {
  it('polling: the service starts, getMe is retried, and polling begins once the bot is known', async () => {
    w = new TelegramServiceWorld();
    w.fake.failNext('getMe', { type: 'server_error' }, 3);
    await w.start({ mode: 'polling' });
    // The rest of the service is up while Telegram is not.
    expect((await w.svc.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await w.api('GET', '/services')).status).toBe(200);

    await waitFor(() => w!.fake.callsTo('getUpdates').length > 0, 60_000, 'polling to begin');
    expect(w.fake.callsTo('getMe').filter((c) => c.status === 500)).toHaveLength(3);
    const { tg, chat } = await w.person('Patience');
    const list = w.fake.updates.message(chat, tg, '/tickets');
    w.fake.queueUpdate(list);
    await w.processed(list.update_id);
    // A stranger is told how to link, with the bot's own name, which only getMe could tell.
    expect(w.fake.lastSent(chat.id).text).toContain(`t.me/${w.fake.bot.username}?start=<code>`);
  }, 120_000);

  it('webhook: updates recorded while the bot is unknown are processed later, and the webhook gets registered', async () => {
    w = new TelegramServiceWorld();
    // Enough failures that the first update arrives (and is tried) before any getMe succeeds.
    w.fake.failNext('getMe', { type: 'server_error' }, 4);
    await w.start({ mode: 'webhook' });
    expect(w.fake.webhook).toBeNull();
    const { tg, chat } = await w.person('Wendy');
    const list = w.fake.updates.message(chat, tg, '/tickets');
    w.fake.observe(list);
    expect((await postUpdate(w.webhookUrl, list, SERVICE_WEBHOOK_SECRET)).status).toBe(200);

    await waitFor(async () => (await inboxRow(w!, list.update_id))?.status === 'done', 90_000, 'the waiting update to be processed');
    expect(w.fake.lastSent(chat.id).text).toContain(`t.me/${w.fake.bot.username}?start=<code>`);
    await waitFor(() => w!.fake.webhook !== null, 60_000, 'the webhook to be registered');
    expect(w.fake.webhook?.url).toBe('https://help.test/telegram/webhook');
  }, 180_000);
});
