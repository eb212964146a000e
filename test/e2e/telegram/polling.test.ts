import { afterEach, describe, expect, it, vi } from 'vitest';
import { privateChatOf, tgUser } from '../../fakes/telegram/telegram-updates.ts';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

const tuning = { pollTimeoutSeconds: 5, pollBackoffMs: 10 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('telegram long polling', () => {
  let h: TelegramHarness;
  afterEach(async () => {
    await h.close();
  });

  const alice = tgUser(111, 'Alice', { languageCode: 'en' });
  const dm = privateChatOf(alice);
  const offsets = () => h.fake.callsTo('getUpdates').map((c) => c.params['offset'] as number | undefined);

  it('deletes a leftover webhook, records polled updates, and the worker processes them', async () => {
    h = await new TelegramHarness().start({ mode: 'polling', tuning, start: false });
    h.fake.webhook = { url: 'https://old.example/hook' };
    await h.module.start!();
    expect(h.fake.webhook).toBeNull();
    await vi.waitFor(() =>
      expect(h.fake.callsTo('getUpdates')[0]?.params['allowed_updates']).toEqual(['message', 'edited_message', 'callback_query', 'my_chat_member']),
    );

    const update = h.fake.updates.message(dm, alice, '/help');
    h.fake.queueUpdate(update);
    await vi.waitFor(() => expect(h.core.peek.inbound()).toHaveLength(1));
    expect(h.core.peek.inbound()[0]).toMatchObject({ platform: 'telegram', externalId: String(update.update_id), orderingKey: String(dm.id) });
    await vi.waitFor(() => expect(offsets()).toContain(update.update_id + 1));
    await h.run();
    expect(h.fake.lastSent(dm.id).text).toContain('send "/start <code>" here');
  });

  it('does not confirm an update (offset past it) before the inbox has recorded it', async () => {
    h = await new TelegramHarness().start({ mode: 'polling', tuning });
    const entered = deferred();
    const release = deferred();
    h.gate = async () => {
      entered.resolve();
      await release.promise;
    };
    const update = h.fake.updates.message(dm, alice, '/help');
    h.fake.queueUpdate(update);
    await entered.promise;
    // The insert is in flight: no getUpdates may have carried an offset beyond this update.
    expect(offsets().every((o) => o === undefined || o <= update.update_id)).toBe(true);
    expect(h.core.peek.inbound()).toHaveLength(0);
    h.gate = null;
    release.resolve();
    await vi.waitFor(() => expect(offsets()).toContain(update.update_id + 1));
    expect(h.core.peek.inbound()).toHaveLength(1);
  });

  it('a failed insert leaves the update unconfirmed; it is fetched again and recorded once', async () => {
    h = await new TelegramHarness().start({ mode: 'polling', tuning });
    let failures = 1;
    h.gate = async () => {
      if (failures-- > 0) throw new Error('database down');
    };
    const update = h.fake.updates.message(dm, alice, '/help');
    h.fake.queueUpdate(update);
    await vi.waitFor(() => expect(h.core.peek.inbound()).toHaveLength(1));
    const seen = h.fake.callsTo('getUpdates').filter((c) =>
      ((c.response as { result?: { update_id: number }[] })?.result ?? []).some((u) => u.update_id === update.update_id),
    );
    expect(seen.length).toBe(2);
  });

  it('obeys retry_after on a 429 and survives a 500', async () => {
    h = await new TelegramHarness().start({ mode: 'polling', tuning, start: false });
    h.fake.failNext('getUpdates', { type: 'rate_limit', retryAfter: 1 });
    h.fake.failNext('getUpdates', { type: 'server_error' });
    await h.module.start!();
    h.fake.queueUpdate(h.fake.updates.message(dm, alice, '/help'));
    await vi.waitFor(() => expect(h.core.peek.inbound()).toHaveLength(1), { timeout: 10_000 });
    expect(h.fake.callsTo('getUpdates').slice(0, 2).map((c) => c.status)).toEqual([429, 500]);
  });

  it('an update recorded just before a crash is delivered again after restart and processed once', async () => {
    h = await new TelegramHarness().start({ mode: 'polling', tuning });
    const recorded = deferred();
    const original = h.inbox.record;
    const hold = deferred();
    h.inbox.record = async (event) => {
      const result = await original(event);
      recorded.resolve();
      await hold.promise; // "crash": the process stops before the next getUpdates confirms
      return result;
    };
    const update = h.fake.updates.message(dm, alice, '/help');
    h.fake.queueUpdate(update);
    await recorded.promise;
    const stopping = h.module.stop!();
    hold.resolve();
    await stopping;
    h.inbox.record = original;
    expect(offsets().some((o) => o !== undefined && o > update.update_id)).toBe(false);

    const second = h.channel({ mode: 'polling', tuning });
    await second.start!();
    await vi.waitFor(() => expect(offsets()).toContain(update.update_id + 1));
    await second.stop!();
    expect(h.core.peek.inbound()).toHaveLength(1);
    await h.run();
    expect(h.fake.sent(dm.id)).toHaveLength(1);
  });
});
