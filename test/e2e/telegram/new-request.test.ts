import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram private chat: /new wizard', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('service -> description -> priority -> confirm creates the ticket with the DM as its thread', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/new'));
    const choose = h.fake.lastSent(chat.id);
    expect(choose.text).toBe('Choose the service your request is about:');
    expect(choose.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['General', 'Billing & Payments', 'Cancel']);

    await h.send(h.fake.press(user, choose, 'Billing & Payments'));
    // The same message now asks for the description, without buttons.
    const edited = h.fake.store.message(chat.id, choose.message_id)!;
    expect(edited.text).toBe('Service: Billing & Payments\nDescribe the problem (at least 10 characters).');
    expect(edited.reply_markup).toBeUndefined();

    await h.send(h.fake.updates.message(chat, user, 'too short'));
    expect(h.fake.lastSent(chat.id).text).toBe('Describe the problem in at least 10 characters.');

    await h.send(h.fake.updates.message(chat, user, 'Invoice <#42> & the refund are wrong\nsecond line'));
    const priority = h.fake.lastSent(chat.id);
    expect(priority.text).toBe('Choose the priority:');
    expect(priority.reply_markup?.inline_keyboard.map((r) => r.map((b) => b.text))).toEqual([
      ['Low', 'Normal'],
      ['High', 'Urgent'],
      ['Cancel'],
    ]);

    await h.send(h.fake.press(user, priority, 'High'));
    const summary = h.fake.store.message(chat.id, priority.message_id)!;
    // User text arrives literally: the fake would have refused unescaped "<#42>" in parse_mode HTML.
    expect(summary.text).toBe(
      'Your request\nService: Billing & Payments\nPriority: High\nDescription:\nInvoice <#42> & the refund are wrong\nsecond line',
    );
    expect(summary.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['Submit request', 'Cancel']);

    await h.send(h.fake.press(user, summary, 'Submit request'));
    expect(h.desk.created).toHaveLength(1);
    const input = h.desk.created[0]!;
    expect(input).toMatchObject({
      via: 'telegram',
      requester: { chatUser: { platform: 'telegram', workspaceId: String(h.botUser.id), platformUserId: '111' } },
      subject: 'Invoice <#42> & the refund are wrong',
      description: 'Invoice <#42> & the refund are wrong\nsecond line',
      priority: 'high',
      serviceId: 'svc-billing',
      thread: { platform: 'telegram', chatId: '111', threadRef: null, locale: 'en' },
    });
    // The engine's confirmation: number, status and the link.
    const confirmation = h.fake.lastSent(chat.id);
    expect(confirmation.text).toBe(
      'Request #101 "Invoice <#42> & the refund are wrong" has been created. Status: New.\nOpen request #101',
    );
    expect(confirmation.entities).toContainEqual(
      expect.objectContaining({ type: 'text_link', url: 'https://desk.example/tickets/101' }),
    );
    expect(h.desk.dialog.size).toBe(0);
  });

  it('a second press of Submit creates nothing more and every press is answered', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/new'));
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'General'));
    await h.send(h.fake.updates.message(chat, user, 'The VPN drops every five minutes'));
    const priority = h.fake.lastSent(chat.id);
    await h.send(h.fake.press(user, priority, 'Normal'));
    const summary = h.fake.store.message(chat.id, priority.message_id)!;
    const button = summary.reply_markup!.inline_keyboard[0]![0]!;
    const first = h.fake.press(user, summary, button.text);
    const second = h.fake.updates.callbackQuery(user, first.callback_query.message!, button.callback_data!);
    await h.send(first);
    await h.send(second);
    expect(h.desk.tickets.size).toBe(1);
    const answered = h.answers().map((a) => a.id);
    expect(answered).toContain(first.callback_query.id);
    expect(answered).toContain(second.callback_query.id);
    expect(h.answers().at(-1)).toMatchObject({ text: 'This step is no longer active. Send /new to start again.', alert: true });
  });

  it('the menu button starts the wizard and Cancel ends it', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, 'hello?'));
    const menu = h.fake.lastSent(chat.id);
    expect(menu.text).toBe('I am not waiting for a message right now.\n\nWhat would you like to do?');
    await h.send(h.fake.press(user, menu, 'New request'));
    const choose = h.fake.lastSent(chat.id);
    expect(choose.text).toBe('Choose the service your request is about:');
    await h.send(h.fake.press(user, choose, 'Cancel'));
    expect(h.fake.store.message(chat.id, choose.message_id)!.text).toBe('The request was cancelled.');
    expect(h.desk.dialog.size).toBe(0);
    expect(h.desk.created).toHaveLength(0);
  });

  it('with an empty catalog it asks for the description at once', async () => {
    h.desk.services = [];
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/new'));
    expect(h.fake.lastSent(chat.id).text).toBe('Describe the problem (at least 10 characters).');
  });

  it('a service id too long for callback_data is offered by position, and still resolves', async () => {
    const longId = `svc-${'ü'.repeat(40)}`;
    h.desk.services = [{ id: 'svc-general', name: 'General' }, { id: longId, name: 'Long one' }];
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/new'));
    const choose = h.fake.lastSent(chat.id);
    const data = choose.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data!);
    for (const d of data) expect(Buffer.byteLength(d, 'utf8')).toBeLessThanOrEqual(64);
    expect(data[1]).toBe('n:s:#1');
    await h.send(h.fake.press(user, choose, 'Long one'));
    await h.send(h.fake.updates.message(chat, user, 'Something long enough'));
    const priority = h.fake.lastSent(chat.id);
    await h.send(h.fake.press(user, priority, 'Low'));
    await h.send(h.fake.press(user, h.fake.store.message(chat.id, priority.message_id)!, 'Submit request'));
    expect(h.desk.created[0]!.serviceId).toBe(longId);
  });
});
