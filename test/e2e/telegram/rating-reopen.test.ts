import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram: solved tickets, rating and return to work', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('the solved notification offers 1-5, return to work and view', async () => {
    const { chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    const prompt = h.fake.lastSent(chat.id);
    expect(prompt.text).toBe(
      `Request #${tk.number} has been solved. Please rate the answer, or return the request to work if the problem persists.`,
    );
    expect(prompt.reply_markup?.inline_keyboard.map((r) => r.map((b) => b.callback_data))).toEqual([
      [1, 2, 3, 4, 5].map((s) => `r:${tk.number}:${s}`),
      [`o:${tk.number}`],
      [`t:d:${tk.number}`],
    ]);
  });

  it('rate 4, then an optional comment: the ticket is closed with the rating and the comment', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    const prompt = h.fake.lastSent(chat.id);
    await h.send(h.fake.press(user, prompt, '4 ⭐'));
    expect(h.desk.tickets.get(tk.number)).toMatchObject({ status: 'closed', rating: { score: 4, comment: null } });
    // The buttons are gone from the prompt, so it cannot be rated twice by accident.
    expect(h.fake.store.message(chat.id, prompt.message_id)!.reply_markup).toBeUndefined();
    const ask = h.fake.lastSent(chat.id);
    expect(ask.text).toBe(
      `Thank you! Request #${tk.number} is closed with rating 4/5.\nAdd a comment to your rating (optional), or skip.`,
    );
    await h.send(h.fake.updates.message(chat, user, 'Quick and friendly'));
    expect(h.desk.tickets.get(tk.number)!.rating).toEqual({ score: 4, comment: 'Quick and friendly' });
    expect(h.fake.lastSent(chat.id).text).toBe(`Thank you, your comment on the rating of request #${tk.number} was saved.`);
  });

  it('Skip ends the rating without a comment', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), '5 ⭐'));
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Skip'));
    expect(h.desk.dialog.size).toBe(0);
    await h.send(h.fake.updates.message(chat, user, 'unrelated words'));
    expect(h.desk.tickets.get(tk.number)!.rating).toEqual({ score: 5, comment: null });
  });

  it("rating a ticket that is not solved shows the core's refusal", async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    const stale = h.fake.updates.message(chat, user, 'x').message;
    await h.send(h.fake.updates.callbackQuery(user, stale, `r:${tk.number}:2`));
    expect(h.answers().at(-1)).toMatchObject({ text: 'Only a solved request can be rated or returned to work.', alert: true });
    expect(h.desk.tickets.get(tk.number)!.status).toBe('new');
  });

  it('return to work: confirm Yes, write the reason, the ticket reopens with it', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Return to work'));
    const confirm = h.fake.lastSent(chat.id);
    expect(confirm.text).toBe(`Return request #${tk.number} to work?`);
    expect(confirm.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['Yes', 'No']);
    await h.send(h.fake.press(user, confirm, 'Yes'));
    expect(h.fake.store.message(chat.id, confirm.message_id)!.text).toBe(
      `Why should request #${tk.number} go back to work? Please describe what is still wrong.`,
    );
    await h.send(h.fake.updates.message(chat, user, 'It caught fire again this morning'));
    expect(h.desk.tickets.get(tk.number)!.status).toBe('open');
    expect(h.desk.tickets.get(tk.number)!.comments.at(-1)!.body).toBe('It caught fire again this morning');
    expect(h.fake.lastSent(chat.id).text).toBe(`Request #${tk.number} is back in work. Thank you for the details.`);
  });

  it('return to work: No keeps it solved', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Return to work'));
    const confirm = h.fake.lastSent(chat.id);
    await h.send(h.fake.press(user, confirm, 'No'));
    expect(h.fake.store.message(chat.id, confirm.message_id)!.text).toBe(`Request #${tk.number} stays solved.`);
    expect(h.desk.tickets.get(tk.number)!.status).toBe('solved');
    expect(h.desk.dialog.size).toBe(0);
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

  it('View request shows the detail', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    await h.solve(tk.number);
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'View request'));
    expect(h.fake.lastSent(chat.id).text.split('\n').slice(0, 2)).toEqual([`#${tk.number} Printer on fire again`, 'Status: Solved']);
  });

  it('status changes and agent replies arrive in the chat, escaped', async () => {
    const { chat } = await h.customer(111, 'Alice');
    const tk = await h.existingTicket(111, 'Printer on fire again');
    const summary = h.desk.summary(tk);
    await h.deliverToTicket(tk.number, { kind: 'status_changed', ticket: summary, from: 'new', to: 'open' });
    await h.deliverToTicket(tk.number, { kind: 'agent_reply', ticket: summary, authorName: 'Agent <Smith>', body: 'Use a <fire extinguisher> & call us' });
    expect(h.texts(chat.id).slice(-2)).toEqual([
      `Request #${tk.number}: status changed from New to Open.`,
      `Agent <Smith> replied to request #${tk.number}:\nUse a <fire extinguisher> & call us`,
    ]);
  });
});
