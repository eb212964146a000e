/**
 * What the real service cannot be made to do on purpose, checked on the channel with an in-memory core: the core
 * refusing a form the card already accepted, and the inbox failing to record. The flows themselves are covered
 * against the real service in service-*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/errors.ts';
import { ChannelSendError } from '../../../src/core/ports/channel-port.ts';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';
import { cardText, createTicketInGroup, goodForm, mentionInGroup, parseContent, seedWorld, submitForm, type World } from '../../helpers/lark/lark-flows.ts';

describe('Lark channel edges (in-memory core)', () => {
  let h: LarkHarness;
  let w: World;

  beforeEach(async () => {
    h = await new LarkHarness({ encryptKey: 'edge-enc-key-1' }).start();
    w = seedWorld(h);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('shows a refusal of the core on the card through the delayed update, with the core’s minimum filled in', async () => {
    h.desk.createTicket = async () => {
      throw new DomainError('description_too_short', 'too short for the core', 'description');
    };
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const { token } = await submitForm(h, w.alice, form, goodForm);
    await h.settle();

    const update = h.fake.callsTo('POST', '/open-apis/interactive/v1/card/update');
    expect(update).toHaveLength(1);
    expect(update[0]!).toMatchObject({ status: 200, body: { token, card: { open_ids: [w.alice.open_id] } } });
    const card = parseContent(h.fake.messages.get(form.message_id)!);
    expect(cardText(card)).toContain(`Describe the problem in at least ${h.desk.minDescriptionLength} characters.`);
    expect(h.fake.messages.get(form.message_id)!.deleted).toBe(false);
  });

  it('answers 503 while the inbox cannot record (so Lark delivers again), then accepts the retry', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'printer is on fire', mentionBot: true });
    h.inbox.failNext = true;
    expect((await h.send(body)).status).toBe(503);
    expect(h.inbox.rows).toHaveLength(0);
    expect((await h.send(body)).status).toBe(200);
    expect(h.inbox.rows).toHaveLength(1);
  });

  it('updates and deletes what it posted: cards by PATCH, text by PUT; a long delivery key still fits Lark’s uuid', async () => {
    const ticket = await createTicketInGroup(h, w);
    const target = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: w.group.chat_id, threadRef: ticket.rootId };
    const summary = h.desk.summary(h.desk.ticket(ticket.number));
    const ctx = { locale: 'ru' as const, deliveryKey: 'upd-1' };
    const text = await h.module.adapter.post(target, { kind: 'notice', key: 'ticket.list_empty' }, ctx);
    await h.module.adapter.update(target, text.messageId, { kind: 'notice', key: 'error.generic' }, ctx);
    expect(parseContent(h.fake.messages.get(text.messageId)!)).toEqual({ text: 'Что-то пошло не так. Попробуйте позже.' });

    const card = await h.module.adapter.post(target, { kind: 'status_changed', ticket: summary, from: 'new', to: 'open' }, { ...ctx, deliveryKey: 'x'.repeat(80) });
    const again = await h.module.adapter.post(target, { kind: 'status_changed', ticket: summary, from: 'new', to: 'open' }, { ...ctx, deliveryKey: 'x'.repeat(80) });
    expect(again.messageId).toBe(card.messageId);
    await h.module.adapter.update(target, card.messageId, { kind: 'status_changed', ticket: { ...summary, status: 'pending' }, from: 'open', to: 'pending' }, ctx);
    expect(h.fake.messages.get(card.messageId)!.content).toContain('Ожидает вашего ответа');
    expect(h.fake.callsTo('PATCH', '/open-apis/im/v1/messages/:id')).toHaveLength(1);
    expect(h.fake.callsTo('PUT', '/open-apis/im/v1/messages/:id')).toHaveLength(1);

    await h.module.adapter.delete(target, card.messageId);
    expect(h.fake.messages.get(card.messageId)!.deleted).toBe(true);
    await expect(h.module.adapter.delete(target, card.messageId)).resolves.toBeUndefined(); // gone either way
    await expect(h.module.adapter.delete(target, 'om_never_existed')).rejects.toBeInstanceOf(ChannelSendError);
  });
});
