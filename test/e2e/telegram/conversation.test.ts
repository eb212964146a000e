/**
 * The Telegram conversation over the real core in memory: what the adapter gives the core and how it says the
 * answers, including the edges and attacks the real service cannot produce on demand. The end-to-end suites
 * (service-*.test.ts) run the same against PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tgUser } from '../../fakes/telegram/telegram-updates.ts';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

let h: TelegramHarness;
beforeEach(async () => {
  h = await new TelegramHarness().start();
});
afterEach(async () => {
  await h.close();
});

const buttons = (m: { reply_markup?: { inline_keyboard: { text: string }[][] } }) => m.reply_markup?.inline_keyboard.map((r) => r.map((b) => b.text)) ?? [];
const dialog = (userId: number) => h.core.store.getDialogState({ platform: 'telegram', workspaceId: h.botId, chatId: '', platformUserId: String(userId) }, new Date(0));

/** Alice mentions the bot in a group; the ticket's confirmation is delivered to the group and to her. */
async function groupTicket(text = 'the VPN drops every hour') {
  const alice = await h.customer(111, 'Alice');
  const group = h.group();
  const mention = h.fake.updates.mention(group, alice.user, 'ticket_bot', text);
  await h.send(mention);
  const number = h.core.peek.tickets().at(-1)!.number;
  return { alice, group, mention, number };
}

describe('a private chat', () => {
  it('with an empty catalog /new asks for the description at once, and every button fits in 64 bytes', async () => {
    const { user, chat } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.message(chat, user, '/new'));
    const step = h.fake.lastSent(chat.id);
    expect(step.text).toBe('Describe the problem (at least 10 characters).');
    for (const b of step.reply_markup!.inline_keyboard.flat()) expect(Buffer.byteLength(b.callback_data!, 'utf8')).toBeLessThanOrEqual(64);
    await h.send(h.fake.updates.message(chat, user, 'Printer prints blank pages'));
    const priority = h.fake.lastSent(chat.id);
    await h.send(h.fake.press(user, priority, 'Low'));
    await h.send(h.fake.press(user, h.fake.store.message(chat.id, priority.message_id)!, 'Submit request'));
    expect(h.core.peek.tickets()).toEqual([expect.objectContaining({ description: 'Printer prints blank pages', priority: 'low', via: 'telegram' })]);
  });

  it("nobody walks someone else's draft: the button of another person's step is refused and changes nothing", async () => {
    await h.core.service('Databases');
    const alice = await h.customer(111, 'Alice');
    const mallory = await h.customer(222, 'Mallory');
    await h.send(h.fake.updates.message(alice.chat, alice.user, '/new'));
    const step = h.fake.lastSent(alice.chat.id);
    const data = step.reply_markup!.inline_keyboard[0]![0]!.callback_data!;
    // Mallory replays Alice's button (callback data is no secret) from a message in her own chat.
    const press = h.fake.updates.callbackQuery(mallory.user, h.fake.updates.message(mallory.chat, mallory.user, 'x').message, data);
    await h.send(press);
    expect(h.answers().find((a) => a.id === press.callback_query.id)).toMatchObject({ text: 'This form has expired. Please start the request again.', alert: true });
    expect(h.core.peek.drafts()[0]).toMatchObject({ serviceChosen: false, owner: { platformUserId: '111' } });
  });

  it('a reason for a ticket that was closed meanwhile gets the refusal and ends the dialog', async () => {
    const { user, chat, account } = await h.customer(111, 'Alice');
    const n = await h.ticketFor(account!, 'Printer on fire again');
    await h.setStatus(n, 'solved');
    await h.send(h.fake.press(user, h.fake.lastSent(chat.id), 'Return to work'));
    const confirm = h.fake.lastSent(chat.id);
    expect(confirm.text).toBe(`Return request #${n} to work?`);
    await h.send(h.fake.press(user, confirm, 'Yes'));
    expect(h.fake.store.message(chat.id, confirm.message_id)!.text).toBe(`Return request #${n} to work?`);
    expect(h.fake.store.message(chat.id, confirm.message_id)!.reply_markup).toBeUndefined();
    expect(h.fake.lastSent(chat.id).text).toBe(`Why should request #${n} go back to work? Please describe what is still wrong.`);
    await h.core.tickets.rate(n, { id: account!.id, role: 'end_user' }, 3, null, 'api');
    await h.run();
    await h.send(h.fake.updates.message(chat, user, 'It caught fire again this morning'));
    expect(h.fake.lastSent(chat.id).text).toBe('This request is closed and cannot be changed.');
    expect(await dialog(111)).toBeNull();
  });

  it("a reply to the bot's message is a comment on that message's ticket only, though Telegram numbers messages per chat", async () => {
    const alice = await h.customer(111, 'Alice');
    const mallory = await h.customer(222, 'Mallory');
    const hers = await h.ticketFor(alice.account!, 'Salary data export');
    const mine = await h.ticketFor(mallory.account!, 'My own question');
    const own = h.fake.lastSent(mallory.chat.id);
    // Both confirmations carry the same number, each in its own chat.
    expect(own.message_id).toBe(h.fake.lastSent(alice.chat.id).message_id);
    await h.send(h.fake.updates.message(mallory.chat, mallory.user, 'more details', { replyTo: h.fake.toMessage(own, mallory.chat) }));
    expect(h.core.peek.comments(mine).map((c) => c.body)).toEqual(['My own question, details follow', 'more details']);
    expect(h.core.peek.comments(hers).map((c) => c.body)).toEqual(['Salary data export, details follow']);
  });

  it("an edit of a comment changes it on the ticket (its history kept); a sticker adds nothing", async () => {
    const { user, chat, account } = await h.customer(111, 'Alice');
    const n = await h.ticketFor(account!, 'Scanner jams');
    const reply = h.fake.updates.message(chat, user, 'jams on page two', { replyTo: h.fake.toMessage(h.fake.lastSent(chat.id), chat) });
    await h.send(reply);
    const edited = { update_id: reply.update_id + 1000, edited_message: { ...reply.message, text: 'jams on page three', edit_date: reply.message.date + 5 } };
    await h.send(edited as never);
    expect(h.core.peek.comments(n).at(-1)).toMatchObject({ body: 'jams on page three', editedAt: expect.any(Date) });
    expect(h.core.peek.events(n).find((e) => e.kind === 'comment_edited')).toMatchObject({ from: 'jams on page two', to: 'jams on page three' });
    const before = h.fake.sent(chat.id).length;
    await h.send({ update_id: reply.update_id + 2000, message: { message_id: 9001, date: 1, chat, from: user, sticker: { file_id: 'S1', file_unique_id: 'U1', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } } } as never);
    expect(h.fake.sent(chat.id)).toHaveLength(before);
    expect(h.core.peek.comments(n)).toHaveLength(2);
  });
});

describe('a group', () => {
  it("someone else's reply to the solved ticket's message is a comment that does not reopen it; the requester's does", async () => {
    const { alice, group, number } = await groupTicket();
    const bob = await h.customer(222, 'Bob');
    await h.setStatus(number, 'solved');
    const prompt = h.fake.lastSent(group.id);
    await h.send(h.fake.updates.message(group, bob.user, 'same for me', { replyTo: h.fake.toMessage(prompt, group) }));
    expect((await h.core.store.getTicket(number))!.status).toBe('solved');
    expect(h.core.peek.comments(number).at(-1)).toMatchObject({ body: 'same for me', author: { name: 'Bob' } });
    await h.send(h.fake.updates.message(group, alice.user, 'still dropping', { replyTo: h.fake.toMessage(prompt, group) }));
    expect((await h.core.store.getTicket(number))!.status).toBe('open');
  });

  it('on a closed ticket the requester starts a follow-up that lives in the group, under her message; anyone else is told how to ask', async () => {
    const { alice, group, number } = await groupTicket();
    await h.setStatus(number, 'solved');
    const prompt = h.fake.lastSent(group.id);
    await h.core.tickets.rate(number, { id: alice.account!.id, role: 'end_user' }, 4, null, 'api');
    await h.run();
    const bob = await h.customer(222, 'Bob');
    await h.send(h.fake.updates.message(group, bob.user, 'mine too', { replyTo: h.fake.toMessage(prompt, group) }));
    expect(h.texts(bob.chat.id).at(-1)).toBe(`Request #${number} is closed. Only the person who asked can follow it up; to ask for help yourself, start a new request.`);
    const again = h.fake.updates.message(group, alice.user, 'it is back since this morning', { replyTo: h.fake.toMessage(prompt, group) });
    await h.send(again);
    const follow = h.core.peek.tickets().at(-1)!;
    expect(follow).toMatchObject({ followUpOf: number, description: 'it is back since this morning' });
    expect(h.core.peek.links(follow.number).map((l) => [l.chatId, l.threadRef])).toEqual([[String(group.id), String(again.message.message_id)]]);
    expect(h.fake.lastSent(group.id)).toMatchObject({ reply_to_message_id: again.message.message_id });
  });

  it('a second member asking about a message whose ticket was made private learns nothing of it', async () => {
    const { group, mention, number } = await groupTicket('payroll export leaks salaries');
    const agent = await h.core.agent();
    await h.core.tickets.update(number, { id: agent.id, role: agent.role }, { visibility: 'private' });
    const bob = await h.customer(222, 'Bob');
    const groupBefore = h.texts(group.id).length;
    await h.send(h.fake.updates.mention(group, bob.user, 'ticket_bot', 'this please', mention.message));
    expect(h.texts(bob.chat.id).at(-1)).toBe('This message is already being handled by support.');
    expect(h.texts(group.id)).toHaveLength(groupBefore);
    expect(JSON.stringify(h.fake.store.allSent().slice(-1))).not.toMatch(new RegExp(`#${number}|payroll`));
  });

  it('someone who never started the bot is answered in the group, with nothing private: a notice as it is, anything else as a pointer', async () => {
    const group = h.group();
    const stan = tgUser(555, 'Stan', { languageCode: 'en' });
    const mention = h.fake.updates.mention(group, stan, 'ticket_bot', 'the website is down for everyone');
    await h.send(mention);
    expect(h.fake.lastSent(group.id)).toMatchObject({
      text: 'Stan, please register with me in a private chat first: open t.me/ticket_bot and send /start with your code.',
      reply_to_message_id: mention.message.message_id,
    });
    // A registered customer who later blocked the bot: a notice is said in the group, anything else only points.
    const paula = await h.customer(666, 'Paula');
    const source = h.fake.updates.mention(group, paula.user, 'ticket_bot', 'Secret project budget is gone');
    await h.send(source);
    const n = h.core.peek.tickets().at(-1)!.number;
    await h.setStatus(n, 'solved');
    await h.core.tickets.rate(n, { id: paula.account!.id, role: 'end_user' }, 2, null, 'api');
    await h.run();
    h.fake.blockBot(666);
    await h.send(h.fake.updates.message(group, paula.user, '/login@ticket_bot'));
    expect(h.fake.lastSent(group.id).text).toBe('A sign-in link is only sent in a private chat with the bot.');
    const confirmation = h.fake.sent(group.id).find((m) => m.reply_to_message_id === source.message.message_id)!;
    const again = h.fake.updates.message(group, paula.user, 'it is gone again', { replyTo: h.fake.toMessage(confirmation, group) });
    await h.send(again);
    const answers = h.fake.sent(group.id).filter((m) => m.reply_to_message_id === again.message.message_id);
    // The pointer, then the follow-up's confirmation (for everyone in the group, as every group ticket's).
    expect(answers.map((m) => m.text)[0]).toBe('I cannot write to you privately yet: open t.me/ticket_bot, press Start, then try again.');
    const follow = h.core.peek.tickets().at(-1)!;
    expect(follow).toMatchObject({ followUpOf: n, description: 'it is gone again' });
    expect(answers[1]!.text).toMatch(new RegExp(`^Request #${follow.number} .* has been created`));
  });
});
