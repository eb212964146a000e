/**
 * Edges of the private-chat flows that the real service cannot produce on demand (an empty catalog, a service id
 * too long for callback_data, a ticket closed while its reopen reason is being typed), run with the in-memory desk.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram private chat: flow edges', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
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

  it('a reason for a ticket that was closed meanwhile gets the refusal and ends the dialog', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Return to work'));
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Yes'));
    h.desk.tickets.get(tk.number)!.status = 'closed';
    await h.send(h.fake.updates.message(chat, user, 'It caught fire again this morning'));
    expect(h.fake.lastSent(chat.id).text).toBe('Only a solved request can be rated or returned to work.');
    expect(h.desk.dialog.size).toBe(0);
  });
});
