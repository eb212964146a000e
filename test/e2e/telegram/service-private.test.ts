/**
 * Telegram in a private chat, end to end: the real service (core, PostgreSQL, inbox worker, sync engine) with
 * telegraf against the strict fake Bot API. Each test asserts what Telegram received and what the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_PROCESS_INBOUND } from '../../../src/infra/queue/jobs.ts';
import { ADMIN_TOKEN } from '../../helpers/service.ts';
import { PUBLIC_URL, SERVICE_WEBHOOK_SECRET, TelegramServiceWorld, type Customer } from '../../helpers/telegram/telegram-service.ts';

const w = new TelegramServiceWorld();
let billingId = '';
let generalId = '';

beforeAll(async () => {
  await w.start();
  billingId = (await w.api('POST', '/services', { name: 'Billing & Payments' }, ADMIN_TOKEN)).body.service.id;
  generalId = (await w.api('GET', '/services')).body.services.find((s: { name: string }) => s.name === 'General').id;
});
afterAll(async () => {
  await w.stop();
});

const buttons = (m: { reply_markup?: { inline_keyboard: { text: string }[][] } }) =>
  m.reply_markup?.inline_keyboard.map((row) => row.map((b) => b.text)) ?? [];

const textsSince = (chatId: number, skip: number) => w.since(chatId, skip).map((m) => m.text);

/** What the bot answers a registered person asking for help, or writing when it waits for nothing. */
const HELP =
  '/new: create a request\n/tickets: your open requests\n/login: a sign-in link to the help center\n/help: this help\n\nIn a group, mention @ticket_bot with a description of the problem (at least 10 characters), or reply to a message with a mention of @ticket_bot.';

/** Drives /new to the end and returns the ticket number the core gave it. */
async function newRequest(c: Customer, description: string, service = 'General', priority = 'Normal'): Promise<number> {
  await w.send(w.fake.updates.message(c.chat, c.tg, '/new'));
  await w.send(w.fake.press(c.tg, w.fake.lastSent(c.chat.id), service));
  await w.send(w.fake.updates.message(c.chat, c.tg, description));
  const priorityMessage = w.fake.lastSent(c.chat.id);
  await w.send(w.fake.press(c.tg, priorityMessage, priority));
  await w.send(w.fake.press(c.tg, w.fake.store.message(c.chat.id, priorityMessage.message_id)!, 'Submit request'));
  const number = (await w.latestTicketOf(c.userId))!.number;
  await w.deliveries(number, 1); // the confirmation
  return number;
}

describe('start-up', () => {
  it('identifies the bot, registers the command menu in en/ja/ru and the webhook with its secret', async () => {
    expect(w.fake.callsTo('getMe').length).toBeGreaterThanOrEqual(1);
    const privateLists = [...w.fake.commands.entries()].filter(([k]) => k.startsWith('all_private_chats|'));
    expect(privateLists.map(([k]) => k).sort()).toEqual(['all_private_chats|', 'all_private_chats|en', 'all_private_chats|ja', 'all_private_chats|ru']);
    for (const [, commands] of privateLists) expect(commands.map((c) => c.command)).toEqual(['new', 'tickets', 'help', 'login']);
    expect(w.fake.commands.get('all_private_chats|ru')!.map((c) => c.description)).toEqual(['Новая заявка', 'Открытые заявки', 'Помощь', 'Ссылка для входа в центр поддержки']);
    expect(w.fake.commands.get('all_private_chats|ja')![0]!.description).toBe('新しいリクエスト');
    expect(w.fake.commands.get('all_chat_administrators|')).toEqual([{ command: 'config', description: "Choose this group's service" }]);
    expect(w.fake.webhook).toEqual({
      url: `${PUBLIC_URL}/telegram/webhook`,
      secret: SERVICE_WEBHOOK_SECRET,
      allowedUpdates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
    });
  });
});

describe('registration', () => {
  it('an unregistered user is told how to register and can do nothing else', async () => {
    const { tg, chat } = await w.person('Stan');
    for (const text of ['/new', '/tickets', '/help', 'my printer is on fire']) {
      await w.send(w.fake.updates.message(chat, tg, text));
      expect(w.fake.lastSent(chat.id).text).toBe(
        `To use this bot, link your Telegram account to the help center. Ask support for a one-time code, then send "/start <code>" here (or open the link t.me/ticket_bot?start=<code> you were given).`,
      );
    }
    // A menu button from an old message is refused with an alert.
    const old = w.fake.updates.message(chat, tg, 'x').message;
    const press = w.fake.updates.callbackQuery(tg, old, 'm:n');
    await w.send(press);
    expect(w.answers().find((a) => a.id === press.callback_query.id)).toMatchObject({ alert: true, text: 'Please register first: send /start with your code in a private chat with @ticket_bot.' });

    const ref = { platform: 'telegram', workspaceId: w.botId, platformUserId: String(tg.id) };
    expect(await w.db.chatIdentity.count({ where: ref })).toBe(0);
    expect(await w.db.dialogState.count({ where: ref })).toBe(0);
    expect(await w.db.ticket.count({ where: { via: 'telegram' } })).toBe(0);
    const rows = await w.db.inboundEvent.findMany({ where: { payload: { path: ['message', 'chat', 'id'], equals: chat.id } } });
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('links the account with /start <code> (what the deep link sends) and shows the menu', async () => {
    const { tg, chat } = await w.person('Alice');
    const user = await w.helpCenterUser('Alice');
    const code = await w.linkCode(user.id);
    const start = w.fake.updates.command(chat, tg, '/start', code);
    expect((await w.send(start)).status).toBe(200);
    const welcome = w.fake.lastSent(chat.id);
    expect(welcome.text).toBe(`Welcome, Alice! Your Telegram account is now linked to ${user.email}.\n\nWhat would you like to do?`);
    expect(buttons(welcome)).toEqual([['New request'], ['Open requests'], ['Help']]);

    const identity = await w.db.chatIdentity.findUniqueOrThrow({
      where: { platform_workspaceId_platformUserId: { platform: 'telegram', workspaceId: w.botId, platformUserId: String(tg.id) } },
    });
    expect(identity).toMatchObject({ userId: user.id, displayName: 'Alice', locale: 'en' });
    const codes = await w.db.linkCode.findMany({ where: { userId: user.id } });
    expect(codes).toHaveLength(1);
    expect(codes[0]!.usedAt).not.toBeNull();
    const inbound = await w.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'telegram', externalId: String(start.update_id) } } });
    expect(inbound).toMatchObject({ status: 'done', attempts: 0, lastError: null });

    // The menu: open requests and help (new request is the /new test below).
    await w.send(w.fake.press(tg, welcome, 'Open requests'));
    expect(w.fake.lastSent(chat.id).text).toBe('You have no open requests.');
    await w.send(w.fake.press(tg, welcome, 'Help'));
    const help = w.fake.lastSent(chat.id);
    expect(help.text).toBe(HELP);
    expect(buttons(help)).toEqual([['New request'], ['Open requests'], ['Help']]);
  });

  it('a wrong, an expired and a reused code get a clear answer and link nothing', async () => {
    const { tg, chat } = await w.person('Mallory');
    const ref = { platform: 'telegram', workspaceId: w.botId, platformUserId: String(tg.id) };
    await w.send(w.fake.updates.command(chat, tg, '/start', 'NOTACODE1'));
    expect(w.fake.lastSent(chat.id).text).toBe('This code is not valid. Check it, or ask support for a new one.');

    const victim = await w.helpCenterUser('Victor');
    const expired = await w.linkCode(victim.id);
    await w.db.linkCode.updateMany({ where: { userId: victim.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    await w.send(w.fake.updates.command(chat, tg, '/start', expired));
    expect(w.fake.lastSent(chat.id).text).toBe('This code has expired. Ask support for a new one.');

    // Victor redeems his fresh code; the same code from another account is refused.
    const fresh = await w.linkCode(victim.id);
    const victor = await w.person('Victor');
    await w.send(w.fake.updates.command(victor.chat, victor.tg, '/start', fresh));
    await w.send(w.fake.updates.command(chat, tg, '/start', fresh));
    expect(w.fake.lastSent(chat.id).text).toBe('This code has already been used. Ask support for a new one.');

    expect(await w.db.chatIdentity.count({ where: ref })).toBe(0);
    const victorLink = await w.db.chatIdentity.findFirstOrThrow({ where: { platformUserId: String(victor.tg.id) } });
    expect(victorLink.userId).toBe(victim.id);
  });

  it('speaks the language of language_code: Russian and Japanese', async () => {
    const ivan = await w.customer('Ivan', 'ru');
    expect(w.fake.lastSent(ivan.chat.id).text).toBe(
      `Добро пожаловать, Ivan! Ваш аккаунт Telegram привязан к ${ivan.email}.\n\nЧто вы хотите сделать?`,
    );
    await w.send(w.fake.updates.message(ivan.chat, ivan.tg, '/help'));
    expect(w.fake.lastSent(ivan.chat.id).text).toContain('(не короче 10 символов)');
    const yuki = await w.customer('Yuki', 'ja');
    expect(w.fake.lastSent(yuki.chat.id).text).toContain('ようこそ、Yuki さん。');
    expect(await w.db.chatIdentity.findFirstOrThrow({ where: { platformUserId: String(yuki.tg.id) } })).toMatchObject({ locale: 'ja' });
  });
});

describe('/new', () => {
  it('service -> description -> priority -> confirm: the ticket, its thread, and the confirmation with number, link and status', async () => {
    const c = await w.customer('Carol');
    await w.send(w.fake.updates.message(c.chat, c.tg, '/new'));
    const choose = w.fake.lastSent(c.chat.id);
    expect(choose.text).toBe('Choose the service your request is about:');
    expect(buttons(choose)).toEqual([['Billing & Payments'], ['General'], ['Cancel']]);

    await w.send(w.fake.press(c.tg, choose, 'Billing & Payments'));
    expect(w.fake.store.message(c.chat.id, choose.message_id)!.text).toBe('Service: Billing & Payments\nDescribe the problem (at least 10 characters).');

    await w.send(w.fake.updates.message(c.chat, c.tg, 'too short'));
    expect(w.fake.lastSent(c.chat.id).text).toBe('Describe the problem in at least 10 characters.');

    await w.send(w.fake.updates.message(c.chat, c.tg, 'Invoice <#42> & the refund are wrong\nsecond line'));
    const priority = w.fake.lastSent(c.chat.id);
    expect(priority.text).toBe('Choose the priority:');
    expect(buttons(priority)).toEqual([['Low', 'Normal'], ['High', 'Urgent'], ['Cancel']]);
    await w.send(w.fake.press(c.tg, priority, 'High'));
    const summary = w.fake.store.message(c.chat.id, priority.message_id)!;
    // User text arrives literally: the fake refuses unescaped "<#42>" under parse_mode HTML.
    expect(summary.text).toBe('Your request\nService: Billing & Payments\nPriority: High\nDescription:\nInvoice <#42> & the refund are wrong\nsecond line');
    const before = w.fake.sent(c.chat.id).length;
    await w.send(w.fake.press(c.tg, summary, 'Submit request'));

    const t = await w.ticket((await w.latestTicketOf(c.userId))!.number);
    expect(t).toMatchObject({
      subject: 'Invoice <#42> & the refund are wrong',
      description: 'Invoice <#42> & the refund are wrong\nsecond line',
      priority: 'high',
      status: 'new',
      visibility: 'public',
      via: 'telegram',
      requesterId: c.userId,
      submitterId: c.userId,
      serviceId: billingId,
    });
    expect(t.comments.map((x) => ({ body: x.body, public: x.public, author: x.authorId }))).toEqual([
      { body: 'Invoice <#42> & the refund are wrong\nsecond line', public: true, author: c.userId },
    ]);
    expect(t.threadLinks.map((l) => ({ chatId: l.chatId, threadRef: l.threadRef, locale: l.locale, status: l.status }))).toEqual([
      { chatId: String(c.tg.id), threadRef: '', locale: 'en', status: 'active' },
    ]);
    const [confirmation] = await w.deliveries(t.number, 1);
    const sent = await w.sentCount(c.chat.id, before + 1);
    const message = sent.at(-1)!;
    expect(message.text).toBe(`Request #${t.number} "Invoice <#42> & the refund are wrong" has been created. Status: New.\nOpen request #${t.number}`);
    expect(message.entities).toContainEqual(expect.objectContaining({ type: 'text_link', url: `${PUBLIC_URL}/tickets/${t.number}` }));
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 1, platformMessageId: w.ref(message) });
    expect(confirmation!.outboxEvent.type).toBe('ticket.created');
    // The wizard message says it is in, and the dialog is over.
    expect(w.fake.store.message(c.chat.id, priority.message_id)!.text).toBe(`Request #${t.number} "Invoice <#42> & the refund are wrong" is in. Status: New.`);
    expect(await w.db.dialogState.count({ where: { platformUserId: String(c.tg.id) } })).toBe(0);
  });

  it('the menu button starts the wizard and Cancel ends it without a ticket', async () => {
    const c = await w.customer('Cecil');
    const menu = w.fake.lastSent(c.chat.id);
    await w.send(w.fake.press(c.tg, menu, 'New request'));
    const choose = w.fake.lastSent(c.chat.id);
    expect(choose.text).toBe('Choose the service your request is about:');
    // The draft lives in the core; only its id is in the buttons.
    const draft = await w.db.requestDraft.findFirstOrThrow({ where: { platformUserId: String(c.tg.id) } });
    expect(draft).toMatchObject({ serviceChosen: false, cancelled: false, ticketNumber: null });
    expect(choose.reply_markup!.inline_keyboard.flat().every((b) => b.callback_data!.startsWith('d:'))).toBe(true);
    await w.send(w.fake.press(c.tg, choose, 'Cancel'));
    expect(w.fake.store.message(c.chat.id, choose.message_id)!.text).toBe('The request was cancelled.');
    expect(await w.db.requestDraft.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ cancelled: true });
    expect(await w.db.dialogState.count({ where: { platformUserId: String(c.tg.id) } })).toBe(0);
    expect(await w.db.ticket.count({ where: { requesterId: c.userId } })).toBe(0);
  });

  it('a second press of Submit (or a re-sent update) creates nothing more, and every press is answered', async () => {
    const c = await w.customer('Dave');
    await w.send(w.fake.updates.message(c.chat, c.tg, '/new'));
    await w.send(w.fake.press(c.tg, w.fake.lastSent(c.chat.id), 'General'));
    await w.send(w.fake.updates.message(c.chat, c.tg, 'The VPN drops every five minutes'));
    const priority = w.fake.lastSent(c.chat.id);
    await w.send(w.fake.press(c.tg, priority, 'Normal'));
    const summary = w.fake.store.message(c.chat.id, priority.message_id)!;
    const first = w.fake.press(c.tg, summary, 'Submit request');
    const second = w.fake.updates.callbackQuery(c.tg, first.callback_query.message!, summary.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    await w.send(first);
    await w.send(second);
    const tickets = await w.db.ticket.findMany({ where: { requesterId: c.userId } });
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ serviceId: generalId, priority: 'normal' });
    const answered = w.answers();
    expect(answered.find((a) => a.id === first.callback_query.id)).toBeDefined();
    expect(answered.find((a) => a.id === second.callback_query.id)).toEqual({ id: second.callback_query.id });
    expect(w.fake.store.message(c.chat.id, priority.message_id)!.text).toBe(`Request #${tickets[0]!.number} "The VPN drops every five minutes" is in. Status: New.`);
  });
});

describe('/tickets', () => {
  let c: Customer;
  let mine: number;
  let older: number;
  let hidden: number;

  beforeAll(async () => {
    c = await w.customer('Erin');
    // One change at a time, each delivered before the next, so the chat's messages come in a known order.
    older = await newRequest(c, 'Printer on fire again', 'General', 'Urgent');
    mine = await newRequest(c, 'VPN is slow since Monday');
    // An agent's private ticket for Erin: never listed, never shown.
    hidden = (await w.api('POST', '/tickets', { subject: 'Private matter', description: 'Agents only discuss this', requesterId: c.userId, visibility: 'private' })).body.ticket.number;
    await w.api('PATCH', `/tickets/${mine}`, { status: 'pending' });
    await w.deliveries(mine, 2);
    await w.api('POST', `/tickets/${older}/comments`, { body: 'Try turning it off & on. <b>Really</b>.', public: true });
    await w.api('POST', `/tickets/${older}/comments`, { body: 'internal: customer is VIP', public: false });
    await w.deliveries(older, 3);
    expect(await w.db.delivery.count({ where: { threadLink: { ticket: { number: hidden } } } })).toBe(0);
  });

  it('lists the active public tickets with number, subject and status, each selectable; private ones are not listed', async () => {
    await w.send(w.fake.updates.message(c.chat, c.tg, '/tickets'));
    const list = w.fake.lastSent(c.chat.id);
    expect(list.text).toBe(`Your open requests:\n#${mine} VPN is slow since Monday (Awaiting your reply)\n#${older} Printer on fire again (Open)`);
    expect(list.reply_markup?.inline_keyboard.map((r) => r[0]!.callback_data)).toEqual([`t:d:${mine}`, `t:d:${older}`]);
    expect(list.text).not.toContain(`#${hidden}`);
    expect(await w.db.ticket.count({ where: { requesterId: c.userId } })).toBe(3);
  });

  it('a selected ticket shows cc email, initiator email, priority, exact creation time and the two buttons', async () => {
    await w.send(w.fake.updates.message(c.chat, c.tg, '/tickets'));
    await w.send(w.fake.press(c.tg, w.fake.lastSent(c.chat.id), `#${older} Printer on fire again`));
    const detail = w.fake.lastSent(c.chat.id);
    const created = (await w.ticket(older)).createdAt.toISOString().slice(0, 19).replace('T', ' ');
    expect(detail.text.split('\n')).toEqual([
      `#${older} Printer on fire again`,
      'Status: Open',
      'Priority: Urgent',
      'Service: General',
      `Requester: ${c.email}`,
      `Created: ${created} UTC`,
      `Open request #${older}`,
      '',
      'Printer on fire again',
    ]);
    expect(buttons(detail)).toEqual([['Add a comment'], ['Read comments']]);
  });

  it('reads the public comments only, escaped, oldest first', async () => {
    await w.send(w.fake.updates.callbackQuery(c.tg, w.fake.updates.message(c.chat, c.tg, 'x').message, `t:r:${older}`));
    const text = w.fake.lastSent(c.chat.id).text;
    const [first, reply] = (await w.ticket(older)).comments;
    const at = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    expect(text).toBe(
      `Comments on request #${older}\n\nErin, ${at(first!.createdAt)}:\nPrinter on fire again\n\n${w.agentName}, ${at(reply!.createdAt)}:\nTry turning it off & on. <b>Really</b>.`,
    );
    expect(text).not.toContain('VIP');
  });

  it('adds a comment: the next message is a public comment of the customer, and it is not echoed back', async () => {
    const deliveriesBefore = await w.db.delivery.count({ where: { threadLink: { ticket: { number: mine } } } });
    await w.send(w.fake.updates.callbackQuery(c.tg, w.fake.updates.message(c.chat, c.tg, 'x').message, `t:c:${mine}`));
    expect(w.fake.lastSent(c.chat.id).text).toBe(`Write your comment to request #${mine}.`);
    const message = w.fake.updates.message(c.chat, c.tg, 'It is still slow <really> & annoying');
    const before = w.fake.sent(c.chat.id).length;
    await w.send(message);
    const t = await w.ticket(mine);
    expect(t.comments.at(-1)).toMatchObject({
      body: 'It is still slow <really> & annoying',
      public: true,
      via: 'telegram',
      authorId: c.userId,
      externalRef: `telegram:${w.botId}:${c.chat.id}:${message.message.message_id}`,
    });
    // A customer comment on a pending ticket reopens it (the core's rule); the status change is delivered.
    expect(t.status).toBe('open');
    const deliveries = await w.deliveries(mine, deliveriesBefore + 1);
    expect(deliveries.at(-1)!.outboxEvent.type).toBe('ticket.status_changed');
    // The bot's answer and the engine's notification run independently: their order in the chat is not fixed.
    expect(textsSince(c.chat.id, before).sort()).toEqual(
      [`Your comment was added to request #${mine}.`, `Request #${mine}: status changed from Awaiting your reply to Open.`].sort(),
    );
    // The dialog is over: the next message is not another comment.
    await w.send(w.fake.updates.message(c.chat, c.tg, 'thanks'));
    expect((await w.ticket(mine)).comments).toHaveLength(2);
    expect(w.fake.lastSent(c.chat.id).text).toBe(HELP);
  });

  it("someone else's or a private ticket is refused with the core's answer", async () => {
    const other = await w.customer('Frank');
    const old = w.fake.updates.message(other.chat, other.tg, 'x').message;
    for (const n of [older, hidden]) {
      const press = w.fake.updates.callbackQuery(other.tg, old, `t:d:${n}`);
      await w.send(press);
      expect(w.answers().find((a) => a.id === press.callback_query.id)).toEqual({ id: press.callback_query.id, text: 'Request not found.', alert: true });
    }
    const mineToo = w.fake.updates.callbackQuery(c.tg, w.fake.updates.message(c.chat, c.tg, 'x').message, `t:d:${hidden}`);
    await w.send(mineToo);
    expect(w.answers().find((a) => a.id === mineToo.callback_query.id)).toMatchObject({ text: 'Request not found.', alert: true });
    expect(w.texts(other.chat.id).join('\n')).not.toContain('Printer on fire');
  });
});

describe('notifications, rating and return to work', () => {
  it('agent public replies and status changes arrive in the chat; internal notes do not', async () => {
    const c = await w.customer('Gina');
    const n = await newRequest(c, 'Mail server rejects my password');
    await w.deliveries(n, 1);
    const before = w.fake.sent(c.chat.id).length;
    await w.api('POST', `/tickets/${n}/comments`, { body: 'Please reset it <here> & retry', public: true });
    await w.api('POST', `/tickets/${n}/comments`, { body: 'SECRET internal note', public: false });
    await w.api('PATCH', `/tickets/${n}`, { status: 'on_hold' });
    const deliveries = await w.deliveries(n, 4);
    expect(deliveries.map((d) => [d.outboxEvent.type, d.status])).toEqual([
      ['ticket.created', 'sent'],
      ['comment.added', 'sent'],
      ['ticket.status_changed', 'sent'],
      ['ticket.status_changed', 'sent'],
    ]);
    const sent = w.since(c.chat.id, before);
    expect(sent.map((m) => m.text)).toEqual([
      `${w.agentName} replied to request #${n}:\nPlease reset it <here> & retry`,
      `Request #${n}: status changed from New to Open.`,
      `Request #${n}: status changed from Open to On hold.`,
    ]);
    expect(deliveries.slice(1).map((d) => d.platformMessageId)).toEqual(sent.map(w.ref));
    expect(w.fake.store.allSent().some((m) => m.text.includes('SECRET'))).toBe(false);
    const comments = (await w.ticket(n)).comments;
    expect(comments.map((x) => x.public)).toEqual([true, true, false]);
  });

  it('solved: rate 1-5, then an optional comment; the ticket becomes closed with the rating', async () => {
    const c = await w.customer('Hank');
    const n = await newRequest(c, 'The backup job fails nightly');
    await w.api('PATCH', `/tickets/${n}`, { status: 'solved' });
    const deliveries = await w.deliveries(n, 3);
    // The solved status change itself says nothing: the rating prompt (ticket.solved) says it.
    expect(deliveries.map((d) => [d.outboxEvent.type, d.status, d.lastError])).toEqual([
      ['ticket.created', 'sent', null],
      ['ticket.status_changed', 'sent', 'nothing to send'],
      ['ticket.solved', 'sent', null],
    ]);
    const prompt = w.fake.lastSent(c.chat.id);
    expect(prompt.text).toBe(`Request #${n} has been solved. Please rate the answer, or return the request to work if the problem persists.`);
    expect(buttons(prompt)).toEqual([['1 ⭐', '2 ⭐', '3 ⭐', '4 ⭐', '5 ⭐'], ['Return to work'], ['View request']]);
    expect(w.ref(prompt)).toBe(deliveries[2]!.platformMessageId);

    await w.send(w.fake.press(c.tg, prompt, 'View request'));
    expect(w.fake.lastSent(c.chat.id).text.split('\n').slice(0, 2)).toEqual([`#${n} The backup job fails nightly`, 'Status: Solved']);

    const beforeRating = w.fake.sent(c.chat.id).length;
    await w.send(w.fake.press(c.tg, prompt, '4 ⭐'));
    let t = await w.ticket(n);
    expect(t.status).toBe('closed');
    expect(t.closedAt).not.toBeNull();
    expect(t.rating).toMatchObject({ score: 4, comment: null, raterId: c.userId });
    // The prompt becomes the outcome and loses its buttons, so it cannot be rated twice by accident.
    expect(w.fake.store.message(c.chat.id, prompt.message_id)!.text).toBe(`Request #${n} was rated 4/5 and is closed.`);
    expect(w.fake.store.message(c.chat.id, prompt.message_id)!.reply_markup).toBeUndefined();
    expect(w.answers().at(-1)).toMatchObject({ text: `Thank you! Request #${n} is closed with rating 4/5.` });
    const closed = await w.deliveries(n, 4);
    expect(closed[3]!.outboxEvent.payload).toMatchObject({ from: 'solved', to: 'closed' });
    expect(textsSince(c.chat.id, beforeRating).sort()).toEqual(
      [
        'Add a comment to your rating (optional), or skip.',
        `Request #${n}: status changed from Solved to Closed.`,
      ].sort(),
    );
    await w.send(w.fake.updates.message(c.chat, c.tg, 'Quick and friendly'));
    t = await w.ticket(n);
    expect(t.rating).toMatchObject({ score: 4, comment: 'Quick and friendly' });
    expect(w.fake.lastSent(c.chat.id).text).toBe(`Thank you, your comment on the rating of request #${n} was saved.`);
    // /tickets no longer lists it.
    await w.send(w.fake.updates.message(c.chat, c.tg, '/tickets'));
    expect(w.fake.lastSent(c.chat.id).text).toBe('You have no open requests.');
  });

  it('return to work: confirm Yes, write the reason; the ticket reopens with it as a public comment', async () => {
    const c = await w.customer('Iris');
    const n = await newRequest(c, 'Website shows error 502');
    await w.api('PATCH', `/tickets/${n}`, { status: 'solved' });
    await w.deliveries(n, 3);
    const prompt = w.fake.lastSent(c.chat.id);
    await w.send(w.fake.press(c.tg, prompt, 'Return to work'));
    const confirm = w.fake.lastSent(c.chat.id);
    expect(confirm.text).toBe(`Return request #${n} to work?`);
    expect(buttons(confirm)).toEqual([['Yes', 'No']]);
    await w.send(w.fake.press(c.tg, confirm, 'Yes'));
    // The question loses its buttons; the core asks for the reason.
    expect(w.fake.store.message(c.chat.id, confirm.message_id)!.reply_markup).toBeUndefined();
    expect(w.fake.lastSent(c.chat.id).text).toBe(`Why should request #${n} go back to work? Please describe what is still wrong.`);
    expect(await w.db.dialogState.findFirstOrThrow({ where: { platformUserId: String(c.tg.id) } })).toMatchObject({ chatId: '', state: { awaiting: 'reopen_reason', ticket: n } });
    expect((await w.ticket(n)).status).toBe('solved');
    const before = w.fake.sent(c.chat.id).length;
    await w.send(w.fake.updates.message(c.chat, c.tg, 'It is back since this morning'));
    const t = await w.ticket(n);
    expect(t.status).toBe('open');
    expect(t.solvedAt).toBeNull();
    expect(t.comments.at(-1)).toMatchObject({ body: 'It is back since this morning', public: true, via: 'telegram', authorId: c.userId });
    const deliveries = await w.deliveries(n, 4);
    expect(deliveries[3]!.outboxEvent.payload).toMatchObject({ from: 'solved', to: 'open' });
    expect(w.delivered(deliveries[3]!.platformMessageId)!.text).toBe(`Request #${n}: status changed from Solved to Open.`);
    expect(textsSince(c.chat.id, before).sort()).toEqual(
      [`Request #${n} is back in work. Thank you for the details.`, `Request #${n}: status changed from Solved to Open.`].sort(),
    );
    expect(await w.db.dialogState.count({ where: { platformUserId: String(c.tg.id) } })).toBe(0);
  });

  it('Skip ends the rating without a comment; No keeps a ticket solved; an unsolved ticket cannot be rated', async () => {
    const c = await w.customer('Jack');
    const open = await newRequest(c, 'Disk quota is far too small');
    const stale = w.fake.updates.callbackQuery(c.tg, w.fake.updates.message(c.chat, c.tg, 'x').message, `r:${open}:2`);
    await w.send(stale);
    expect(w.answers().find((a) => a.id === stale.callback_query.id)).toMatchObject({ text: 'Only a solved request can be rated or returned to work.', alert: true });
    expect(await w.db.rating.count({ where: { ticket: { number: open } } })).toBe(0);

    await w.api('PATCH', `/tickets/${open}`, { status: 'solved' });
    await w.deliveries(open, 3);
    const prompt = w.fake.lastSent(c.chat.id);
    await w.send(w.fake.press(c.tg, prompt, 'Return to work'));
    const confirm = w.fake.lastSent(c.chat.id);
    await w.send(w.fake.press(c.tg, confirm, 'No'));
    expect(w.fake.store.message(c.chat.id, confirm.message_id)!.text).toBe(`Request #${open} stays solved.`);
    expect((await w.ticket(open)).status).toBe('solved');
    expect(await w.db.dialogState.count({ where: { platformUserId: String(c.tg.id) } })).toBe(0);

    await w.send(w.fake.press(c.tg, prompt, '5 ⭐'));
    await w.deliveries(open, 4);
    const ask = w.fake.sent(c.chat.id).find((m) => m.text === 'Add a comment to your rating (optional), or skip.')!;
    await w.send(w.fake.press(c.tg, ask, 'Skip'));
    expect(w.fake.store.message(c.chat.id, ask.message_id)!.reply_markup).toBeUndefined();
    await w.send(w.fake.updates.message(c.chat, c.tg, 'unrelated words'));
    expect((await w.ticket(open)).rating).toMatchObject({ score: 5, comment: null });
    expect(w.fake.lastSent(c.chat.id).text).toBe(HELP);
  });

  it('notifications speak the customer language (Russian)', async () => {
    const c = await w.customer('Olga', 'ru');
    await w.send(w.fake.updates.message(c.chat, c.tg, '/new'));
    await w.send(w.fake.press(c.tg, w.fake.lastSent(c.chat.id), 'General'));
    await w.send(w.fake.updates.message(c.chat, c.tg, 'Не работает почта с утра'));
    const priority = w.fake.lastSent(c.chat.id);
    expect(priority.text).toBe('Выберите приоритет:');
    await w.send(w.fake.press(c.tg, priority, 'Обычный'));
    await w.send(w.fake.press(c.tg, w.fake.store.message(c.chat.id, priority.message_id)!, 'Отправить заявку'));
    const n = (await w.latestTicketOf(c.userId))!.number;
    const [d] = await w.deliveries(n, 1);
    expect(d!.threadLink.locale).toBe('ru');
    expect(w.delivered(d!.platformMessageId)!.text).toBe(
      `Заявка #${n} «Не работает почта с утра» создана. Статус: Новая.\nОткрыть заявку #${n}`,
    );
  });
});

describe('many changes at once, and re-runs', () => {
  it('status changes of four tickets of one private chat at the same moment are all delivered', async () => {
    const c = await w.customer('Pia');
    const numbers: number[] = [];
    for (const subject of ['Laptop battery swells', 'Badge does not open door', 'Payslip is missing', 'Monitor flickers']) {
      const r = await w.api('POST', '/tickets', { subject, description: `${subject}, details follow`, requesterId: c.userId });
      expect(r.status).toBe(201);
      numbers.push(r.body.ticket.number);
      await w.deliveries(r.body.ticket.number, 1);
    }
    const before = w.fake.sent(c.chat.id).length;
    // Four commits at once: four thread links into one chat, four drains competing for the same per-chat slot.
    const answers = await Promise.all(numbers.map((n) => w.api('PATCH', `/tickets/${n}`, { status: 'pending' })));
    expect(answers.map((a) => [a.status, a.body.ticket.status])).toEqual(numbers.map(() => [200, 'pending']));
    const expected = (n: number) => `Request #${n}: status changed from New to Awaiting your reply.`;
    for (const n of numbers) {
      const deliveries = await w.deliveries(n, 2, 60_000);
      expect(deliveries.map((d) => [d.outboxEvent.type, d.status, d.lastError])).toEqual([
        ['ticket.created', 'sent', null],
        ['ticket.status_changed', 'sent', null],
      ]);
      expect(w.delivered(deliveries[1]!.platformMessageId)!.text).toBe(expected(n));
    }
    // Each exactly once; the order between tickets is not fixed (one drain per thread).
    expect(textsSince(c.chat.id, before).sort()).toEqual(numbers.map(expected).sort());
  }, 90_000);

  it('a re-run of a processed comment update adds nothing and completes', async () => {
    const c = await w.customer('Quinn');
    const created = await w.api('POST', '/tickets', { subject: 'Scanner jams', description: 'Scanner jams on every page', requesterId: c.userId });
    const n: number = created.body.ticket.number;
    await w.api('PATCH', `/tickets/${n}`, { status: 'pending' });
    await w.deliveries(n, 2);
    await w.send(w.fake.updates.callbackQuery(c.tg, w.fake.updates.message(c.chat, c.tg, 'x').message, `t:c:${n}`));
    // What the bot waits for is the person's, whatever chat a button was pressed in.
    const ref = { platform: 'telegram', workspaceId: w.botId, chatId: '', platformUserId: String(c.tg.id) };
    const waiting = await w.db.dialogState.findUniqueOrThrow({ where: { platform_workspaceId_chatId_platformUserId: ref } });
    expect(waiting.state).toMatchObject({ awaiting: 'comment', ticket: n });

    const message = w.fake.updates.message(c.chat, c.tg, 'Still jamming after the cleaning');
    await w.send(message);
    await w.deliveries(n, 3); // the comment reopened the ticket: pending -> open
    const first = await w.ticket(n);
    const externalRef = `telegram:${w.botId}:${c.chat.id}:${message.message.message_id}`;
    expect(first.status).toBe('open');
    expect(first.comments.map((x) => [x.body, x.externalRef])).toEqual([
      ['Scanner jams on every page', null],
      ['Still jamming after the cleaning', externalRef],
    ]);
    const outboxBefore = await w.db.outboxEvent.count({ where: { ticketId: first.id } });

    // What a crash after the comment's commit leaves behind: the dialog still waits for the comment, and the
    // update is pending with its job to run again.
    await w.db.dialogState.create({ data: { ...ref, state: waiting.state as object } });
    const row = await w.db.inboundEvent.update({
      where: { platform_externalId: { platform: 'telegram', externalId: String(message.update_id) } },
      data: { status: 'pending', processedAt: null },
    });
    const sentBefore = w.fake.sent(c.chat.id).length;
    await w.db.$executeRaw`SELECT graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', ${String(row.id)}::text))`;
    await w.processed(message.update_id);

    expect(await w.db.inboundEvent.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'done', attempts: 0, lastError: null });
    const again = await w.ticket(n);
    expect(again.comments.map((x) => [x.body, x.externalRef])).toEqual(first.comments.map((x) => [x.body, x.externalRef]));
    expect(again.status).toBe('open');
    expect(await w.db.outboxEvent.count({ where: { ticketId: first.id } })).toBe(outboxBefore);
    // The re-run ends the dialog and says what the crash kept it from saying; nothing else reaches the chat.
    expect(await w.db.dialogState.count({ where: ref })).toBe(0);
    expect(textsSince(c.chat.id, sentBefore)).toEqual([`Your comment was added to request #${n}.`]);
  });
});
