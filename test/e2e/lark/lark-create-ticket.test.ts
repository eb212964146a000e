import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/errors.ts';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';
import {
  cardText,
  findByName,
  goodForm,
  mentionInGroup,
  parseContent,
  seedWorld,
  submitForm,
  submitValue,
  type World,
} from '../../helpers/lark/lark-flows.ts';

const modes = [
  { name: 'plain events', encryptKey: undefined },
  { name: 'encrypted and signed events', encryptKey: 'enc-key-0123456789' },
];

describe.each(modes)('Lark: creating a ticket ($name)', ({ encryptKey }) => {
  let h: LarkHarness;
  let w: World;

  beforeEach(async () => {
    h = await new LarkHarness(encryptKey ? { encryptKey } : {}).start();
    w = seedWorld(h);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('answers a group mention with an ephemeral form only the sender sees, prefilled from the message and profile', async () => {
    h.desk.chatServices.set(`lark:${h.fake.tenantKey}:${w.group.chat_id}`, 'svc-it');
    const { message, form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');

    expect(form.ephemeralFor).toBe(w.alice.open_id);
    expect(h.fake.ephemeralsFor(w.group.chat_id, w.bob.open_id)).toHaveLength(0);
    // nothing visible to the whole group was posted
    expect(h.fake.botMessagesIn(w.group.chat_id)).toHaveLength(0);
    const card = parseContent(form);
    // the mention placeholder is gone from the prefilled description
    expect(findByName(card, 'description')['default_value']).toBe('printer is on fire on floor 3');
    expect(findByName(card, 'email')['default_value']).toBe('alice@example.com');
    expect(findByName(card, 'service')['initial_option']).toBe('svc-it');
    const serviceValues = (findByName(card, 'service')['options'] as { value: string }[]).map((o) => o.value);
    expect(serviceValues).toEqual(['none', 'svc-general', 'svc-it']);
    expect(submitValue(form)).toMatchObject({ op: 'create_ticket', src: message.message_id, chat: w.group.chat_id, eph: '1', loc: 'en' });
  });

  it('creates the ticket after submit, replies in the thread with number, link and status, and removes the card', async () => {
    const { message, form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const { res } = await submitForm(h, w.alice, form, goodForm);

    // the callback is answered at once with a success toast and the card replaced; the work is only recorded
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ toast: { type: 'success', content: 'Request sent.' }, card: { type: 'raw' } });
    expect(cardText((res.json as { card: { data: unknown } }).card.data)).toContain('Printer on fire');
    expect(h.desk.tickets).toHaveLength(0);
    expect(h.inbox.rows).toHaveLength(2); // the mention and the submit

    await h.settle();
    expect(h.desk.tickets).toHaveLength(1);
    const ticket = h.desk.tickets[0]!;
    expect(ticket).toMatchObject({
      via: 'lark',
      subject: 'Printer on fire',
      priority: 'high',
      serviceId: 'svc-it',
      sourceKey: `lark:${h.fake.tenantKey}:${message.message_id}`,
      submitter: { platform: 'lark', workspaceId: h.fake.tenantKey, platformUserId: w.alice.open_id },
    });
    expect([...h.desk.users.values()].find((u) => u.id === ticket.requesterId)?.email).toBe('alice@example.com');

    const replies = h.fake.thread(message.message_id);
    expect(replies).toHaveLength(1);
    const reply = replies[0]!;
    expect(reply.sender.sender_type).toBe('app');
    expect(reply.thread_id).not.toBeNull();
    const text = cardText(parseContent(reply));
    expect(text).toContain(`Request #${ticket.number} "Printer on fire" has been created. Status: New.`);
    const link = JSON.stringify(parseContent(reply));
    expect(link).toContain(`http://desk.test/tickets/${ticket.number}`);
    // the reply went out with reply_in_thread and a uuid
    const call = h.fake.callsTo('POST', '/open-apis/im/v1/messages/:id/reply').at(-1)!;
    expect(call.body).toMatchObject({ reply_in_thread: true, msg_type: 'interactive' });
    expect(typeof (call.body as { uuid?: unknown }).uuid).toBe('string');

    expect(h.fake.messages.get(form.message_id)?.deleted).toBe(true);
  });

  it('shows form errors on the card with an error toast and records nothing', async () => {
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const before = h.inbox.calls;
    const { res } = await submitForm(h, w.alice, form, { subject: '  ', description: 'short', priority: 'low', email: 'not-an-email' });

    expect(res.status).toBe(200);
    const json = res.json as { toast: { type: string; content: string }; card: { data: unknown } };
    expect(json.toast).toEqual({ type: 'error', content: 'Please correct the marked fields.' });
    const text = cardText(json.card.data);
    expect(text).toContain('Enter a subject.');
    expect(text).toContain('Describe the problem in at least 10 characters.');
    expect(text).toContain('Enter a valid email address.');
    // what the person typed is kept
    expect(findByName(json.card.data, 'email')['default_value']).toBe('not-an-email');
    expect(findByName(json.card.data, 'priority')['initial_option']).toBe('low');
    expect(h.inbox.calls).toBe(before);
    await h.settle();
    expect(h.desk.tickets).toHaveLength(0);
  });

  it('does the same in a private chat with a normal card, updated to the confirmation after creation', async () => {
    const chat = h.fake.p2pChat(w.alice);
    const { body, message } = h.inbound.userMessage({ from: w.alice, chatId: chat.chat_id, text: 'my VPN disconnects every ten minutes' });
    expect((await h.send(body)).status).toBe(200);
    await h.processInbox();

    const cards = h.fake.botMessagesIn(chat.chat_id);
    expect(cards).toHaveLength(1);
    const form = cards[0]!;
    expect(form.ephemeralFor).toBeNull();
    expect(h.fake.callsTo('POST', '/open-apis/ephemeral/v1/send')).toHaveLength(0);
    expect(submitValue(form)).toMatchObject({ eph: '0', src: message.message_id });

    const { res } = await submitForm(h, w.alice, form, { ...goodForm, subject: 'VPN drops', description: 'my VPN disconnects every ten minutes' });
    expect(res.status).toBe(200);
    await h.settle();

    expect(h.desk.tickets).toHaveLength(1);
    const n = h.desk.tickets[0]!.number;
    expect(cardText(parseContent(h.fake.messages.get(form.message_id)!))).toContain(`Request #${n} "VPN drops" has been created.`);
    const update = h.fake.callsTo('POST', '/open-apis/interactive/v1/card/update');
    expect(update).toHaveLength(1);
    expect(update[0]!.body).toMatchObject({ card: { open_ids: [w.alice.open_id] } });
    expect(h.fake.thread(message.message_id)).toHaveLength(1);
  });

  it('creates one ticket when Lark delivers the same submit twice', async () => {
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const { body } = h.inbound.cardAction({ from: w.alice, cardMessageId: form.message_id, value: submitValue(form), formValue: goodForm });
    const first = await h.send(body);
    const second = await h.send(body);
    expect(first.status).toBe(200);
    expect(second.json).toEqual(first.json);
    await h.settle();
    expect(h.desk.tickets).toHaveLength(1);
    expect(h.fake.thread(h.desk.tickets[0]!.threads[0]!.threadRef!)).toHaveLength(1);
  });

  it('speaks the language of the sender’s Lark profile, on the card and in the thread', async () => {
    const { body, message } = h.inbound.userMessage({ from: w.bob, chatId: w.group.chat_id, text: 'プリンターが燃えています', mentionBot: true });
    await h.send(body);
    await h.processInbox();
    const form = h.fake.ephemeralsFor(w.group.chat_id, w.bob.open_id)[0]!;
    const card = parseContent(form);
    expect(cardText(card)).toContain('新しいサポートリクエスト');
    expect(submitValue(form)).toMatchObject({ loc: 'ja' });
    const { res } = await submitForm(h, w.bob, form, { ...goodForm, subject: 'プリンター', description: 'プリンターが燃えています。至急対応してください。', email: 'bob@example.com' });
    expect(res.json).toMatchObject({ toast: { type: 'success', content: 'リクエストを送信しました。' } });
    await h.settle();
    const reply = h.fake.thread(message.message_id)[0]!;
    expect(cardText(parseContent(reply))).toContain('「プリンター」を作成しました。ステータス: 新規。');
  });

  it('keeps a request started inside an existing thread in that thread', async () => {
    const root = h.fake.storeUserMessage(w.bob, w.group.chat_id, 'text', JSON.stringify({ text: 'anyone else without wifi?' }));
    const { message, form } = await mentionInGroup(h, w, 'yes, wifi is down on floor 2', root.message_id);
    expect(submitValue(form)).toMatchObject({ src: message.message_id, root: root.message_id });
    await submitForm(h, w.alice, form, goodForm);
    await h.settle();
    expect(h.desk.tickets[0]!.threads[0]).toMatchObject({ threadRef: root.message_id, chatId: w.group.chat_id });
    expect(h.fake.thread(root.message_id).filter((m) => m.sender.sender_type === 'app')).toHaveLength(1);
  });

  it('answers a legacy card callback on /lark/cards with the re-rendered card itself', async () => {
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const { body } = h.inbound.legacyCardAction({ from: w.alice, cardMessageId: form.message_id, value: submitValue(form), formValue: { ...goodForm, email: 'nope' } });
    const bad = await h.inbound.deliver(h.cardsUrl, body, { legacySign: true });
    expect(bad.status).toBe(200);
    // the legacy reply is the card JSON, not {toast, card}
    expect(bad.json).toMatchObject({ header: { title: { content: 'New support request' } } });
    expect(cardText(bad.json)).toContain('Enter a valid email address.');
    const good = h.inbound.legacyCardAction({ from: w.alice, cardMessageId: form.message_id, value: submitValue(form), formValue: goodForm });
    expect((await h.inbound.deliver(h.cardsUrl, good.body, { legacySign: true })).status).toBe(200);
    await h.settle();
    expect(h.desk.tickets).toHaveLength(1);
    expect(h.fake.messages.get(form.message_id)!.deleted).toBe(true);
  });

  it('shows a refusal of the core on the card through the delayed update', async () => {
    h.desk.createTicket = async () => {
      throw new DomainError('invalid_email', 'the help center refuses this address', 'requesterEmail');
    };
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const { token } = await submitForm(h, w.alice, form, goodForm);
    await h.settle();

    const update = h.fake.callsTo('POST', '/open-apis/interactive/v1/card/update');
    expect(update).toHaveLength(1);
    expect(update[0]!.status).toBe(200);
    expect(update[0]!.body).toMatchObject({ token });
    const card = parseContent(h.fake.messages.get(form.message_id)!);
    expect(cardText(card)).toContain('Enter a valid email address.');
    expect(h.fake.messages.get(form.message_id)!.deleted).toBe(false);
  });
});
