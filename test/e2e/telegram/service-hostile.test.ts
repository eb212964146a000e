/**
 * Telegram updates carrying text PostgreSQL cannot hold (NUL), by webhook and by long polling, end to end: the
 * real service, its PostgreSQL inbox and worker, telegraf, the strict fake Bot API. Such an update is stored,
 * acknowledged (webhook: 200; polling: the next offset confirms it, so the loop goes on) and processed, with
 * U+FFFD where the NUL was (issue 10 of the security audit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postUpdate } from '../../fakes/telegram/telegram-inbound.ts';
import { SERVICE_WEBHOOK_SECRET, TelegramServiceWorld } from '../../helpers/telegram/telegram-service.ts';
import { waitFor } from '../../helpers/wait.ts';

const NUL = '\u0000';

describe('NUL in webhook updates (real service)', () => {
  const w = new TelegramServiceWorld();
  beforeAll(async () => {
    await w.start();
  });
  afterAll(async () => {
    await w.stop();
  });

  it('a name and a request with NUL: linked, asked, and the ticket opened with U+FFFD', async () => {
    const { tg, chat } = await w.person('Nina');
    tg.first_name = `Ni${NUL}na`;
    const user = await w.helpCenterUser('Nina');
    const start = w.fake.updates.command(chat, tg, '/start', await w.linkCode(user.id));
    expect(JSON.stringify(start)).toContain('Ni\\u0000na');
    const first = await postUpdate(w.webhookUrl, start, SERVICE_WEBHOOK_SECRET);
    expect(first.status).toBe(200);
    // Telegram's own retry of the same update is recognised
    expect((await postUpdate(w.webhookUrl, start, SERVICE_WEBHOOK_SECRET)).status).toBe(200);
    await w.processed(start.update_id);
    expect((await w.db.chatIdentity.findFirstOrThrow({ where: { platformUserId: String(tg.id) } })).displayName).toBe('Ni\uFFFDna');

    await w.send(w.fake.updates.message(chat, tg, '/new'));
    await w.send(w.fake.press(tg, w.fake.lastSent(chat.id), 'General'));
    await w.send(w.fake.updates.message(chat, tg, `The printer${NUL} prints only blank pages`));
    const priority = w.fake.lastSent(chat.id);
    expect(priority.text).toBe('Choose the priority:');
    await w.send(w.fake.press(tg, priority, 'Normal'));
    await w.send(w.fake.press(tg, w.fake.store.message(chat.id, priority.message_id)!, 'Submit request'));
    const t = await w.ticket((await w.latestTicketOf(user.id))!.number);
    expect(t.description).toBe('The printer\uFFFD prints only blank pages');
    expect(t.comments.map((c) => c.body)).toEqual(['The printer\uFFFD prints only blank pages']);
  });
});

describe('NUL in polled updates (real service)', () => {
  const w = new TelegramServiceWorld();
  beforeAll(async () => {
    await w.start({ mode: 'polling' });
  });
  afterAll(async () => {
    await w.stop();
  });

  const offsets = () => w.fake.callsTo('getUpdates').map((c) => c.params['offset'] as number | undefined);

  it('an update with NUL is recorded and confirmed, and the loop goes on to the next one', async () => {
    const { tg, chat } = await w.person('Paul');
    const poisoned = w.fake.updates.message(chat, tg, `/help${NUL}`);
    const next = w.fake.updates.message(chat, tg, '/help');
    w.fake.queueUpdate(poisoned);
    w.fake.queueUpdate(next);
    await w.processed(poisoned.update_id);
    await w.processed(next.update_id);
    await waitFor(() => offsets().includes(next.update_id + 1), 20_000, 'the offset past both updates');
    const stored = await w.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'telegram', externalId: String(poisoned.update_id) } } });
    expect((stored.payload as { message: { text: string } }).message.text).toBe('/help\uFFFD');
  });
});
