import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelSendError } from '../../../src/core/ports/channel-port.ts';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';
import { createTicketInGroup, parseContent, seedWorld, type World } from '../../helpers/lark/lark-flows.ts';

const REPLY = '/open-apis/im/v1/messages/:id/reply';

describe('Lark: outbound delivery through the sync engine', () => {
  let h: LarkHarness;
  let w: World;
  let ticket: { number: number; rootId: string };

  beforeEach(async () => {
    h = await new LarkHarness().start();
    w = seedWorld(h);
    ticket = await createTicketInGroup(h, w);
  });
  afterEach(async () => {
    await h.stop();
  });

  const botReplies = () => h.fake.thread(ticket.rootId).filter((m) => m.sender.sender_type === 'app');

  it('obeys a 429 with code 99991400 by waiting x-ogw-ratelimit-reset, then delivers once', async () => {
    h.fake.rateLimitNext(REPLY, 2, 7);
    h.desk.agentComment(ticket.number, 'Dana Agent', 'On our way', true);
    await h.deliverOutbox();
    expect(h.waits).toEqual([7000, 7000]);
    expect(h.delivered.at(-1)!.attempts).toBe(3);
    expect(botReplies().filter((m) => m.content.includes('On our way'))).toHaveLength(1);
  });

  it('treats the per-chat limit 230020 as rate limited for one second', async () => {
    h.fake.chatLimitNext(REPLY, 1);
    h.desk.agentSetStatus(ticket.number, 'on_hold');
    await h.deliverOutbox();
    expect(h.waits).toEqual([1000]);
    expect(botReplies()).toHaveLength(2);
  });

  it('retries a 500 as transient and delivers', async () => {
    h.fake.serverErrorNext(REPLY, 1);
    h.desk.agentSetStatus(ticket.number, 'open');
    await h.deliverOutbox();
    expect(h.delivered.at(-1)!.attempts).toBe(2);
    expect(h.waits).toEqual([]);
    expect(botReplies()).toHaveLength(2);
  });

  it('gives up on a chat the bot is no longer in (permanent)', async () => {
    h.fake.chats.get(w.group.chat_id)!.botIn = false;
    h.desk.agentSetStatus(ticket.number, 'open');
    await h.deliverOutbox();
    expect(h.failedDeliveries).toHaveLength(1);
    expect(h.failedDeliveries[0]!.error.kind).toBe('permanent');
    expect(botReplies()).toHaveLength(1);
  });

  it('posts once when the engine retries a delivery whose first answer was lost (Lark uuid)', async () => {
    const target = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: w.group.chat_id, threadRef: ticket.rootId };
    const msg = { kind: 'agent_reply' as const, ticket: h.desk.summary(h.desk.ticket(ticket.number)), authorName: 'Dana', body: 'Same answer' };
    const ctx = { locale: 'en' as const, deliveryKey: 'delivery-42:ticket-1:agent_reply:comment-7' };
    const first = await h.module.adapter.post(target, msg, ctx);
    const second = await h.module.adapter.post(target, msg, ctx);
    expect(second.messageId).toBe(first.messageId);
    expect(botReplies().filter((m) => m.content.includes('Same answer'))).toHaveLength(1);
    // a key longer than Lark's 50 characters is sent as a stable digest
    const long = { ...ctx, deliveryKey: `x`.repeat(80) };
    const a = await h.module.adapter.post(target, msg, long);
    const b = await h.module.adapter.post(target, msg, long);
    expect(b.messageId).toBe(a.messageId);
    const uuids = h.fake.callsTo('POST', REPLY).map((c) => (c.body as { uuid: string }).uuid);
    expect(uuids.every((u) => u.length <= 50)).toBe(true);
  });

  it('updates and deletes what it posted: cards by PATCH, text by PUT', async () => {
    const target = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: w.group.chat_id, threadRef: ticket.rootId };
    const summary = h.desk.summary(h.desk.ticket(ticket.number));
    const ctx = { locale: 'ru' as const, deliveryKey: 'upd-1' };
    const text = await h.module.adapter.post(target, { kind: 'notice', key: 'ticket.list_empty' }, ctx);
    await h.module.adapter.update(target, text.messageId, { kind: 'notice', key: 'error.generic' }, ctx);
    expect(parseContent(h.fake.messages.get(text.messageId)!)).toEqual({ text: 'Что-то пошло не так. Попробуйте позже.' });
    expect(h.fake.callsTo('PUT', '/open-apis/im/v1/messages/:id')).toHaveLength(1);

    const card = await h.module.adapter.post(target, { kind: 'status_changed', ticket: summary, from: 'new', to: 'open' }, { ...ctx, deliveryKey: 'upd-2' });
    await h.module.adapter.update(target, card.messageId, { kind: 'status_changed', ticket: { ...summary, status: 'pending' }, from: 'open', to: 'pending' }, ctx);
    expect(h.fake.callsTo('PATCH', '/open-apis/im/v1/messages/:id')).toHaveLength(1);
    expect(h.fake.messages.get(card.messageId)!.content).toContain('Ожидает вашего ответа');

    await h.module.adapter.delete(target, card.messageId);
    expect(h.fake.messages.get(card.messageId)!.deleted).toBe(true);
    // deleting again is not an error: the message is gone either way
    await expect(h.module.adapter.delete(target, card.messageId)).resolves.toBeUndefined();
    await expect(h.module.adapter.delete(target, 'om_never_existed')).rejects.toBeInstanceOf(ChannelSendError);
  });

  it('sends direct messages by open_id into the private chat', async () => {
    const sent = await h.module.adapter.sendDirect(
      { workspaceId: h.fake.tenantKey, platformUserId: w.bob.open_id },
      { kind: 'ticket_list', tickets: [h.desk.summary(h.desk.ticket(ticket.number))] },
      { locale: 'ja', deliveryKey: 'dm-1' },
    );
    const m = h.fake.messages.get(sent.messageId)!;
    expect(h.fake.chats.get(m.chat_id)!.type).toBe('p2p');
    expect(m.content).toContain('未解決のリクエスト:');
  });

  it('fetches a new tenant token when Lark stops accepting the cached one', async () => {
    h.fake.revokeTokens();
    h.desk.agentSetStatus(ticket.number, 'open');
    await h.deliverOutbox();
    // first try: rejected token (transient, cache dropped); second: fresh token, delivered
    expect(h.delivered.at(-1)!.attempts).toBe(2);
    expect(h.fake.callsTo('POST', '/open-apis/auth/v3/tenant_access_token/internal').length).toBeGreaterThanOrEqual(2);
  });

  it('lets the inbox worker retry an event when Lark fails transiently, and drops it when Lark refuses for good', async () => {
    const mention = () => h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'new problem here', mentionBot: true }).body;
    await h.send(mention());
    h.fake.serverErrorNext('/open-apis/ephemeral/v1/send', 1);
    const row = h.inbox.pending()[0]!;
    await expect(h.module.adapter.processInbound(row)).rejects.toMatchObject({ kind: 'transient' });
    await expect(h.module.adapter.processInbound(row)).resolves.toBeUndefined();
    expect(h.fake.ephemeralsFor(w.group.chat_id, w.alice.open_id).filter((m) => !m.deleted)).toHaveLength(1);
    row.processed = true;

    h.fake.botNotInChatNext('/open-apis/ephemeral/v1/send', 1);
    await h.send(mention());
    await expect(h.module.adapter.processInbound(h.inbox.pending()[0]!)).resolves.toBeUndefined();
  });
});
