import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram private chat: /tickets, detail and comments', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  const ticketFor = (userId: number, description: string) => h.existingTicket(userId, description);

  it('lists active public tickets with a button each; closed and private ones are not listed', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const a = await ticketFor(111, 'Printer on fire again');
    const b = await ticketFor(111, 'VPN is slow since Monday');
    const closed = await ticketFor(111, 'Old closed problem here');
    h.desk.tickets.get(closed.number)!.status = 'closed';
    const hidden = await ticketFor(111, 'Private matter for agents');
    h.desk.tickets.get(hidden.number)!.visibility = 'private';
    h.desk.tickets.get(b.number)!.status = 'pending';

    await h.send(h.fake.updates.message(chat, user, '/tickets'));
    const list = h.fake.lastSent(chat.id);
    expect(list.text).toBe(
      `Your open requests:\n#${b.number} VPN is slow since Monday (Awaiting your reply)\n#${a.number} Printer on fire again (New)`,
    );
    expect(list.reply_markup?.inline_keyboard.map((r) => r[0]!.callback_data)).toEqual([`t:d:${b.number}`, `t:d:${a.number}`]);
  });

  it('says so when there is nothing open', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/tickets'));
    expect(h.fake.lastSent(chat.id).text).toBe('You have no open requests.');
  });

  it('shows the detail: cc email, initiator, priority, exact creation time, comment buttons', async () => {
    const { user, chat } = await h.customer(111, 'Alice', { email: 'alice@corp.example' });
    const tk = await ticketFor(111, 'Printer on fire again');
    await h.send(h.fake.updates.message(chat, user, '/tickets'));
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), `#${tk.number} Printer on fire again`));
    const detail = h.fake.lastSent(chat.id);
    expect(detail.text.split('\n')).toEqual([
      `#${tk.number} Printer on fire again`,
      'Status: New',
      'Priority: Urgent',
      'Service: General',
      'Answers are copied to: alice@corp.example',
      'Initiator: alice@corp.example',
      // FakeDesk creates every ticket at 2024-05-01T12:34:56Z.
      'Created: 2024-05-01 12:34:56 UTC',
      `Open request #${tk.number}`,
    ]);
    expect(detail.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['Add a comment', 'Read comments']);
  });

  it('adds a comment: prompt, then the next message becomes the comment', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await ticketFor(111, 'Printer on fire again');
    await h.send(h.fake.press(user, await detailOf(tk.number), 'Add a comment'));
    expect(h.fake.lastSent(chat.id).text).toBe(`Write your comment to request #${tk.number}.`);
    await h.send(h.fake.updates.message(chat, user, 'It is still smoking <a lot>'));
    expect(h.fake.lastSent(chat.id).text).toBe(`Your comment was added to request #${tk.number}.`);
    expect(h.desk.tickets.get(tk.number)!.comments.map((c) => c.body)).toEqual(['It is still smoking <a lot>']);
    // The dialog is over: the next message is not another comment.
    await h.send(h.fake.updates.message(chat, user, 'thanks'));
    expect(h.desk.tickets.get(tk.number)!.comments).toHaveLength(1);

    async function detailOf(n: number) {
      await h.send(h.fake.updates.message(chat, user, '/tickets'));
      await h.send(h.fake.press(user, h.fake.lastSent(chat.id), (b) => b.callback_data === `t:d:${n}`));
      return h.fake.lastSent(chat.id);
    }
  });

  it('reads public comments only, escaped, oldest first', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await ticketFor(111, 'Printer on fire again');
    h.desk.addAgentComment(tk.number, 'Try turning it off & on. <b>Really</b>.', true);
    h.desk.addAgentComment(tk.number, 'internal: customer is VIP', false);
    await h.send(h.fake.updates.message(chat, user, '/tickets'));
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), (b) => b.callback_data === `t:d:${tk.number}`));
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Read comments'));
    const text = h.fake.lastSent(chat.id).text;
    expect(text).toBe(
      `Comments on request #${tk.number}\n\nAgent Smith, 2024-05-03 09:15:00 UTC:\nTry turning it off & on. <b>Really</b>.`,
    );
    expect(text).not.toContain('VIP');
  });

  it("refuses someone else's ticket with the core's answer", async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    await h.customer(222, 'Bob');
    const bobs = await ticketFor(222, 'Bob has a private issue');
    const fakeMessage = h.fake.updates.message(chat, user, 'x').message;
    await h.send(h.fake.updates.callbackQuery(user, fakeMessage, `t:d:${bobs.number}`));
    expect(h.answers().at(-1)).toMatchObject({ text: 'Request not found.', alert: true });
    expect(h.texts(chat.id).join('\n')).not.toContain('Bob has a private issue');
  });
});
