import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateChatOf, tgUser } from '../../fakes/telegram/telegram-updates.ts';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram group mode', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  const admin = tgUser(900, 'Olga', { username: 'olga_admin', languageCode: 'en' });

  async function groupWithBot() {
    const group = h.group();
    await h.send(h.fake.updates.myChatMember(group, admin, h.botUser, 'left', 'member'));
    h.fake.setMember(group.id, admin.id, 'creator');
    return group;
  }

  it('greets when added, and explains /config when promoted to administrator', async () => {
    const group = await groupWithBot();
    expect(h.fake.lastSent(group.id).text).toBe(
      'Hello! To create requests from this group, make me an administrator; then an administrator sends /config@ticket_bot to choose the service.',
    );
    await h.send(h.fake.updates.myChatMember(group, admin, h.botUser, 'member', 'administrator'));
    expect(h.fake.lastSent(group.id).text).toBe(
      "Thank you! An administrator can now send /config@ticket_bot to choose this group's service.",
    );
    // Being removed says nothing (and could not: the bot is out).
    const before = h.fake.sent(group.id).length;
    await h.send(h.fake.updates.myChatMember(group, admin, h.botUser, 'administrator', 'kicked'));
    expect(h.fake.sent(group.id)).toHaveLength(before);
  });

  it('/config@bot by an admin offers the services; the choice is stored for the group', async () => {
    const group = await groupWithBot();
    const config = h.fake.updates.command(group, admin, '/config@ticket_bot');
    await h.send(config);
    const choose = h.fake.lastSent(group.id);
    expect(choose.text).toBe("Choose the service for this group's requests:");
    expect(choose.reply_to_message_id).toBe(config.message.message_id);
    await h.send(h.fake.press(admin, choose, 'Billing & Payments'));
    expect(await h.desk.getChatService({ platform: 'telegram', workspaceId: String(h.botUser.id), chatId: String(group.id) })).toEqual({
      id: 'svc-billing',
      name: 'Billing & Payments',
    });
    expect(h.fake.store.message(group.id, choose.message_id)!.text).toBe("This group's requests now go to Billing & Payments.");
    // getChatMember was asked about the admin, not assumed.
    expect(h.fake.callsTo('getChatMember').map((c) => c.params['user_id'])).toEqual([admin.id, admin.id]);
  });

  it('a non-admin cannot configure, neither by command nor by pressing the buttons', async () => {
    const group = await groupWithBot();
    const member = tgUser(901, 'Mallory', { languageCode: 'en' });
    await h.send(h.fake.updates.command(group, member, '/config@ticket_bot'));
    expect(h.fake.lastSent(group.id).text).toBe('Only group administrators can configure the bot.');

    await h.send(h.fake.updates.command(group, admin, '/config@ticket_bot'));
    const choose = h.fake.lastSent(group.id);
    await h.send(h.fake.press(member, choose, 'General'));
    expect(h.answers().at(-1)).toMatchObject({ text: 'Only group administrators can configure the bot.', alert: true });
    expect(h.desk.chatServices.size).toBe(0);
  });

  it("ignores /config addressed to another bot", async () => {
    const group = await groupWithBot();
    const before = h.fake.sent(group.id).length;
    await h.send(h.fake.updates.command(group, admin, '/config@other_helper_bot'));
    expect(h.fake.sent(group.id)).toHaveLength(before);
    expect(h.fake.callsTo('getChatMember')).toHaveLength(0);
  });

  it('a registered member mentioning the bot with a description creates a ticket in the group and their DM', async () => {
    const group = await groupWithBot();
    await h.desk.setChatService({ platform: 'telegram', workspaceId: String(h.botUser.id), chatId: String(group.id) }, 'svc-billing');
    const { user: alice } = await h.customer(111, 'Alice');
    // An emoji before the mention: entity offsets are UTF-16 units, so the mention sits at offset 3, not 2.
    const mention = h.fake.updates.message(group, alice, '🔥 @ticket_bot the invoice PDF is blank');
    expect(mention.message.entities).toEqual([{ type: 'mention', offset: 3, length: 11 }]);
    await h.send(mention);

    expect(h.desk.created).toHaveLength(1);
    expect(h.desk.created[0]).toMatchObject({
      via: 'telegram',
      description: '🔥 the invoice PDF is blank',
      serviceId: 'svc-billing',
      thread: { chatId: String(group.id), threadRef: String(mention.message.message_id) },
      extraThreads: [{ chatId: '111', threadRef: null }],
    });
    const inGroup = h.fake.lastSent(group.id);
    expect(inGroup.text).toMatch(/^Request #101 "🔥 the invoice PDF is blank" has been created\. Status: New\./);
    expect(inGroup.reply_to_message_id).toBe(mention.message.message_id);
    expect(h.fake.lastSent(111).text).toMatch(/^Request #101 /);
  });

  it('a mention shorter than 10 characters gets a clear answer and no ticket', async () => {
    const group = await groupWithBot();
    const { user: alice } = await h.customer(111, 'Alice');
    const mention = h.fake.updates.mention(group, alice, 'ticket_bot', 'help me');
    await h.send(mention);
    expect(h.desk.created).toHaveLength(0);
    const answer = h.fake.lastSent(group.id);
    expect(answer.text).toBe(
      'Please describe the problem in at least 10 characters when you mention @ticket_bot, or reply to the message that describes it with a mention.',
    );
    expect(answer.reply_to_message_id).toBe(mention.message.message_id);
  });

  it("a reply with a mention uses the replied-to message (another member's) as the description", async () => {
    const group = await groupWithBot();
    const { user: alice } = await h.customer(111, 'Alice');
    const bob = tgUser(222, 'Bob', { languageCode: 'en' });
    const original = h.fake.updates.message(group, bob, 'The staging database refuses connections since 9:00');
    await h.send(original);
    const reply = h.fake.updates.mention(group, alice, 'ticket_bot', '', original.message);
    await h.send(reply);
    expect(h.desk.created[0]).toMatchObject({
      description: 'The staging database refuses connections since 9:00',
      subject: 'The staging database refuses connections since 9:00',
      requester: { chatUser: { platformUserId: '111' } },
      thread: { threadRef: String(original.message.message_id) },
    });
    expect(h.fake.lastSent(group.id).reply_to_message_id).toBe(original.message.message_id);

    // Someone else asking again about the same message makes no second ticket.
    const { user: carol } = await h.customer(333, 'Carol');
    await h.send(h.fake.updates.mention(group, carol, 'ticket_bot', 'this one please', original.message));
    expect(h.desk.tickets.size).toBe(1);
    expect(h.fake.lastSent(group.id).text).toBe('This message is already request #101.');
  });

  it('an unregistered member is told to register in a private chat', async () => {
    const group = await groupWithBot();
    const stranger = tgUser(555, 'Stan', { languageCode: 'en' });
    await h.send(h.fake.updates.mention(group, stranger, 'ticket_bot', 'the website is down for everyone'));
    expect(h.desk.created).toHaveLength(0);
    expect(h.fake.lastSent(group.id).text).toBe(
      'Stan, please register with me in a private chat first: open t.me/ticket_bot and send /start with your code.',
    );
  });

  it('plain group chatter without a mention is ignored', async () => {
    const group = await groupWithBot();
    const { user: alice } = await h.customer(111, 'Alice');
    const before = h.fake.sent(group.id).length;
    await h.send(h.fake.updates.message(group, alice, 'lunch at noon, anyone?'));
    expect(h.fake.sent(group.id)).toHaveLength(before);
    expect(h.desk.created).toHaveLength(0);
  });

  it('solved: the prompt goes to the group and the DM; rating from the group continues privately', async () => {
    const group = await groupWithBot();
    const { user: alice } = await h.customer(111, 'Alice');
    const mention = h.fake.updates.mention(group, alice, 'ticket_bot', 'the invoice PDF is blank');
    await h.send(mention);
    await h.solve(101);
    const groupPrompt = h.fake.lastSent(group.id);
    expect(groupPrompt.reply_to_message_id).toBe(mention.message.message_id);
    expect(h.fake.lastSent(111).text).toMatch(/^Request #101 has been solved/);

    // Another member cannot rate Alice's ticket: the core refuses, the alert says so.
    const { user: bob } = await h.customer(222, 'Bob');
    await h.send(h.fake.press(bob, groupPrompt, '1 ⭐'));
    expect(h.answers().at(-1)).toMatchObject({ text: 'Request not found.', alert: true });

    await h.send(h.fake.press(alice, groupPrompt, '5 ⭐'));
    expect(h.desk.tickets.get(101)!.rating?.score).toBe(5);
    expect(h.fake.lastSent(111).text).toContain('Add a comment to your rating (optional), or skip.');
    await h.send(h.fake.updates.message(privateChatOf(alice), alice, 'great job'));
    expect(h.desk.tickets.get(101)!.rating?.comment).toBe('great job');
  });

  it('private-chat commands in a group point to the private chat', async () => {
    const group = await groupWithBot();
    const { user: alice } = await h.customer(111, 'Alice');
    await h.send(h.fake.updates.command(group, alice, '/new@ticket_bot'));
    expect(h.fake.lastSent(group.id).text).toBe('Please use this command in a private chat with @ticket_bot.');
    expect(h.desk.dialog.size).toBe(0);
  });
});
