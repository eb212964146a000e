/**
 * Delivery into Lark through the real sync engine: Lark's rate-limit answers, server errors, a bot removed from
 * the chat, a rejected tenant token, and Lark's `uuid` closing the crash window. Encrypted, signed events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODES, type FakeUser } from '../../fakes/lark/lark-fake.ts';
import { enqueueThreadDrain } from '../../../src/infra/sync/drain-queue.ts';
import { cardText, parseContent } from '../../helpers/lark/lark-flows.ts';
import { eventIdOf, LarkService } from '../../helpers/lark/lark-service.ts';
import { ADMIN_TOKEN } from '../../helpers/service.ts';

const REPLY = '/open-apis/im/v1/messages/:id/reply';
let s: LarkService;
let seq = 0;

beforeAll(async () => {
  s = await new LarkService({ encryptKey: 'delivery-enc-key-42' }).start();
});
afterAll(async () => {
  await s?.stop();
});

async function newTicket() {
  seq += 1;
  return s.createTicket(s.people.alice, { subject: `Problem ${seq}`, description: `problem number ${seq} needs help`, priority: 'normal', service: 'none' });
}

async function agentReply(number: number, body: string) {
  expect((await s.api('POST', `/tickets/${number}/comments`, { body, public: true })).status).toBe(201);
}

/** What the fake answered to the replies into one thread, in order: [HTTP status, Lark code]. */
const repliesInto = (rootId: string) => s.fake.callsTo('POST', REPLY).filter((c) => c.path.includes(rootId)).map((c) => [c.status, c.code]);

const textsIn = (rootId: string, needle: string) => s.botReplies(rootId).filter((m) => m.content.includes(needle));

describe('Lark on the real service: rate limits and failures', () => {
  it('obeys 429 / 99991400: waits x-ogw-ratelimit-reset, then delivers once', async () => {
    const t = await newTicket();
    const limiter = s.fake.throttle(REPLY, 1);
    await agentReply(t.number, 'Throttled answer');
    await s.settled(t.number);

    // one refusal only: the engine did not come back before the reset Lark announced
    expect(limiter.refused()).toBe(1);
    expect(repliesInto(t.rootId).slice(1)).toEqual([[429, CODES.rateLimited], [200, 0], [200, 0]]);
    expect(textsIn(t.rootId, 'Throttled answer')).toHaveLength(1);
    const d = await s.deliveries(t.number);
    expect(d.map((x) => [x.outboxEvent.type, x.status, x.attempts])).toEqual([
      ['ticket.created', 'sent', 1],
      ['comment.added', 'sent', 2],
      ['ticket.status_changed', 'sent', 1],
    ]);
  });

  it('treats the per-chat limit 230020 as a rate limit and delivers after it', async () => {
    const t = await newTicket();
    s.fake.chatLimitNext(REPLY, 1);
    await agentReply(t.number, 'After the chat limit');
    await s.settled(t.number);
    expect(repliesInto(t.rootId).slice(1, 3)).toEqual([[400, CODES.chatRateLimited], [200, 0]]);
    expect(textsIn(t.rootId, 'After the chat limit')).toHaveLength(1);
    expect((await s.deliveries(t.number))[1]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a 5xx with backoff and delivers once', async () => {
    const t = await newTicket();
    s.fake.serverErrorNext(REPLY, 2);
    await agentReply(t.number, 'Through the outage');
    await s.settled(t.number);
    expect(repliesInto(t.rootId).slice(1, 4)).toEqual([[500, 1_000_000], [500, 1_000_000], [200, 0]]);
    expect(textsIn(t.rootId, 'Through the outage')).toHaveLength(1);
    expect((await s.deliveries(t.number))[1]).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('marks the thread link broken when the bot was removed from the chat, and stops delivering there', async () => {
    const t = await newTicket();
    const group = s.fake.chats.get(s.people.group.chat_id)!;
    group.botIn = false;
    try {
      await agentReply(t.number, 'Nobody will see this');
      await s.settled(t.number);
    } finally {
      group.botIn = true;
    }
    const ticket = await s.ticket(t.number);
    expect(ticket.threadLinks[0]!.status).toBe('broken');
    expect(ticket.threadLinks[0]!.brokenReason).toContain(`code ${CODES.botNotInChat}`);
    expect((await s.deliveries(t.number)).map((d) => d.status)).toEqual(['sent', 'failed', 'failed']);
    expect(repliesInto(t.rootId).filter(([status]) => status === 400)).toHaveLength(1); // a permanent error is not retried
    await agentReply(t.number, 'Later answer');
    expect(await s.deliveries(t.number)).toHaveLength(3);
  });

  it('fetches a new tenant token when Lark stops accepting the cached one', async () => {
    const t = await newTicket();
    const tokenCalls = s.fake.callsTo('POST', '/open-apis/auth/v3/tenant_access_token/internal').length;
    s.fake.revokeTokens();
    await agentReply(t.number, 'After the token rotation');
    await s.settled(t.number);
    expect(repliesInto(t.rootId).slice(1, 3)).toEqual([[400, CODES.tokenInvalid], [200, 0]]);
    expect(s.fake.callsTo('POST', '/open-apis/auth/v3/tenant_access_token/internal')).toHaveLength(tokenCalls + 1);
    expect(textsIn(t.rootId, 'After the token rotation')).toHaveLength(1);
  });

  it('lets the inbox retry an event whose answer Lark rate-limited, and shows the form once', async () => {
    const { body } = s.inbound.userMessage({ from: s.people.bob, chatId: s.people.group.chat_id, text: 'the projector is broken', mentionBot: true });
    const forms = s.fake.ephemeralsFor(s.people.group.chat_id, s.people.bob.open_id).length;
    const sends = s.fake.callsTo('POST', '/open-apis/ephemeral/v1/send').length;
    s.fake.rateLimitNext('/open-apis/ephemeral/v1/send', 1, 1);
    await s.sendAndProcess(body);
    const row = await s.db.inboundEvent.findFirstOrThrow({ where: { externalId: String((body['header'] as { event_id: string }).event_id) } });
    // A platform throttle is waited out and does not count as a failure of the event.
    expect(row).toMatchObject({ status: 'done', attempts: 0 });
    const answers = s.fake.callsTo('POST', '/open-apis/ephemeral/v1/send').slice(sends).map((c) => [c.status, c.code]);
    expect(answers).toEqual([[429, CODES.rateLimited], [200, 0]]);
    expect(s.fake.ephemeralsFor(s.people.group.chat_id, s.people.bob.open_id)).toHaveLength(forms + 1);
  });

  it('the inbox waits the x-ogw-ratelimit-reset Lark asked for before running the event again', async () => {
    const { bob, group } = s.people;
    const { body } = s.inbound.userMessage({ from: bob, chatId: group.chat_id, text: 'the scanner jams on every page', mentionBot: true });
    const forms = s.fake.ephemeralsFor(group.chat_id, bob.open_id).length;
    const sends = s.fake.callsTo('POST', '/open-apis/ephemeral/v1/send').length;
    // Lark's limiter: every call in the next 2 s is refused with the seconds left in x-ogw-ratelimit-reset.
    const limiter = s.fake.throttle('/open-apis/ephemeral/v1/send', 2);
    await s.sendAndProcess(body);
    // One refusal: the retry came no earlier than the reset Lark announced (an early one would have been refused too).
    expect(limiter.refused()).toBe(1);
    const answers = s.fake.callsTo('POST', '/open-apis/ephemeral/v1/send').slice(sends).map((c) => [c.status, c.code]);
    expect(answers).toEqual([[429, CODES.rateLimited], [200, 0]]);
    const row = await s.db.inboundEvent.findFirstOrThrow({ where: { externalId: eventIdOf(body) } });
    expect(row).toMatchObject({ status: 'done', attempts: 0, lastError: null });
    expect(s.fake.ephemeralsFor(group.chat_id, bob.open_id)).toHaveLength(forms + 1);
  });

  it('does not post twice when a delivery is retried after a crash between Lark’s answer and the commit (uuid)', async () => {
    const t = await newTicket();
    const [confirmation] = await s.deliveries(t.number);
    const posted = s.botReplies(t.rootId);
    expect(posted).toHaveLength(1);
    // what a crash right after Lark's answer leaves behind: the delivery still `sending`, with no message id
    await s.db.delivery.update({ where: { id: confirmation!.id }, data: { status: 'sending', platformMessageId: null } });
    await enqueueThreadDrain(s.db, confirmation!.threadLinkId);
    await s.settled(t.number);
    const again = await s.db.delivery.findUniqueOrThrow({ where: { id: confirmation!.id } });
    expect(again).toMatchObject({ status: 'sent', platformMessageId: posted[0]!.message_id, attempts: 2 });
    expect(s.botReplies(t.rootId)).toHaveLength(1);
    const uuids = s.fake.callsTo('POST', REPLY).filter((c) => c.path.includes(t.rootId)).map((c) => (c.body as { uuid: string }).uuid);
    expect(uuids).toEqual([`delivery-${confirmation!.id}`, `delivery-${confirmation!.id}`]);
  });
});

/** Alice is linked to the help center (by a ticket of her own) so tickets agents open for her reach her chat. */
async function ensureLinked(user: FakeUser) {
  if (!(await s.db.chatIdentity.findFirst({ where: { platform: 'lark', platformUserId: user.open_id } }))) await newTicket();
}

/** An agent opens a ticket for Alice; waits until its notification reached her. Returns its number. */
async function agentOpens(subject: string, description: string): Promise<number> {
  const created = await s.api('POST', '/tickets', { subject, description, requesterEmail: 'alice@example.com' });
  expect(created.status).toBe(201);
  const number = (created.body as { ticket: { number: number } }).ticket.number;
  await s.settled(number);
  return number;
}

/** The messages the sync engine posted for a ticket, oldest first. */
async function sentInto(number: number) {
  return (await s.deliveries(number)).map((d) => s.fake.messages.get(d.platformMessageId!)!);
}

describe('Lark on the real service: direct messages', () => {
  it('tells a linked Lark user in their private chat about a ticket an agent opened for them, and carries replies there', async () => {
    const { alice } = s.people;
    await ensureLinked(alice);
    const created = await s.api('POST', '/tickets', { subject: 'Backup failed', description: 'the nightly backup of your laptop failed', requesterEmail: 'alice@example.com' });
    expect(created.status).toBe(201);
    const number = (created.body as { ticket: { number: number } }).ticket.number;
    await s.api('POST', `/tickets/${number}/comments`, { body: 'Please keep the laptop on tonight', public: true });
    await s.api('POST', `/tickets/${number}/comments`, { body: 'SECRET: disk is failing', public: false });
    await s.settled(number);

    const ticket = await s.ticket(number);
    expect(ticket.via).toBe('api');
    const dm = s.fake.p2pChat(alice);
    // The link starts at the user and then remembers the private chat Lark delivered into.
    expect(ticket.threadLinks.map((l) => [l.chatId, l.threadRef, l.directUserId])).toEqual([[dm.chat_id, '', alice.open_id]]);
    const ids = ticket.threadLinks[0]!.deliveries.map((d) => d.platformMessageId);
    const posted = ids.map((id) => s.fake.messages.get(id!)!);
    expect(posted.map((m) => m.chat_id)).toEqual([dm.chat_id, dm.chat_id, dm.chat_id]);
    expect(cardText(parseContent(posted[0]!))).toContain(`Request #${number} "Backup failed" has been created. Status: New.`);
    expect(String(parseContent(posted[1]!)['text'])).toContain('Please keep the laptop on tonight');
    expect(cardText(parseContent(posted[2]!))).toContain(`Request #${number}: status changed from New to Open.`);
    expect(s.fake.messagesIn(dm.chat_id).some((m) => m.content.includes('SECRET'))).toBe(false);
    const sends = s.fake.callsTo('POST', '/open-apis/im/v1/messages').filter((c) => c.query['receive_id_type'] === 'open_id' && (c.body as { receive_id: string }).receive_id === alice.open_id);
    expect(sends).toHaveLength(3);
  });

  it('takes a reply to a direct notification in the private chat as a comment on that ticket, once', async () => {
    const { alice } = s.people;
    await ensureLinked(alice);
    const first = await agentOpens('Monitor flickers', 'your second monitor flickers at night');
    const second = await agentOpens('VPN certificate', 'your VPN certificate expires on Friday');
    const dm = s.fake.p2pChat(alice);
    const [notice] = await sentInto(first);
    expect(notice!.chat_id).toBe(dm.chat_id);
    const dmBotMessages = s.fake.botMessagesIn(dm.chat_id).length;
    const tickets = await s.db.ticket.count();

    // Alice replies to the older ticket's notification: it lands there, not on the newest ticket in her chat.
    const { body, message } = s.inbound.userMessage({ from: alice, chatId: dm.chat_id, replyTo: notice!.message_id, text: 'it flickers since the update' });
    await s.sendAndProcess(body);
    const t = await s.ticket(first);
    expect(t.comments.at(-1)).toMatchObject({
      body: 'it flickers since the update',
      public: true,
      via: 'lark',
      authorId: t.requesterId,
      externalRef: `lark:${s.fake.tenantKey}:${message.message_id}`,
    });
    expect((await s.ticket(second)).comments.map((c) => c.body)).toEqual(['your VPN certificate expires on Friday']);
    // no request form, no echo: the customer's own comment is not delivered back
    expect(s.fake.botMessagesIn(dm.chat_id)).toHaveLength(dmBotMessages);
    expect(await s.db.ticket.count()).toBe(tickets);

    // A re-run of the same event (as after a crash before it was marked done) adds nothing.
    const row = await s.db.inboundEvent.findFirstOrThrow({ where: { externalId: eventIdOf(body) } });
    await s.db.inboundEvent.update({ where: { id: row.id }, data: { status: 'dead' } });
    expect((await s.api('POST', `/admin/inbound-events/${row.id}/retry`, undefined, ADMIN_TOKEN)).status).toBe(200);
    await s.processed(eventIdOf(body));
    expect((await s.ticket(first)).comments.filter((c) => c.body === 'it flickers since the update')).toHaveLength(1);

    // Replying to her own reply keeps the thread under the notification: same ticket.
    const more = s.inbound.userMessage({ from: alice, chatId: dm.chat_id, replyTo: message.message_id, text: 'and on the laptop screen too' });
    await s.sendAndProcess(more.body);
    expect((await s.ticket(first)).comments.at(-1)).toMatchObject({ body: 'and on the laptop screen too', public: true });
    expect((await s.ticket(second)).comments).toHaveLength(1);
    expect(s.fake.botMessagesIn(dm.chat_id)).toHaveLength(dmBotMessages);
  });

  it('starts a follow-up from a reply to a closed ticket’s notification, tells the person, and answers it there', async () => {
    const { alice } = s.people;
    await ensureLinked(alice);
    const closed = await agentOpens('Badge reader', 'the badge reader at door B rejects your badge');
    const [notice] = await sentInto(closed);
    // what a rating or the automatic close leaves behind
    await s.db.ticket.update({ where: { number: closed }, data: { status: 'closed', closedAt: new Date() } });
    const dm = s.fake.p2pChat(alice);

    const { body, message } = s.inbound.userMessage({ from: alice, chatId: dm.chat_id, replyTo: notice!.message_id, text: 'it rejects my badge again' });
    await s.sendAndProcess(body);
    const followUp = await s.db.ticket.findFirstOrThrow({ where: { followUpOf: { number: closed } }, include: { comments: true, threadLinks: true } });
    expect(followUp).toMatchObject({ subject: 'Badge reader', status: 'new', description: 'it rejects my badge again' });
    expect(followUp.comments.map((c) => [c.body, c.public, c.externalRef])).toEqual([['it rejects my badge again', true, `lark:${s.fake.tenantKey}:${message.message_id}`]]);
    expect((await s.ticket(closed)).comments.some((c) => c.body === 'it rejects my badge again')).toBe(false);
    // The follow-up lives where the reply was written: the thread under the closed ticket's notification.
    expect(followUp.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([[dm.chat_id, notice!.message_id]]);
    const told = s.fake.botMessagesIn(dm.chat_id).filter((m) => cardText(parseContent(m)).includes(`Request #${closed} was closed, so your message started a new request #${followUp.number}.`));
    expect(told).toHaveLength(1);
    expect(JSON.stringify(parseContent(told[0]!))).toContain(`"url":"http://help.test/tickets/${followUp.number}"`);

    await s.api('POST', `/tickets/${followUp.number}/comments`, { body: 'We replaced the reader', public: true });
    await s.settled(followUp.number);
    // the follow-up's own confirmation and answers reach the private chat it was started from
    expect((await s.deliveries(followUp.number)).map((d) => [d.outboxEvent.type, d.status])).toEqual([
      ['ticket.created', 'sent'],
      ['comment.added', 'sent'],
      ['ticket.status_changed', 'sent'],
    ]);
    const [, answer] = await sentInto(followUp.number);
    expect([answer!.chat_id, answer!.root_id]).toEqual([dm.chat_id, notice!.message_id]);
    expect(String(parseContent(answer!)['text'])).toContain('We replaced the reader');
  });

  it('links a chat account with a code from the help center in the private chat only, and answers "login" there', async () => {
    const { nina, group } = s.people;
    const created = await s.api('POST', '/users', { email: 'nina@customer.example', name: 'Nina' });
    expect(created.status).toBe(201);
    const userId = (created.body as { user: { id: string } }).user.id;
    const code = async () => String(((await s.api('POST', `/users/${userId}/link-code`)).body as { code: string }).code);
    const dm = s.fake.p2pChat(nina);

    // A code said where others read it is not taken; she is told so privately, in her language.
    const inGroup = s.inbound.userMessage({ from: nina, chatId: group.chat_id, text: `link ${await code()}`, mentionBot: true });
    await s.sendAndProcess(inGroup.body);
    expect(cardText(parseContent(s.fake.ephemeralsFor(group.chat_id, nina.open_id).at(-1)!))).toContain('Отправьте код регистрации в личном чате с ботом, а не здесь.');
    expect(await s.db.chatIdentity.count({ where: { platformUserId: nina.open_id } })).toBe(0);

    const linked = s.inbound.userMessage({ from: nina, chatId: dm.chat_id, text: `link ${(await code()).toLowerCase()}` });
    await s.sendAndProcess(linked.body);
    expect(await s.db.chatIdentity.findFirstOrThrow({ where: { platform: 'lark', platformUserId: nina.open_id } })).toMatchObject({ userId, workspaceId: s.fake.tenantKey });
    expect(cardText(parseContent(s.fake.botMessagesIn(dm.chat_id).at(-1)!))).toContain('Добро пожаловать, Nina! Ваш аккаунт в чате привязан к nina@customer.example.');
    expect(await s.db.ticket.count({ where: { sourceKey: `lark:${s.fake.tenantKey}:${linked.message.message_id}` } })).toBe(0);

    // A linked customer gets a one-time sign-in link to the help center, in private; it signs her in once.
    const login = s.inbound.userMessage({ from: nina, chatId: dm.chat_id, text: 'login' });
    await s.sendAndProcess(login.body);
    const card = parseContent(s.fake.botMessagesIn(dm.chat_id).at(-1)!);
    expect(cardText(card)).toContain('Ваша ссылка для входа в центр поддержки');
    const url = /https?:\/\/[^\s"]+\/login\/link\/[A-Za-z0-9_-]{43}/.exec(JSON.stringify(card))?.[0];
    expect(url, JSON.stringify(card)).toBeTruthy();
    expect((await s.svc.app.inject({ method: 'GET', url: new URL(url!).pathname })).statusCode).toBe(200);

    const list = s.inbound.userMessage({ from: nina, chatId: dm.chat_id, text: 'tickets' });
    await s.sendAndProcess(list.body);
    expect(cardText(parseContent(s.fake.botMessagesIn(dm.chat_id).at(-1)!))).toContain('У вас нет открытых заявок.');

    // Linked, her form now says who the request is filed as.
    const ask = s.inbound.userMessage({ from: nina, chatId: dm.chat_id, text: 'мой ноутбук не включается' });
    await s.sendAndProcess(ask.body);
    expect(cardText(parseContent(s.fake.botMessagesIn(dm.chat_id).at(-1)!))).toContain('Заявка будет подана от имени nina@customer.example.');
  });
});
