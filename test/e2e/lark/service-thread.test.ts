/**
 * Two-way sync in a ticket's Lark thread against the real service, with plain events (no Encrypt Key: Lark sends
 * JSON with the verification token inside). Agents act through the help-center API; what reaches the thread is read
 * from the fake Lark, and what the service stored from PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../fakes/lark/lark-fake.ts';
import { cardText, findByName, parseContent } from '../../helpers/lark/lark-flows.ts';
import { eventIdOf, LarkService } from '../../helpers/lark/lark-service.ts';
import { createPrismaStore } from '../../../src/infra/repos/prisma-store.ts';

let s: LarkService;
/** A ticket Alice opened from the group; most tests below talk in its thread. */
let main: { number: number; rootId: string };

const form = (subject: string, description: string) => ({ subject, description, priority: 'normal', service: 'none' });

beforeAll(async () => {
  s = await new LarkService().start();
  main = await s.createTicket(s.people.alice, form('Printer on fire', 'the printer on floor 3 is on fire'));
});
afterAll(async () => {
  await s?.stop();
});

/** A person writes in the main ticket's thread; waits until the service processed it. */
async function replyInThread(from = s.people.alice, opts: { text?: string; mentionBot?: boolean; msgType?: string; content?: Record<string, unknown>; rootId?: string } = {}) {
  const { body, message } = s.inbound.userMessage({ from, chatId: s.people.group.chat_id, replyTo: opts.rootId ?? main.rootId, ...opts });
  await s.sendAndProcess(body);
  return message;
}

async function agent(method: string, path: string, body?: unknown) {
  const r = await s.api(method, path, body);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
}

/** An agent solves the ticket; returns the rating card the thread got. */
async function solve(t: { number: number; rootId: string }): Promise<StoredMessage> {
  await agent('PATCH', `/tickets/${t.number}`, { status: 'solved' });
  await s.settled(t.number);
  return s.botReplies(t.rootId).at(-1)!;
}

describe('Lark on the real service: plain events', () => {
  it('created the main ticket from a plain group mention, with its confirmation in the thread', async () => {
    const t = await s.ticket(main.number);
    expect(t).toMatchObject({ via: 'lark', subject: 'Printer on fire', status: 'new' });
    expect(cardText(parseContent(s.botReplies(main.rootId)[0]!))).toContain(`Request #${main.number} "Printer on fire" has been created. Status: New.`);
  });

  it('answers the plain url_verification, and refuses a wrong token with 401', async () => {
    expect(await s.send(s.inbound.urlVerification('plain-challenge'))).toMatchObject({ status: 200, json: { challenge: 'plain-challenge' } });
    expect((await s.send(s.inbound.urlVerification('plain-challenge', 'WRONG'))).status).toBe(401);
  });

  it('refuses an event with a wrong or missing verification token with 401 and stores nothing', async () => {
    const before = await s.stored();
    const { body } = s.inbound.userMessage({ from: s.people.alice, chatId: s.people.group.chat_id, replyTo: main.rootId, text: 'forged reply' });
    (body['header'] as Record<string, unknown>)['token'] = 'WRONG-TOKEN';
    expect((await s.send(body)).status).toBe(401);
    delete (body['header'] as Record<string, unknown>)['token'];
    expect((await s.send(body)).status).toBe(401);
    expect(await s.stored()).toEqual(before);
  });

  it('stores and processes a thread reply Lark delivers twice only once', async () => {
    const { body } = s.inbound.userMessage({ from: s.people.alice, chatId: s.people.group.chat_id, replyTo: main.rootId, text: 'delivered twice by Lark' });
    expect((await s.send(body)).status).toBe(200);
    expect((await s.send(body)).status).toBe(200);
    await s.processed(eventIdOf(body));
    expect(await s.db.inboundEvent.count({ where: { externalId: eventIdOf(body) } })).toBe(1);
    expect(await s.db.comment.count({ where: { body: 'delivered twice by Lark' } })).toBe(1);
  });
});

describe('Lark on the real service: people in the thread', () => {
  it('turns a reply without a mention into a public comment by the linked user, and does not echo it', async () => {
    const deliveriesBefore = (await s.deliveries(main.number)).length;
    const message = await replyInThread(s.people.alice, { text: 'it is still smoking' });
    const t = await s.ticket(main.number);
    const c = t.comments.at(-1)!;
    expect(c).toMatchObject({ body: 'it is still smoking', public: true, via: 'lark', externalRef: `lark:${s.fake.tenantKey}:${message.message_id}` });
    expect(c.author.email).toBe('alice@example.com');
    expect(c.authorId).toBe(t.requesterId);
    // a customer's own message creates no delivery, so nothing comes back into the thread
    expect(await s.deliveries(main.number)).toHaveLength(deliveriesBefore);
    expect(s.botReplies(main.rootId).some((m) => m.content.includes('still smoking'))).toBe(false);
  });

  it('takes a reply that mentions the bot as a comment too (no new form), without the mention', async () => {
    const forms = s.fake.ephemeralsFor(s.people.group.chat_id, s.people.alice.open_id).length;
    await replyInThread(s.people.alice, { text: 'any news?', mentionBot: true });
    expect((await s.ticket(main.number)).comments.at(-1)!.body).toBe('any news?');
    expect(s.fake.ephemeralsFor(s.people.group.chat_id, s.people.alice.open_id)).toHaveLength(forms);
  });

  it('authors another member’s reply as that member, linked by their Lark profile email', async () => {
    await replyInThread(s.people.bob, { text: 'same problem on floor 4' });
    const c = (await s.ticket(main.number)).comments.at(-1)!;
    expect(c).toMatchObject({ body: 'same problem on floor 4', public: true });
    expect(c.author).toMatchObject({ email: 'bob@example.com', name: 'Bob Other', role: 'end_user' });
    const identity = await s.db.chatIdentity.findFirstOrThrow({ where: { platform: 'lark', platformUserId: s.people.bob.open_id } });
    expect(identity).toMatchObject({ userId: c.authorId, workspaceId: s.fake.tenantKey, locale: 'ja' });
  });

  it('keeps the files of a message as its attachments, never as a link to the token-protected message resources', async () => {
    await replyInThread(s.people.alice, {
      msgType: 'post',
      content: { title: '', content: [[{ tag: 'text', text: 'see the photo' }], [{ tag: 'img', image_key: 'img_v2_041b28e3' }]] },
    });
    await replyInThread(s.people.alice, { msgType: 'file', content: { file_key: 'file_v2_77aa', file_name: 'error-log.txt' } });
    const comments = (await s.ticket(main.number)).comments.slice(-2);
    expect(comments[0]).toMatchObject({ body: 'see the photo' });
    expect(comments[1]).toMatchObject({ public: true });
    const filesOf = (commentId: string) => s.db.attachment.findMany({ where: { commentId }, select: { name: true, platform: true, platformUrl: true } });
    // Lark's resource URL needs the app's tenant token: no agent could open it, so it is not kept as a link.
    expect(await filesOf(comments[0]!.id)).toEqual([{ name: 'image-img_v2_041b28e3', platform: 'lark', platformUrl: null }]);
    expect(await filesOf(comments[1]!.id)).toEqual([{ name: 'error-log.txt', platform: 'lark', platformUrl: null }]);
    // the help-center API shows them: stored ones as attachments, the others (these keys are unknown to the fake)
    const api = (await agent('GET', `/tickets/${main.number}/comments`)) as { comments: { attachments: { name: string }[]; missingAttachments: { name: string }[] }[] };
    const last = api.comments.at(-1)!;
    expect([...last.attachments, ...last.missingAttachments].map((a) => a.name)).toEqual(['error-log.txt']);
    expect(JSON.stringify(api)).not.toContain('/open-apis/');
  });

  it('tells a member it cannot link (no email on their profile) privately, in their language, and stores nothing', async () => {
    const comments = await s.db.comment.count();
    await replyInThread(s.people.nina, { text: 'у меня тоже не работает' });
    expect(await s.db.comment.count()).toBe(comments);
    const notes = s.fake.ephemeralsFor(s.people.group.chat_id, s.people.nina.open_id);
    expect(notes).toHaveLength(1);
    expect(cardText(parseContent(notes[0]!))).toContain('Ваш аккаунт в чате ещё не привязан к центру поддержки.');
  });

  it('never takes the bot’s own messages back as comments', async () => {
    await agent('POST', `/tickets/${main.number}/comments`, { body: 'We are looking into it', public: true });
    await s.settled(main.number);
    const comments = (await s.ticket(main.number)).comments.length;
    const own = s.botReplies(main.rootId);
    expect(own.length).toBeGreaterThanOrEqual(2); // the confirmation card and the agent's text reply at least
    for (const m of own) await s.sendAndProcess(s.inbound.botEcho(m.message_id));
    expect((await s.ticket(main.number)).comments).toHaveLength(comments);
  });

  it('marks a synced comment deleted when its message is recalled', async () => {
    const message = await replyInThread(s.people.alice, { text: 'oops, wrong thread' });
    await s.sendAndProcess(s.inbound.recalled(message.message_id));
    const c = await s.db.comment.findUniqueOrThrow({ where: { externalRef: `lark:${s.fake.tenantKey}:${message.message_id}` } });
    expect(c.deletedAt).not.toBeNull();
    expect(c.body).toBe('oops, wrong thread');
  });

  it('ignores group messages that neither mention the bot nor belong to a ticket thread', async () => {
    const { body } = s.inbound.userMessage({ from: s.people.bob, chatId: s.people.group.chat_id, text: 'lunch anyone?' });
    const calls = s.fake.calls.length;
    const stored = await s.stored();
    await s.sendAndProcess(body);
    // recorded and processed, but no form, no reply, not even a profile lookup
    expect(s.fake.calls).toHaveLength(calls);
    expect(await s.stored()).toEqual({ ...stored, events: stored.events + 1 });
  });
});

describe('Lark on the real service: one chat’s events in order', () => {
  it('processes a reply sent right after Submit only after the Submit, so it lands on the ticket Submit creates', async () => {
    const { alice, group } = s.people;
    const { message, form: card } = await s.mention(alice, 'the coffee machine leaks water');
    const submit = s.submit(alice, card, form('Coffee machine', 'the coffee machine leaks water'));
    const reply = s.inbound.userMessage({ from: alice, chatId: group.chat_id, replyTo: message.message_id, text: 'there is a puddle now' });
    // Both are recorded before the worker has created the ticket; the reply alone would be ordinary group chatter.
    expect((await s.send(submit.body)).status).toBe(200);
    expect((await s.send(reply.body)).status).toBe(200);
    await s.processed(eventIdOf(reply.body));
    await s.processed(submit.eventId);
    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: `lark:${s.fake.tenantKey}:${message.message_id}` }, include: { comments: { orderBy: { createdAt: 'asc' } } } });
    expect(t.comments.map((c) => [c.body, c.public])).toEqual([
      ['the coffee machine leaks water', true],
      ['there is a puddle now', true],
    ]);
  });
});

describe('Lark on the real service: agents in the help center', () => {
  it('posts public replies and status changes into the thread, and never an internal note', async () => {
    const t = await s.createTicket(s.people.alice, form('Monitor flickers', 'my monitor flickers every few seconds'));
    await agent('POST', `/tickets/${t.number}/comments`, { body: 'We sent a technician <at user_id="all"></at>', public: true });
    await agent('POST', `/tickets/${t.number}/comments`, { body: 'SECRET: the monitor is out of warranty', public: false });
    await agent('PATCH', `/tickets/${t.number}`, { status: 'pending' });
    await s.settled(t.number);

    const replies = s.botReplies(t.rootId);
    expect(replies).toHaveLength(4);
    expect(cardText(parseContent(replies[0]!))).toContain(`Request #${t.number} "Monitor flickers" has been created.`);
    expect(replies[1]!.msg_type).toBe('text');
    const text = String(parseContent(replies[1]!)['text']);
    expect(text.startsWith(`Dana Agent replied to request #${t.number}:\n`)).toBe(true);
    expect(text).toContain('We sent a technician');
    expect(text).not.toContain('<at user_id="all">'); // stays literal instead of pinging everyone
    expect(cardText(parseContent(replies[2]!))).toContain(`Request #${t.number}: status changed from New to Open.`);
    expect(cardText(parseContent(replies[3]!))).toContain(`Request #${t.number}: status changed from Open to Awaiting your reply.`);
    expect(s.fake.messagesIn(s.people.group.chat_id).some((m) => m.content.includes('SECRET'))).toBe(false);

    const ticket = await s.ticket(t.number);
    expect(ticket.comments.map((c) => [c.public, c.author.email])).toEqual([
      [true, 'alice@example.com'],
      [true, 'dana@support.example'],
      [false, 'dana@support.example'],
    ]);
    const deliveries = await s.deliveries(t.number);
    expect(deliveries.map((d) => [d.outboxEvent.type, d.status])).toEqual([
      ['ticket.created', 'sent'],
      ['comment.added', 'sent'],
      ['ticket.status_changed', 'sent'],
      ['ticket.status_changed', 'sent'],
    ]);
    expect(deliveries.map((d) => d.platformMessageId)).toEqual(replies.map((m) => m.message_id));
  });

  it('sends nothing of a private ticket into the thread', async () => {
    const t = await s.createTicket(s.people.alice, form('Salary question', 'a question about my salary slip'));
    expect((await s.api('PATCH', `/tickets/${t.number}`, { visibility: 'private' })).status).toBe(200);
    await agent('POST', `/tickets/${t.number}/comments`, { body: 'SECRET: payroll issue', public: false });
    await agent('PATCH', `/tickets/${t.number}`, { status: 'on_hold' });
    // every change committed above; none of them made a delivery, so the thread keeps only the confirmation
    expect((await s.deliveries(t.number)).map((d) => d.outboxEvent.type)).toEqual(['ticket.created']);
    await s.settled(t.number);
    expect(s.botReplies(t.rootId)).toHaveLength(1);
    expect(s.fake.messagesIn(s.people.group.chat_id).some((m) => m.content.includes('payroll'))).toBe(false);
  });
});

describe('Lark on the real service: rating and reopening', () => {
  it('offers Rate and Reopen when solved; a rating with a comment closes the ticket and updates the card', async () => {
    const t = await s.createTicket(s.people.alice, form('Keyboard broken', 'several keys of my keyboard do not work'));
    const prompt = await solve(t);
    const card = parseContent(prompt);
    expect(cardText(card)).toContain(`Request #${t.number} has been solved. Please rate the answer`);
    const rate4 = findByName(card, 'rate_4')['value'] as Record<string, unknown>;
    expect(rate4).toEqual({ op: 'rate', n: String(t.number), s: '4', loc: 'en' });
    expect(findByName(card, 'reopen')['value']).toEqual({ op: 'reopen', n: String(t.number), loc: 'en' });

    const { body } = s.inbound.cardAction({ from: s.people.alice, cardMessageId: prompt.message_id, value: rate4, formValue: { comment: 'quick fix, thanks' }, name: 'rate_4' });
    const res = await s.send(body);
    expect(res.json).toEqual({ toast: { type: 'success', content: 'Thank you! Your rating is being saved.' } });
    await s.processed(eventIdOf(body));
    await s.settled(t.number);

    const ticket = await s.ticket(t.number);
    expect(ticket.status).toBe('closed');
    expect(ticket.rating).toMatchObject({ score: 4, comment: 'quick fix, thanks', raterId: ticket.requesterId });
    // the rating card is resolved in place for everyone, with no buttons left to press
    const resolved = parseContent(s.fake.messages.get(prompt.message_id)!);
    expect(cardText(resolved)).toContain(`Request #${t.number} was rated 4/5 and is closed.`);
    expect(JSON.stringify(resolved)).not.toContain('"op":"rate"');
    // and the person who rated is thanked, privately
    const thanks = s.fake.ephemeralsFor(s.people.group.chat_id, s.people.alice.open_id).at(-1)!;
    expect(cardText(parseContent(thanks))).toContain(`Thank you! Request #${t.number} is closed with rating 4/5.`);
    expect(cardText(parseContent(s.botReplies(t.rootId).at(-1)!))).toContain(`Request #${t.number}: status changed from Solved to Closed.`);
    const types = (await s.deliveries(t.number)).map((d) => [d.outboxEvent.type, d.status]);
    expect(types).toEqual([
      ['ticket.created', 'sent'],
      ['ticket.status_changed', 'sent'], // new -> solved: said by the rating card, nothing sent for it
      ['ticket.solved', 'sent'],
      ['ticket.status_changed', 'sent'],
    ]);
    expect(s.botReplies(t.rootId)).toHaveLength(3);
  });

  it('reopens with a reason, and refuses an empty reason on the card without recording anything', async () => {
    const t = await s.createTicket(s.people.alice, form('Mouse lags', 'the mouse pointer lags behind'));
    const prompt = await solve(t);
    const value = findByName(parseContent(prompt), 'reopen')['value'] as Record<string, unknown>;

    const stored = await s.stored();
    const empty = s.inbound.cardAction({ from: s.people.alice, cardMessageId: prompt.message_id, value, formValue: { reason: '   ' }, name: 'reopen' });
    expect((await s.send(empty.body)).json).toEqual({ toast: { type: 'error', content: 'Please write why the request should go back to work.' } });
    expect(await s.stored()).toEqual(stored);

    const real = s.inbound.cardAction({ from: s.people.alice, cardMessageId: prompt.message_id, value, formValue: { reason: 'it lags again after the update' }, name: 'reopen' });
    expect((await s.send(real.body)).json).toEqual({ toast: { type: 'info', content: 'Your request is being returned to work.' } });
    await s.processed(eventIdOf(real.body));
    await s.settled(t.number);

    const ticket = await s.ticket(t.number);
    expect(ticket.status).toBe('open');
    expect(ticket.rating).toBeNull();
    expect(ticket.comments.at(-1)).toMatchObject({ body: 'it lags again after the update', public: true, via: 'lark', authorId: ticket.requesterId });
    expect(cardText(parseContent(s.fake.messages.get(prompt.message_id)!))).toContain(`Request #${t.number} is back in work.`);
    // the reason is the customer's own words (not echoed); the status change is
    const last = s.botReplies(t.rootId).at(-1)!;
    expect(cardText(parseContent(last))).toContain(`Request #${t.number}: status changed from Solved to Open.`);
    expect(s.botReplies(t.rootId).some((m) => m.content.includes('lags again'))).toBe(false);
  });

  it('tells only the person who pressed Rate, in their language, when it is not their request', async () => {
    const t = await s.createTicket(s.people.alice, form('Headset', 'my headset has no sound'));
    const prompt = await solve(t);
    const value = findByName(parseContent(prompt), 'rate_5')['value'] as Record<string, unknown>;
    const notesBefore = s.fake.ephemeralsFor(s.people.group.chat_id, s.people.bob.open_id).length;
    const { body } = s.inbound.cardAction({ from: s.people.bob, cardMessageId: prompt.message_id, value, formValue: {}, name: 'rate_5' });
    await s.sendAndProcess(body);

    const ticket = await s.ticket(t.number);
    expect(ticket.status).toBe('solved');
    expect(ticket.rating).toBeNull();
    const notes = s.fake.ephemeralsFor(s.people.group.chat_id, s.people.bob.open_id);
    expect(notes).toHaveLength(notesBefore + 1);
    expect(cardText(parseContent(notes.at(-1)!))).toContain('リクエストが見つかりません。');
    expect(s.fake.messages.get(prompt.message_id)!.updated).toBe(false); // the shared card is unchanged
  });

  it('does not let anyone but the requester return a solved request to work', async () => {
    const t = await s.createTicket(s.people.alice, form('Docking station', 'the docking station does not charge'));
    const prompt = await solve(t);
    const value = findByName(parseContent(prompt), 'reopen')['value'] as Record<string, unknown>;
    const { body } = s.inbound.cardAction({ from: s.people.bob, cardMessageId: prompt.message_id, value, formValue: { reason: 'mine does not charge either' }, name: 'reopen' });
    await s.sendAndProcess(body);
    const ticket = await s.ticket(t.number);
    expect(ticket.status).toBe('solved');
    expect(ticket.comments.some((c) => c.body.includes('mine does not charge'))).toBe(false);
    expect(cardText(parseContent(s.fake.ephemeralsFor(s.people.group.chat_id, s.people.bob.open_id).at(-1)!))).toContain('リクエストが見つかりません。');
    expect(s.fake.messages.get(prompt.message_id)!.updated).toBe(false);
  });
});

describe('Lark on the real service: the requester-only rules in the thread', () => {
  it('takes someone else’s reply on a solved request as a comment that does not reopen it; the requester’s does', async () => {
    const t = await s.createTicket(s.people.alice, form('Projector', 'the projector in room 2 shows no picture'));
    await solve(t);
    await replyInThread(s.people.bob, { text: 'works for me now', rootId: t.rootId });
    let ticket = await s.ticket(t.number);
    expect(ticket.comments.at(-1)).toMatchObject({ body: 'works for me now', public: true });
    expect(ticket.comments.at(-1)!.author.email).toBe('bob@example.com');
    expect(ticket.status).toBe('solved');
    await replyInThread(s.people.alice, { text: 'no picture again', rootId: t.rootId });
    ticket = await s.ticket(t.number);
    expect(ticket.status).toBe('open');
  });

  it('says nothing to anyone about a request made private, and keeps what they write there internal', async () => {
    const t = await s.createTicket(s.people.alice, form('Payroll', 'my payroll slip shows the wrong amount'));
    expect((await s.api('PATCH', `/tickets/${t.number}`, { visibility: 'private' })).status).toBe(200);
    const ephemerals = (u = s.people.bob) => s.fake.ephemeralsFor(s.people.group.chat_id, u.open_id).length;
    const before = { bob: ephemerals(), alice: ephemerals(s.people.alice), thread: s.botReplies(t.rootId).length };
    await replyInThread(s.people.bob, { text: 'what amount did you get?', rootId: t.rootId });
    await replyInThread(s.people.bob, { text: 'is this about payroll?', rootId: t.rootId, mentionBot: true });
    await replyInThread(s.people.alice, { text: 'it says 10 instead of 100', rootId: t.rootId });
    const ticket = await s.ticket(t.number);
    expect(ticket.comments.slice(-3).map((c) => [c.body, c.public])).toEqual([
      ['what amount did you get?', false],
      ['is this about payroll?', false],
      ['it says 10 instead of 100', false],
    ]);
    expect({ bob: ephemerals(), alice: ephemerals(s.people.alice), thread: s.botReplies(t.rootId).length }).toEqual(before);
    expect(await s.db.ticket.count({ where: { sourceKey: { contains: t.rootId } } })).toBe(1);
  });
});

describe('Lark on the real service: edits', () => {
  it('shows a customer’s edit of a synced message on the ticket, with its history (im.message.updated_v1)', async () => {
    const message = await replyInThread(s.people.alice, { text: 'the smoke is grey' });
    await s.sendAndProcess(s.inbound.edited(message.message_id, 'the smoke is black'));
    const c = await s.db.comment.findUniqueOrThrow({ where: { externalRef: `lark:${s.fake.tenantKey}:${message.message_id}` } });
    expect(c.body).toBe('the smoke is black');
    expect(c.editedAt).not.toBeNull();
    const history = await s.db.ticketEvent.findMany({ where: { kind: 'comment_edited', field: c.id } });
    expect(history.map((e) => [e.fromValue, e.toValue, e.via])).toEqual([['the smoke is grey', 'the smoke is black', 'lark']]);
  });

  it('edits and recalls the Lark message when an agent edits or deletes a public reply', async () => {
    const t = await s.createTicket(s.people.alice, form('Laptop fan', 'the laptop fan is very loud'));
    await agent('POST', `/tickets/${t.number}/comments`, { body: 'Please send us a recording', public: true });
    await s.settled(t.number);
    const comment = (await s.ticket(t.number)).comments.at(-1)!;
    const posted = s.botReplies(t.rootId).find((m) => m.content.includes('Please send us a recording'))!;
    // What the console's edit and delete will do (the API side is the lead's): change the comment, publish the event.
    const store = createPrismaStore(s.db);
    await store.tx(async (tx) => {
      await tx.updateComment(comment.id, { body: 'Please send us a short recording', editedAt: new Date() });
      await tx.publish(comment.ticketId, { type: 'comment.edited', payload: { commentId: comment.id }, deliver: true });
    });
    await s.settled(t.number);
    expect(parseContent(s.fake.messages.get(posted.message_id)!)['text']).toContain('Please send us a short recording');
    expect(s.fake.callsTo('PUT', '/open-apis/im/v1/messages/:id').filter((c) => c.path.endsWith(posted.message_id))).toHaveLength(1);
    await store.tx(async (tx) => {
      await tx.updateComment(comment.id, { deletedAt: new Date() });
      await tx.publish(comment.ticketId, { type: 'comment.deleted', payload: { commentId: comment.id }, deliver: true });
    });
    await s.settled(t.number);
    expect(s.fake.messages.get(posted.message_id)!.deleted).toBe(true);
  });
});
