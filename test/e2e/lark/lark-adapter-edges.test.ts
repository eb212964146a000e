/**
 * What the real service cannot be made to do on purpose, checked on the channel over the real core on the
 * in-memory store: the inbox failing to record, the worker running after a card's update token ran out, the
 * adapter's own update and delete. The flows themselves are covered against the real service in service-*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelSendError } from '../../../src/core/ports/channel-port.ts';
import type { FakeChat, FakeUser } from '../../fakes/lark/lark-fake.ts';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';
import { cardText, parseContent, submitValue } from '../../helpers/lark/lark-flows.ts';

describe('Lark channel edges (real core, in-memory store)', () => {
  let h: LarkHarness;
  let alice: FakeUser;
  let nina: FakeUser;
  let group: FakeChat;

  beforeEach(async () => {
    h = await new LarkHarness('edge-enc-key-1').start();
    alice = h.fake.addUser({ name: 'Alice Example', email: 'alice@example.com' });
    nina = h.fake.addUser({ name: 'Nina Noemail', locale: 'ru_ru' });
    group = h.fake.addGroup([alice, nina]);
  });
  afterEach(async () => {
    await h.stop();
  });

  async function mention(from: FakeUser, text: string) {
    const { body, message } = h.inbound.userMessage({ from, chatId: group.chat_id, text, mentionBot: true });
    expect((await h.send(body)).status).toBe(200);
    await h.settle();
    return { message, form: h.fake.ephemeralsFor(group.chat_id, from.open_id).at(-1)! };
  }

  it('answers 503 while the inbox cannot record (so Lark delivers again), then accepts the retry', async () => {
    const { body } = h.inbound.userMessage({ from: alice, chatId: group.chat_id, text: 'printer is on fire', mentionBot: true });
    h.failNextRecord = true;
    expect((await h.send(body)).status).toBe(503);
    expect(h.core.peek.inbound()).toHaveLength(0);
    expect((await h.send(body)).status).toBe(200);
    expect(h.core.peek.inbound()).toHaveLength(1);
  });

  it('answers a card with a failure toast (not a 5xx, which Lark shows as broken) when the inbox cannot record the submit', async () => {
    const { form } = await mention(alice, 'the printer on floor 3 is on fire');
    const { body } = h.inbound.cardAction({ from: alice, cardMessageId: form.message_id, value: submitValue(form), formValue: { subject: 'Printer', description: 'the printer on floor 3 is on fire' }, name: 'submit' });
    h.failNextRecord = true;
    const res = await h.send(body);
    expect(res).toMatchObject({ status: 200, json: { toast: { type: 'error', content: 'Something went wrong. Please try again later.' } } });
    await h.settle();
    expect(h.core.peek.tickets()).toHaveLength(0);
  });

  it('says a refusal privately when the form’s update token ran out before the worker got to it', async () => {
    const { form } = await mention(nina, 'не работает принтер на третьем этаже');
    const { body } = h.inbound.cardAction({ from: nina, cardMessageId: form.message_id, value: submitValue(form), formValue: { subject: 'Принтер', description: 'не работает принтер на третьем этаже' }, name: 'submit' });
    expect((await h.send(body)).status).toBe(200);
    h.fake.advance(31 * 60_000); // Lark's card tokens live 30 minutes
    await h.settle();
    const refused = h.fake.callsTo('POST', '/open-apis/interactive/v1/card/update');
    expect(refused.map((c) => c.status)).toEqual([400]);
    const told = h.fake.ephemeralsFor(group.chat_id, nina.open_id).at(-1)!;
    expect(told.message_id).not.toBe(form.message_id);
    expect(cardText(parseContent(told))).toContain('Ваш аккаунт в чате ещё не привязан к центру поддержки.');
    expect(h.core.peek.tickets()).toHaveLength(0);
  });

  it('updates and deletes what it posted: cards by PATCH, text by PUT; a long delivery key still fits Lark’s uuid', async () => {
    const { message } = await mention(alice, 'the printer on floor 3 is on fire');
    const target = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: group.chat_id, threadRef: message.message_id };
    const ticket = { number: 7, subject: 'Printer', status: 'open' as const, priority: 'normal' as const, url: 'http://help.test/tickets/7' };
    const ctx = { locale: 'ru' as const, deliveryKey: 'upd-1' };
    const adapter = h.module.adapter;
    const text = await adapter.post(target, { kind: 'agent_reply', ticket, authorName: 'Dana', body: 'first' }, ctx);
    await adapter.update(target, text.messageId, { kind: 'agent_reply', ticket, authorName: 'Dana', body: 'second' }, ctx);
    expect(parseContent(h.fake.messages.get(text.messageId)!)).toEqual({ text: 'Dana ответил(а) по заявке #7:\nsecond' });

    const card = await adapter.post(target, { kind: 'status_changed', ticket, from: 'new', to: 'open' }, { ...ctx, deliveryKey: 'x'.repeat(80) });
    const again = await adapter.post(target, { kind: 'status_changed', ticket, from: 'new', to: 'open' }, { ...ctx, deliveryKey: 'x'.repeat(80) });
    expect(again.messageId).toBe(card.messageId);
    await adapter.update(target, card.messageId, { kind: 'status_changed', ticket: { ...ticket, status: 'pending' }, from: 'open', to: 'pending' }, ctx);
    expect(h.fake.messages.get(card.messageId)!.content).toContain('Ожидает вашего ответа');
    expect(h.fake.callsTo('PATCH', '/open-apis/im/v1/messages/:id')).toHaveLength(1);
    expect(h.fake.callsTo('PUT', '/open-apis/im/v1/messages/:id')).toHaveLength(1);

    await adapter.delete(target, card.messageId);
    expect(h.fake.messages.get(card.messageId)!.deleted).toBe(true);
    await expect(adapter.delete(target, card.messageId)).resolves.toBeUndefined(); // gone either way
    await expect(adapter.delete(target, 'om_never_existed')).rejects.toBeInstanceOf(ChannelSendError);
  });
});
