import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackFake } from '../../../test/fakes/slack/slack-fake.ts';
import { ChannelSendError, type ChannelAdapter, type RichMessage, type ThreadTarget } from '../../core/ports/channel-port.ts';
import type { ChatReply } from '../../core/chat/chat-service.ts';
import { t } from '../../i18n/catalog.ts';
import { createSlackAdapter } from './slack-adapter.ts';
import { SlackApi } from './slack-api.ts';

const ticket = { number: 7, subject: 'VPN down', status: 'open' as const, priority: 'high' as const, url: 'https://help.example.com/tickets/7' };
const notice: RichMessage = { kind: 'status_changed', ticket, from: 'new', to: 'open' };
const ctx = { locale: 'en' as const, deliveryKey: 'outbox-42' };

async function sendError(p: Promise<unknown>): Promise<ChannelSendError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChannelSendError);
  return e as ChannelSendError;
}

describe('Slack adapter (outbound) against the Slack fake', () => {
  let fake: SlackFake;
  let adapter: ChannelAdapter;
  let root: string;
  let target: ThreadTarget;

  beforeEach(async () => {
    fake = new SlackFake();
    await fake.start();
    fake.addUser({ id: 'U1' });
    fake.addChannel({ id: 'C1', members: ['U1'] });
    root = fake.addMessage('C1', { user: 'U1', text: 'help' }).ts;
    target = { platform: 'slack', workspaceId: 'T0001', chatId: 'C1', threadRef: root };
    adapter = createSlackAdapter({ api: new SlackApi({ botToken: fake.botToken, apiUrl: fake.apiUrl }), parse: async () => [] });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('declares Slack\'s limits', () => {
    expect(adapter.platform).toBe('slack');
    expect(adapter.limits).toMatchObject({ maxMessageLength: 40_000, perChatIntervalMs: 1000, ephemeral: true, buttons: true, forms: true });
  });

  it('post() puts the message in the thread, as the bot, with the delivery key as metadata', async () => {
    const sent = await adapter.post(target, notice, ctx);
    const [posted] = fake.botReplies('C1', root);
    expect(posted?.ts).toBe(sent.messageId);
    expect(posted?.metadata).toEqual({ event_type: 'ticket_delivery', event_payload: { key: 'outbox-42' } });
    const call = fake.callsTo('chat.postMessage')[0]!;
    expect(call.token).toBe(fake.botToken);
    expect(call.contentType).toBe('application/x-www-form-urlencoded');
  });

  it('findDelivered() finds a delivery by its key, and only that one', async () => {
    const sent = await adapter.post(target, notice, ctx);
    expect(await adapter.findDelivered!(target, ctx)).toEqual({ messageId: sent.messageId });
    expect(await adapter.findDelivered!(target, { ...ctx, deliveryKey: 'outbox-43' })).toBeNull();
    const channelTarget = { ...target, threadRef: null };
    const top = await adapter.post(channelTarget, notice, { ...ctx, deliveryKey: 'outbox-44' });
    expect(await adapter.findDelivered!(channelTarget, { ...ctx, deliveryKey: 'outbox-44' })).toEqual({ messageId: top.messageId });
  });

  it('findDelivered() in a thread it cannot read answers null', async () => {
    expect(await adapter.findDelivered!({ ...target, chatId: 'C404' }, ctx)).toBeNull();
  });

  it('update() and delete() act on the bot\'s message', async () => {
    const sent = await adapter.post(target, notice, ctx);
    await adapter.update(target, sent.messageId, { kind: 'status_changed', ticket, from: 'open', to: 'pending' }, ctx);
    expect(fake.botReplies('C1', root)[0]?.text).toContain('Awaiting your reply');
    await adapter.delete(target, sent.messageId);
    expect(fake.botReplies('C1', root)).toHaveLength(0);
  });

  it('update() and delete() follow an agent editing and deleting a public reply', async () => {
    const reply = { kind: 'agent_reply' as const, ticket, authorName: 'Dana', body: 'Restart the router' };
    const sent = await adapter.post(target, reply, ctx);
    await adapter.update(target, sent.messageId, { ...reply, body: 'Restart the router, then the laptop' }, ctx);
    expect(fake.botReplies('C1', root)).toEqual([expect.objectContaining({ ts: sent.messageId, text: expect.stringContaining('Restart the router, then the laptop') })]);
    // The delivery key stays on the message, so a lost answer can still be found.
    expect(await adapter.findDelivered!(target, ctx)).toEqual({ messageId: sent.messageId });
    await adapter.delete(target, sent.messageId);
    expect(fake.botReplies('C1', root)).toEqual([]);
    expect((await sendError(adapter.delete(target, sent.messageId))).kind).toBe('permanent');
  });

  it('sendDirect() lands in the app\'s direct chat with the person and names that chat', async () => {
    const sent = await adapter.sendDirect({ workspaceId: 'T0001', platformUserId: 'U1' }, notice, ctx);
    const dm = fake.workspace.resolveChannel('U1')!;
    expect(dm.isIm).toBe(true);
    expect(sent).toEqual({ messageId: expect.any(String), chatId: dm.id });
    expect(fake.messages(dm.id).map((m) => m.ts)).toEqual([sent.messageId]);
  });

  it('findDelivered() for a direct link (a user id) looks in the direct chat Slack opens for it', async () => {
    const direct = { platform: 'slack', workspaceId: 'T0001', chatId: 'U1', threadRef: null };
    const sent = await adapter.sendDirect({ workspaceId: 'T0001', platformUserId: 'U1' }, notice, ctx);
    expect(await adapter.findDelivered!(direct, ctx)).toEqual({ messageId: sent.messageId });
    expect(await adapter.findDelivered!(direct, { ...ctx, deliveryKey: 'outbox-99' })).toBeNull();
    expect(fake.callsTo('conversations.open').map((c) => c.args['users'])).toEqual(['U1', 'U1']);
    // Slack's histories refuse a user id: asking with one would find nothing and double the message.
    expect(fake.callsTo('conversations.history').every((c) => String(c.args['channel']).startsWith('D'))).toBe(true);
  });

  it('429 with Retry-After -> rate_limited with the wait in milliseconds', async () => {
    fake.failNext('chat.postMessage', 1, { kind: 'rate_limited', retryAfter: 7 });
    const e = await sendError(adapter.post(target, notice, ctx));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(7000);
    // The client neither slept nor retried: one call reached Slack.
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('HTTP 500 -> transient, without retrying on its own', async () => {
    fake.failNext('chat.postMessage', 1, { kind: 'http', status: 500 });
    expect((await sendError(adapter.post(target, notice, ctx))).kind).toBe('transient');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('Slack\'s internal_error -> transient', async () => {
    fake.failNext('chat.postMessage', 1, { kind: 'error', error: 'internal_error' });
    expect((await sendError(adapter.post(target, notice, ctx))).kind).toBe('transient');
  });

  it.each([
    ['channel_not_found', () => ({ ...target, chatId: 'C404', threadRef: null })],
    ['not_in_channel', () => {
      fake.addChannel({ id: 'C2', members: ['U1'], botMember: false });
      return { ...target, chatId: 'C2', threadRef: null };
    }],
    ['is_archived', () => {
      fake.addChannel({ id: 'C3', members: ['U1'], archived: true });
      return { ...target, chatId: 'C3', threadRef: null };
    }],
    ['thread_not_found', () => ({ ...target, threadRef: '1600000000.000001' })],
  ])('%s -> permanent', async (code, make) => {
    const e = await sendError(adapter.post(make(), notice, ctx));
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain(code);
  });

  it('account_inactive and a wrong token (invalid_auth) -> permanent', async () => {
    fake.failNext('chat.postMessage', 1, { kind: 'error', error: 'account_inactive' });
    expect((await sendError(adapter.post(target, notice, ctx))).kind).toBe('permanent');
    const wrong = createSlackAdapter({ api: new SlackApi({ botToken: 'xoxb-wrong', apiUrl: fake.apiUrl }), parse: async () => [] });
    const e = await sendError(wrong.post(target, notice, ctx));
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain('invalid_auth');
  });

  it('updating a message the bot did not post -> permanent (cant_update_message)', async () => {
    const e = await sendError(adapter.update(target, root, notice, ctx));
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain('cant_update_message');
  });

  it('Slack unreachable -> transient', async () => {
    await fake.stop();
    const e = await sendError(adapter.post(target, notice, ctx));
    expect(e.kind).toBe('transient');
    await fake.start();
  });

  describe('tell()', () => {
    const who = { platform: 'slack', workspaceId: 'T0001', platformUserId: 'U1' };
    const reply = (over: Partial<ChatReply> = {}): ChatReply => ({
      to: 'actor', place: { ...target, direct: false }, actor: who, locale: 'ja', message: { kind: 'notice', key: 'common:error.not_registered' }, replaces: null, brief: false, ...over,
    });
    const rctx = { envelope: { id: '1', platform: 'slack', externalId: 'Ev1', payload: {}, receivedAt: new Date() }, deliveryKey: 'inbound-1-0' };

    it('to the actor: an ephemeral in the thread, in their language', async () => {
      await adapter.tell!(reply(), rctx);
      expect(fake.ephemerals).toEqual([expect.objectContaining({ channel: 'C1', user: 'U1', thread_ts: root, text: t('ja', 'common:error.not_registered') })]);
    });

    it('to the actor where they cannot get an ephemeral (not in the channel): their direct chat with the app', async () => {
      fake.addChannel({ id: 'C9', members: [] });
      await adapter.tell!(reply({ place: { platform: 'slack', workspaceId: 'T0001', chatId: 'C9', threadRef: null, direct: false } }), rctx);
      expect(fake.ephemerals).toEqual([]);
      expect(fake.messages('D1').map((m) => m.text)).toEqual([t('ja', 'common:error.not_registered')]);
    });

    it('to the place with `replaces`: the pressed message becomes the outcome; a message gone is posted anew', async () => {
      const prompt = await adapter.post(target, { kind: 'rating_prompt', ticket }, ctx);
      const done = { kind: 'notice' as const, key: 'common:rating.done_public', params: { number: 7, score: 5 } };
      await adapter.tell!(reply({ to: 'place', message: done, replaces: prompt.messageId }), rctx);
      expect(fake.botReplies('C1', root)).toEqual([expect.objectContaining({ ts: prompt.messageId, text: t('ja', 'common:rating.done_public', { number: 7, score: 5 }) })]);
      await adapter.tell!(reply({ to: 'place', message: done, replaces: '1500000000.000001' }), rctx);
      expect(fake.botReplies('C1', root)).toHaveLength(2);
    });

    it('a created request says nothing more (the thread gets its confirmation); Slack\'s throttle is thrown to be retried', async () => {
      const created = reply({ message: { kind: 'request_done', ticket, created: true, draftId: 'd1' } });
      // What it says before telling, so that the engine need not store an answer that sends nothing.
      expect([created, reply({ message: { kind: 'request_done', ticket, created: false, draftId: 'd1' } }), reply()].map((r) => adapter.says!(r))).toEqual([false, true, true]);
      await adapter.tell!(created, rctx);
      expect(fake.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
      fake.failNext('chat.postEphemeral', 1, { kind: 'rate_limited', retryAfter: 3 });
      expect(await sendError(adapter.tell!(reply(), rctx))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
      expect(fake.messages('D1')).toEqual([]);
    });
  });
});
