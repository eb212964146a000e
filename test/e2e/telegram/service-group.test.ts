/**
 * Telegram group mode against the real service: the bot added and promoted, /config@bot by admins only, tickets
 * from a mention or a reply with a mention, registered members only, and notifications in the group (as replies to
 * the source message) and in the author's private chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from 'telegraf/types';
import { ADMIN_TOKEN } from '../../helpers/service.ts';
import { TelegramServiceWorld, type Customer } from '../../helpers/telegram/telegram-service.ts';
import { tgUser, type GroupChat } from '../../fakes/telegram/telegram-updates.ts';

const w = new TelegramServiceWorld();
let admin: User;
let billingId = '';

beforeAll(async () => {
  await w.start();
  billingId = (await w.api('POST', '/services', { name: 'Billing & Payments' }, ADMIN_TOKEN)).body.service.id;
  admin = tgUser(900, 'Olga', { username: 'olga_admin', languageCode: 'en' });
});
afterAll(async () => {
  await w.stop();
});

/** A group the bot was added to and promoted in, created by `admin`. */
async function groupWithBot(title: string): Promise<GroupChat> {
  const group = w.group(title);
  await w.send(w.fake.updates.myChatMember(group, admin, w.fake.bot, 'left', 'member'));
  w.fake.setMember(group.id, admin.id, 'creator');
  await w.send(w.fake.updates.myChatMember(group, admin, w.fake.bot, 'member', 'administrator'));
  return group;
}

const chatKey = (group: GroupChat) => ({ platform: 'telegram', workspaceId: w.botId, chatId: String(group.id) });

describe('setting up a group', () => {
  it('greets when added, and explains /config when made an administrator', async () => {
    const group = await groupWithBot('Setup');
    expect(w.texts(group.id)).toEqual([
      'Hello! To create requests from this group, make me an administrator; then an administrator sends /config@ticket_bot to choose the service.',
      "Thank you! An administrator can now send /config@ticket_bot to choose this group's service.",
    ]);
    // Being removed says nothing (and could not: the bot is out).
    await w.send(w.fake.updates.myChatMember(group, admin, w.fake.bot, 'administrator', 'kicked'));
    expect(w.texts(group.id)).toHaveLength(2);
  });

  it('/config@bot: a non-admin is refused; an admin picks the service from buttons and it is stored for the group', async () => {
    const group = await groupWithBot('Config');
    const member = tgUser(901, 'Mallory', { languageCode: 'en' });
    const attempt = w.fake.updates.command(group, member, '/config@ticket_bot');
    await w.send(attempt);
    expect(w.fake.lastSent(group.id).text).toBe('Only administrators of this chat can configure the bot.');
    expect(w.fake.lastSent(group.id).reply_to_message_id).toBe(attempt.message.message_id);

    const config = w.fake.updates.command(group, admin, '/config@ticket_bot');
    await w.send(config);
    const choose = w.fake.lastSent(group.id);
    expect(choose.text).toBe("Choose the service for this group's requests:");
    expect(choose.reply_markup?.inline_keyboard.map((r) => r.map((b) => b.text))).toEqual([['Billing & Payments'], ['General']]);

    // The member presses the admin's buttons: refused with an alert, nothing stored.
    const sneaky = w.fake.press(member, choose, 'General');
    await w.send(sneaky);
    expect(w.answers().find((a) => a.id === sneaky.callback_query.id)).toMatchObject({ text: 'Only administrators of this chat can configure the bot.', alert: true });
    expect(await w.db.chatConfig.count({ where: chatKey(group) })).toBe(0);

    await w.send(w.fake.press(admin, choose, 'Billing & Payments'));
    expect(await w.db.chatConfig.findFirstOrThrow({ where: chatKey(group) })).toMatchObject({ serviceId: billingId });
    expect(w.fake.store.message(group.id, choose.message_id)!.text).toBe("This chat's requests now go to Billing & Payments.");
    // Admin status was asked of Telegram each time, never assumed.
    const asked = w.fake.callsTo('getChatMember').filter((c) => Number(c.params['chat_id']) === group.id).map((c) => c.params['user_id']);
    expect(asked).toEqual([member.id, admin.id, member.id, admin.id]);

    // /config addressed to another bot is not ours.
    const before = w.fake.sent(group.id).length;
    await w.send(w.fake.updates.command(group, admin, '/config@other_helper_bot'));
    expect(w.fake.sent(group.id)).toHaveLength(before);
  });
});

describe('tickets from a group', () => {
  let alice: Customer;
  beforeAll(async () => {
    alice = await w.customer('Alice');
  });

  it('an unregistered member is told to register in a private chat; nothing is stored', async () => {
    const group = await groupWithBot('Strangers');
    const stranger = tgUser(555, 'Stan', { languageCode: 'en' });
    const mention = w.fake.updates.mention(group, stranger, 'ticket_bot', 'the website is down for everyone');
    await w.send(mention);
    expect(w.fake.lastSent(group.id).text).toBe('Stan, please register with me in a private chat first: open t.me/ticket_bot and send /start with your code.');
    expect(w.fake.lastSent(group.id).reply_to_message_id).toBe(mention.message.message_id);
    expect(await w.db.ticket.count({ where: { sourceKey: `telegram:${w.botId}:${group.id}:${mention.message.message_id}` } })).toBe(0);
    expect(await w.db.chatThreadLink.count({ where: { chatId: String(group.id) } })).toBe(0);
  });

  it('a mention shorter than 10 characters gets a clear answer, privately, and no ticket', async () => {
    const group = await groupWithBot('Short');
    const before = await w.db.ticket.count();
    const inGroup = w.fake.sent(group.id).length;
    const mention = w.fake.updates.mention(group, alice.tg, 'ticket_bot', 'help me');
    await w.send(mention);
    expect(w.fake.lastSent(alice.chat.id).text).toBe(
      'Please describe the problem in at least 10 characters when you mention @ticket_bot, or reply to the message that describes it with a mention.',
    );
    expect(w.fake.sent(group.id)).toHaveLength(inGroup);
    expect(await w.db.ticket.count()).toBe(before);
  });

  it("a registered member's mention creates a ticket in the group's service, confirmed in the group and privately; a duplicate update adds nothing", async () => {
    const group = await groupWithBot('Billing team');
    await w.send(w.fake.updates.command(group, admin, '/config@ticket_bot'));
    await w.send(w.fake.press(admin, w.fake.lastSent(group.id), 'Billing & Payments'));
    const dmBefore = w.fake.sent(alice.chat.id).length;
    // An emoji before the mention: entity offsets are UTF-16 units, so the mention sits at offset 3, not 2.
    const mention = w.fake.updates.message(group, alice.tg, '🔥 @ticket_bot the invoice PDF is blank');
    expect(mention.message.entities).toEqual([{ type: 'mention', offset: 3, length: 11 }]);
    await w.send(mention);
    await w.send(mention); // Telegram re-delivering the same update

    const t = await w.db.ticket.findFirstOrThrow({ where: { sourceKey: `telegram:${w.botId}:${group.id}:${mention.message.message_id}` }, include: { threadLinks: true, comments: true } });
    expect(t).toMatchObject({ subject: '🔥 the invoice PDF is blank', description: '🔥 the invoice PDF is blank', via: 'telegram', serviceId: billingId, requesterId: alice.userId, status: 'new' });
    expect(t.comments.map((c) => [c.body, c.public])).toEqual([['🔥 the invoice PDF is blank', true]]);
    expect(t.threadLinks.map((l) => [l.chatId, l.threadRef]).sort()).toEqual(
      [
        [String(group.id), String(mention.message.message_id)],
        [String(alice.tg.id), ''],
      ].sort(),
    );
    expect(await w.db.inboundEvent.count({ where: { externalId: String(mention.update_id) } })).toBe(1);
    expect(await w.db.ticket.count({ where: { requesterId: alice.userId } })).toBe(1);

    const deliveries = await w.deliveries(t.number, 2);
    expect(deliveries.map((d) => [d.outboxEvent.type, d.status])).toEqual([
      ['ticket.created', 'sent'],
      ['ticket.created', 'sent'],
    ]);
    const confirmation = `Request #${t.number} "🔥 the invoice PDF is blank" has been created. Status: New.\nOpen request #${t.number}`;
    const inGroup = w.fake.lastSent(group.id);
    expect(inGroup.text).toBe(confirmation);
    expect(inGroup.reply_to_message_id).toBe(mention.message.message_id);
    expect(w.since(alice.chat.id, dmBefore).map((m) => m.text)).toEqual([confirmation]);
  });

  it("a reply with a mention makes the replied-to message (another member's or one's own) the description", async () => {
    const group = await groupWithBot('Ops');
    const bob = tgUser(222, 'Bob', { languageCode: 'en' });
    const original = w.fake.updates.message(group, bob, 'The staging database refuses connections since 9:00');
    await w.send(original);
    expect(w.fake.sent(group.id)).toHaveLength(2); // plain chatter gets no answer
    const reply = w.fake.updates.mention(group, alice.tg, 'ticket_bot', '', original.message);
    await w.send(reply);
    const t = await w.db.ticket.findFirstOrThrow({ where: { sourceKey: `telegram:${w.botId}:${group.id}:${original.message.message_id}` }, include: { threadLinks: true } });
    expect(t).toMatchObject({ subject: 'The staging database refuses connections since 9:00', description: 'The staging database refuses connections since 9:00', requesterId: alice.userId });
    expect(t.threadLinks.find((l) => l.chatId === String(group.id))!.threadRef).toBe(String(original.message.message_id));
    await w.deliveries(t.number, 2);
    expect(w.fake.lastSent(group.id).reply_to_message_id).toBe(original.message.message_id);

    // Someone else asking again about the same message makes no second ticket.
    const carol = await w.customer('Carol');
    await w.send(w.fake.updates.mention(group, carol.tg, 'ticket_bot', 'this one please', original.message));
    expect(w.fake.lastSent(carol.chat.id).text).toBe(`This message already has request #${t.number} "The staging database refuses connections since 9:00" (New).`);
    expect(await w.db.ticket.count({ where: { requesterId: carol.userId } })).toBe(0);

    // Replying to one's own message works the same way.
    const own = w.fake.updates.message(group, alice.tg, 'Cron jobs on the build host stopped running');
    await w.send(own);
    await w.send(w.fake.updates.mention(group, alice.tg, 'ticket_bot', 'please', own.message));
    const second = await w.db.ticket.findFirstOrThrow({ where: { sourceKey: `telegram:${w.botId}:${group.id}:${own.message.message_id}` } });
    expect(second).toMatchObject({ description: 'Cron jobs on the build host stopped running', requesterId: alice.userId });
    expect((await w.deliveries(second.number, 2)).map((d) => d.status)).toEqual(['sent', 'sent']);
    expect(w.fake.lastSent(group.id).reply_to_message_id).toBe(own.message.message_id);
  });

  it('private-chat commands in a group point to the private chat', async () => {
    const group = await groupWithBot('Commands');
    await w.send(w.fake.updates.command(group, alice.tg, '/new@ticket_bot'));
    expect(w.fake.lastSent(group.id).text).toBe('Please use this command in a private chat with @ticket_bot.');
    expect(await w.db.dialogState.count({ where: { platformUserId: String(alice.tg.id) } })).toBe(0);
  });
});

describe('notifications of a group ticket', () => {
  let author: Customer;
  let group: GroupChat;
  let source: number;
  let number: number;

  beforeAll(async () => {
    author = await w.customer('Nina');
    group = await groupWithBot('Notify');
    const mention = w.fake.updates.mention(group, author.tg, 'ticket_bot', 'VPN gateway drops all sessions');
    source = mention.message.message_id;
    await w.send(mention);
    number = (await w.latestTicketOf(author.userId))!.number;
    await w.deliveries(number, 2);
  });

  it('status changes and agent replies go to the group as replies to the source message, and to the author privately', async () => {
    const groupBefore = w.fake.sent(group.id).length;
    const dmBefore = w.fake.sent(author.chat.id).length;
    await w.api('POST', `/tickets/${number}/comments`, { body: 'We are on it', public: true });
    await w.api('POST', `/tickets/${number}/comments`, { body: 'internal: check gateway 3', public: false });
    await w.api('PATCH', `/tickets/${number}`, { status: 'pending' });
    const deliveries = await w.deliveries(number, 8);
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    const expected = [
      `${w.agentName} replied to request #${number}:\nWe are on it`,
      `Request #${number}: status changed from New to Open.`,
      `Request #${number}: status changed from Open to Awaiting your reply.`,
    ];
    const inGroup = w.since(group.id, groupBefore);
    expect(inGroup.map((m) => m.text)).toEqual(expected);
    expect(inGroup.every((m) => m.reply_to_message_id === source)).toBe(true);
    expect(w.since(author.chat.id, dmBefore).map((m) => m.text)).toEqual(expected);
    expect(w.fake.store.allSent().some((m) => m.text.includes('gateway 3'))).toBe(false);
  });

  it('solved: the prompt goes to both; another member cannot rate; the author rates from the group and comments privately', async () => {
    await w.api('PATCH', `/tickets/${number}`, { status: 'solved' });
    await w.deliveries(number, 12);
    const prompt = w.fake.lastSent(group.id);
    expect(prompt.text).toBe(`Request #${number} has been solved. Please rate the answer, or return the request to work if the problem persists.`);
    expect(prompt.reply_to_message_id).toBe(source);
    expect(w.fake.lastSent(author.chat.id).text).toBe(prompt.text);

    const bob = await w.customer('Bob');
    const foreign = w.fake.press(bob.tg, prompt, '1 ⭐');
    await w.send(foreign);
    expect(w.answers().find((a) => a.id === foreign.callback_query.id)).toEqual({ id: foreign.callback_query.id, text: 'Request not found.', alert: true });
    expect((await w.ticket(number)).status).toBe('solved');
    // Bob's reply under the prompt is his comment (like a CC's); it does not return Nina's ticket to work.
    const reply = w.fake.updates.message(group, bob.tg, 'same VPN trouble on floor 4', { replyTo: w.fake.toMessage(prompt, group) });
    await w.send(reply);
    let t = await w.ticket(number);
    expect(t.status).toBe('solved');
    expect(t.comments.at(-1)).toMatchObject({ body: 'same VPN trouble on floor 4', public: true, authorId: bob.userId, externalRef: `telegram:${w.botId}:${group.id}:${reply.message.message_id}` });

    const own = w.fake.press(author.tg, prompt, '5 ⭐');
    await w.send(own);
    expect(w.answers().find((a) => a.id === own.callback_query.id)).toMatchObject({ text: `Thank you! Request #${number} is closed with rating 5/5.` });
    // The group's prompt becomes the outcome, for everyone there; the rating's comment is asked privately.
    expect(w.fake.store.message(group.id, prompt.message_id)).toMatchObject({ text: `Request #${number} was rated 5/5 and is closed.` });
    expect(w.fake.store.message(group.id, prompt.message_id)!.reply_markup).toBeUndefined();
    await w.deliveries(number, 14);
    expect(w.texts(author.chat.id)).toContain('Add a comment to your rating (optional), or skip.');
    await w.send(w.fake.updates.message(author.chat, author.tg, 'great job'));
    t = await w.ticket(number);
    expect(t.status).toBe('closed');
    expect(t.rating).toMatchObject({ score: 5, comment: 'great job', raterId: author.userId });
    expect(w.fake.lastSent(group.id).text).toBe(`Request #${number}: status changed from Solved to Closed.`);
  });
});
