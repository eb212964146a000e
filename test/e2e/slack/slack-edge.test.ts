import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelSendError } from '../../../src/core/ports/channel-port.ts';
import { nowSeconds } from '../../fakes/slack/slack-inbound.ts';
import { ALICE, CHANNEL, startSlackHarness, type SlackHarness } from '../../helpers/slack/slack-harness.ts';
import { assistCommand, fixture, reactionAdded } from '../../helpers/slack/slack-payloads.ts';

describe('Slack at the edges: signatures, timestamps, Slack failing (real HTTP)', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('a bad signature gets 401 and nothing is stored or opened', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'help' });
    const res = await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE }), { secret: 'forged' });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    expect(h.inbox.recordCalls).toBe(0);

    const cmd = await h.inbound.command(assistCommand({ channel: CHANNEL, user: ALICE, text: 'x', triggerId: h.fake.issueTrigger() }), {
      secret: 'forged',
    });
    expect(cmd.status).toBe(401);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('an old timestamp (replay) gets 401, even with a valid signature', async () => {
    const res = await h.inbound.event(fixture('event-reaction-added'), { timestamp: nowSeconds() - 10 * 60 });
    expect(res.status).toBe(401);
    expect(h.inbox.recordCalls).toBe(0);
  });

  it('url_verification over HTTP echoes the challenge', async () => {
    const res = await h.inbound.event(fixture('url-verification'));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('Slack answering 429 to a durable job fails the job (the worker retries it later)', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'help' });
    h.fake.failNext('chat.postEphemeral', 1, { kind: 'rate_limited', retryAfter: 3 });
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE }));
    expect(await h.drain()).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    expect(h.fake.ephemerals).toHaveLength(1);
  });

  it('delivering into Slack: 429 -> rate_limited with Retry-After, 5xx -> transient', async () => {
    const target = { platform: 'slack', workspaceId: 'T0001', chatId: CHANNEL, threadRef: null };
    const message = { kind: 'notice' as const, key: 'common:ticket.list_empty' };
    h.fake.failNext('chat.postMessage', 1, { kind: 'rate_limited', retryAfter: 30 });
    h.fake.failNext('chat.postMessage', 1, { kind: 'http', status: 502 });
    const first = await h.module.adapter.post(target, message, { locale: 'en', deliveryKey: 'd1' }).catch((e: unknown) => e);
    const second = await h.module.adapter.post(target, message, { locale: 'en', deliveryKey: 'd1' }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ChannelSendError);
    expect(first).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(second).toMatchObject({ kind: 'transient' });
    // Neither attempt reached the channel; the third does.
    expect(h.fake.messages(CHANNEL)).toHaveLength(0);
    await h.module.adapter.post(target, message, { locale: 'en', deliveryKey: 'd1' });
    expect(h.fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('a stored payload that is not an object is skipped, not retried forever', async () => {
    await expect(
      h.module.adapter.processInbound({ id: 'x', platform: 'slack', externalId: 'Ev-bad', payload: 'garbage', receivedAt: new Date() }),
    ).resolves.toBeUndefined();
  });

  it('Slack unreachable at start: the service stays up, forms still open, events wait for the retry', async () => {
    await h.close();
    // auth.test fails at start, again for the command, and once more for the first event.
    h = await startSlackHarness({ failAuthTests: 3 });
    const cmd = await h.inbound.command(assistCommand({ channel: CHANNEL, user: ALICE, text: 'x', triggerId: h.fake.issueTrigger() }));
    expect(cmd.status).toBe(200);
    expect(h.fake.views).toHaveLength(1);

    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'help' });
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE }));
    expect(await h.drain()).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    expect(h.fake.ephemerals).toHaveLength(1);
    expect(h.fake.callsTo('auth.test')).toHaveLength(4);
  });
});
