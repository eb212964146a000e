/**
 * Two-way sync in a ticket's Slack thread, end to end: the real service and Bolt against the strict Slack fake.
 * Inbound: replies, files, edits, deletes, bots. Outbound: agent replies and status changes reach the thread;
 * internal notes and private tickets never do. Every test checks Slack's side and the database's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { ALICE, KENJI, PUBLIC_URL, TEAM, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import { fileShare, messageChanged, messageDeleted, ownBotMessage, threadReply } from '../../helpers/slack/slack-payloads.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: SlackService;

beforeAll(async () => {
  s = await startSlackService();
});
afterAll(async () => {
  await s?.close();
});

/** A person writes into the thread (the fake keeps the message) and Slack sends the event; waits until processed. */
async function reply(channel: string, root: string, user: string, text: string) {
  const msg = s.fake.addMessage(channel, { user, text, thread_ts: root });
  const ev = threadReply({ channel, user, text, ts: msg.ts, threadTs: root });
  const res = await s.inbound.event(ev);
  expect(res.status).toBe(200);
  await s.inboundDone(ev.event_id);
  return { ts: msg.ts, eventId: String(ev.event_id) };
}

function comments(ticketId: string) {
  return s.db.comment.findMany({ where: { ticketId }, orderBy: { createdAt: 'asc' }, include: { author: true } });
}

function deliveries(ticketId: string) {
  return s.db.delivery.findMany({ where: { threadLink: { ticketId } }, orderBy: { id: 'asc' }, include: { outboxEvent: true } });
}

describe('customers in the thread (real service)', () => {
  it('a reply becomes a public comment by the linked user, mentions by name; it is not echoed back', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const r = await reply(channel, root, ALICE, 'it smells of smoke, <@U_REACTOR> saw it too');

    const all = await comments(ticket.id);
    expect(all.map((c) => [c.body, c.public, c.via, c.author.email])).toEqual([
      [ticket.description, true, 'slack', 'alice@example.com'],
      ['it smells of smoke, @kenji saw it too', true, 'slack', 'alice@example.com'],
    ]);
    expect(all[1]!.externalRef).toBe(`slack:${TEAM}:${channel}:${r.ts}`);
    // The customer's own words are not posted back into the thread: only the confirmation is there.
    expect((await deliveries(ticket.id)).map((d) => d.outboxEvent.type)).toEqual(['ticket.created']);
    expect(s.fake.botReplies(channel, root)).toHaveLength(1);
  });

  it('a reply by someone unknown links (and creates) their user from the Slack profile', async () => {
    s.fake.addUser({ id: 'U_NEWBIE', name: 'nina', realName: 'Nina Novak', email: 'Nina.Novak@Example.com', locale: 'ru-RU' });
    const channel = s.channel(['U_NEWBIE']);
    const { ticket, root } = await s.ticketByReaction(channel);
    expect(await s.db.user.count({ where: { email: 'nina.novak@example.com' } })).toBe(0);

    await reply(channel, root, 'U_NEWBIE', 'у меня тоже не печатает');
    const nina = await s.db.user.findUniqueOrThrow({ where: { email: 'nina.novak@example.com' } });
    expect(nina).toMatchObject({ name: 'nina', role: 'end_user', locale: 'ru' });
    expect(await s.db.chatIdentity.findFirst({ where: { platform: 'slack', workspaceId: TEAM, platformUserId: 'U_NEWBIE' } })).toMatchObject({
      userId: nina.id,
      displayName: 'nina',
      locale: 'ru',
    });
    const last = (await comments(ticket.id)).at(-1)!;
    expect(last).toMatchObject({ body: 'у меня тоже не печатает', public: true, authorId: nina.id });
  });

  it('files shared in the thread are attached to the comment as links', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const ts = s.fake.addMessage(channel, { user: ALICE, text: 'screenshot of the error', thread_ts: root }).ts;
    const ev = fileShare({ channel, user: ALICE, text: 'screenshot of the error', ts, threadTs: root });
    expect((await s.inbound.event(ev)).status).toBe(200);
    await s.inboundDone(ev.event_id);
    const last = (await comments(ticket.id)).at(-1)!;
    expect(last).toMatchObject({ body: 'screenshot of the error', public: true, externalRef: `slack:${TEAM}:${channel}:${ts}` });
    expect(last.attachments).toEqual([{ name: 'error.png', url: 'https://acme.slack.com/files/U_AUTHOR/F0S43PZDF/error.png' }]);
  });

  it('an edit updates the comment with an "edited" mark and keeps the old text in the history; a delete marks it deleted', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const { ts } = await reply(channel, root, ALICE, 'it happens every morning');

    const edit = messageChanged({ channel, user: ALICE, ts, threadTs: root, text: 'it happens every evening', previousText: 'it happens every morning' });
    expect((await s.inbound.event(edit)).status).toBe(200);
    await s.inboundDone(edit.event_id);
    const edited = await s.db.comment.findUniqueOrThrow({ where: { externalRef: `slack:${TEAM}:${channel}:${ts}` } });
    expect(edited.body).toBe('it happens every evening');
    expect(edited.editedAt).not.toBeNull();
    expect(edited.deletedAt).toBeNull();
    const history = await s.db.ticketEvent.findMany({ where: { ticketId: ticket.id, kind: 'comment_edited' } });
    expect(history.map((e) => [e.field, e.fromValue, e.toValue, e.via])).toEqual([[edited.id, 'it happens every morning', 'it happens every evening', 'slack']]);

    // An unfurl arrives as message_changed with the same text: nothing changes.
    const unfurl = messageChanged({ channel, user: ALICE, ts, threadTs: root, text: 'it happens every evening', previousText: 'it happens every evening' });
    await s.inbound.event(unfurl);
    await s.inboundDone(unfurl.event_id);
    expect(await s.db.ticketEvent.count({ where: { ticketId: ticket.id, kind: 'comment_edited' } })).toBe(1);

    const del = messageDeleted({ channel, user: ALICE, ts, threadTs: root });
    expect((await s.inbound.event(del)).status).toBe(200);
    await s.inboundDone(del.event_id);
    const deleted = await s.db.comment.findUniqueOrThrow({ where: { id: edited.id } });
    expect(deleted.deletedAt).not.toBeNull();
    expect(await s.db.ticketEvent.count({ where: { ticketId: ticket.id, kind: 'comment_deleted', field: edited.id } })).toBe(1);
  });

  it('a reply by someone Slack shows no email for, and who is not linked, is refused in their language; nothing is stored', async () => {
    const channel = s.channel(['U_NOMAIL']);
    const { ticket, root } = await s.ticketByReaction(channel);
    s.fake.addUser({ id: 'U_NOMAIL', name: 'hiro', realName: 'Hiro Tanaka', email: 'hiro@example.jp', locale: 'ja-JP' });
    s.fake.emailScope = false; // the app was installed without users:read.email
    try {
      await reply(channel, root, 'U_NOMAIL', '私も同じ問題があります');
    } finally {
      s.fake.emailScope = true;
    }
    expect((await comments(ticket.id)).map((c) => c.body)).toEqual([ticket.description]);
    expect(await s.db.chatIdentity.count({ where: { platformUserId: 'U_NOMAIL' } })).toBe(0);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({ user: 'U_NOMAIL', channel, thread_ts: root, text: t('ja', 'common:error.not_registered') });
  });

  it('the bot\'s own messages and other bots never come back as comments', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const ownPost = s.fake.botReplies(channel, root)[0]!;
    const own = ownBotMessage({ channel, ts: ownPost.ts, threadTs: root, text: ownPost.text });
    const otherBot = threadReply({ channel, user: 'U_OTHERBOT', text: 'deploy finished', ts: '1799999999.000100', threadTs: root });
    otherBot.event.bot_id = 'B_OTHER';
    for (const ev of [own, otherBot]) {
      expect((await s.inbound.event(ev)).status).toBe(200);
      await s.inboundDone(ev.event_id);
    }
    expect((await comments(ticket.id)).map((c) => c.body)).toEqual([ticket.description]);
  });

  it('replies in threads without a ticket, and top-level messages, are left alone without asking Slack who wrote them', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const other = s.fake.addMessage(channel, { user: ALICE, text: 'lunch?' }).ts;
    const usersInfoBefore = s.fake.callsTo('users.info').length;
    const elsewhere = threadReply({ channel, user: KENJI, text: 'yes', ts: '1799999998.000100', threadTs: other });
    const topLevel = threadReply({ channel, user: KENJI, text: 'hello all', ts: '1799999997.000100', threadTs: root });
    delete topLevel.event.thread_ts;
    for (const ev of [elsewhere, topLevel]) {
      await s.inbound.event(ev);
      await s.inboundDone(ev.event_id);
    }
    expect(await s.db.comment.count({ where: { body: { in: ['yes', 'hello all'] } } })).toBe(0);
    expect((await comments(ticket.id))).toHaveLength(1);
    expect(s.fake.callsTo('users.info')).toHaveLength(usersInfoBefore);
  });

  it('a Slack retry of an event (same event_id, X-Slack-Retry-Num) is answered 200, stored once and processed once', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const ts = s.fake.addMessage(channel, { user: ALICE, text: 'any news?', thread_ts: root }).ts;
    const ev = threadReply({ channel, user: ALICE, text: 'any news?', ts, threadTs: root });
    expect((await s.inbound.event(ev)).status).toBe(200);
    const retry = await s.inbound.event(ev, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    await s.inboundDone(ev.event_id);
    // A late retry, after the first was processed, is recognised just the same.
    expect((await s.inbound.event(ev, { retryNum: 2, retryReason: 'http_timeout' })).status).toBe(200);
    expect(await s.db.inboundEvent.count({ where: { platform: 'slack', externalId: ev.event_id } })).toBe(1);
    expect((await comments(ticket.id)).filter((c) => c.body === 'any news?')).toHaveLength(1);
  });
});

describe('core gaps that show in Slack threads', () => {
  // src/infra/sync/inbox.ts enqueues every inbound event as its own job with no queue name, so events of one thread
  // run in parallel (WORKER_CONCURRENCY 8). An edit or delete Slack sends moments after the reply can be processed
  // first: ticket-service editExternalComment/deleteExternalComment find no comment and return false, and
  // DeskPort.editThreadReply/deleteThreadReply return void, so the adapter cannot ask for a retry. The tests above
  // wait for each event; with Slack's real timing the edit or delete can be lost, or a deleted reply kept.
  it.todo('an edit or a delete processed before its reply still ends as an edited / deleted comment');
  // src/core/tickets/ticket-service.ts commentIn (follow-up branch): a reply on a closed ticket becomes a follow-up
  // whose first comment has neither the reply's externalRef nor its files, so it cannot be edited or deleted from
  // Slack, its files are lost, and a re-run of the same event would start a second follow-up.
  it.todo('a reply with files on a closed ticket starts one follow-up whose first comment keeps the files and follows edits');
  // src/core/ports/desk-port.ts: addThreadReply keeps a reply on a ticket made private as an internal comment, but
  // findTicketByThread (the only way to ask "is this a ticket thread?" without a users.info lookup per reply in
  // every thread the bot can see) hides private tickets, so the adapter skips such replies and they are lost. The
  // port needs a visibility-blind "thread has a ticket" answer (or addThreadReply taking the author lazily).
  it.todo('a reply in the thread of a ticket made private is kept as an internal comment and nothing is posted back');
});

describe('agents in the help center, seen in the thread (real service)', () => {
  it('public replies and status changes reach the thread, in order, in the thread\'s language; a customer reply reopens', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    expect((await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Please unplug it.\nThen wait <10> minutes & retry.', public: true })).status).toBe(201);
    expect((await s.api('PATCH', `/tickets/${ticket.number}`, { status: 'pending' })).status).toBe(200);

    const [, agentReply, opened, pending] = await s.botReplies(channel, root, 4);
    const status = (x: string) => t('en', `common:status.${x}`);
    // The agent's own < > & are escaped (text and blocks) so they show as typed and never act as Slack markup.
    expect(agentReply!.text).toBe(
      `${t('en', 'common:ticket.agent_reply', { author: 'Dana (Support)', number: ticket.number })}\nPlease unplug it.\nThen wait &lt;10&gt; minutes &amp; retry.`,
    );
    // Quoted line by line with Slack's ">" marker.
    expect(JSON.stringify(agentReply!.blocks)).toContain('>Please unplug it.\\n>Then wait &lt;10&gt; minutes &amp; retry.');
    expect(opened!.text).toBe(`${t('en', 'common:ticket.status_changed', { number: ticket.number, from: status('new'), to: status('open') })} ${PUBLIC_URL}/tickets/${ticket.number}`);
    expect(pending!.text).toBe(`${t('en', 'common:ticket.status_changed', { number: ticket.number, from: status('open'), to: status('pending') })} ${PUBLIC_URL}/tickets/${ticket.number}`);

    await waitFor(async () => (await deliveries(ticket.id)).every((d) => d.status === 'sent'));
    const sent = await deliveries(ticket.id);
    expect(sent.map((d) => [d.outboxEvent.type, d.status, d.platformMessageId])).toEqual([
      ['ticket.created', 'sent', s.fake.botReplies(channel, root)[0]!.ts],
      ['comment.added', 'sent', agentReply!.ts],
      ['ticket.status_changed', 'sent', opened!.ts],
      ['ticket.status_changed', 'sent', pending!.ts],
    ]);

    // The customer answers in the thread: a pending ticket goes back to open, and the thread is told.
    await reply(channel, root, ALICE, 'unplugged it, still smokes');
    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('open');
    const fifth = (await s.botReplies(channel, root, 5))[4]!;
    expect(fifth.text).toContain(t('en', 'common:ticket.status_changed', { number: ticket.number, from: status('pending'), to: status('open') }));
  });

  it('a ticket an agent opens for a Slack user is announced in their direct chat with the app, and followed there', async () => {
    s.fake.addUser({ id: 'U_DMUSER', name: 'dmitri', realName: 'Dmitri Orlov', email: 'dmitri@example.ru', locale: 'ru-RU' });
    await s.ticketByReaction(s.channel(['U_DMUSER']), 'Monitor is flickering all day', 'U_DMUSER');
    const created = await s.api('POST', '/tickets', { subject: 'Новый ноутбук', description: 'Ноутбук готов к выдаче', requesterEmail: 'dmitri@example.ru' });
    expect(created.status).toBe(201);
    const number = created.body.ticket.number as number;

    await waitFor(() => s.fake.messages('D_DMUSER').length === 1, 20_000, 'the direct message');
    const [dm] = s.fake.messages('D_DMUSER');
    await waitFor(async () => (await s.db.delivery.count({ where: { threadLink: { ticket: { number } }, status: 'sent' } })) === 1);
    // The link names the person; after the first delivery it remembers the direct chat Slack answered with.
    const link = await s.db.chatThreadLink.findFirstOrThrow({ where: { ticket: { number } } });
    expect(link).toMatchObject({ platform: 'slack', workspaceId: TEAM, chatId: 'D_DMUSER', threadRef: '', directUserId: 'U_DMUSER', locale: 'ru' });
    expect(dm!.text).toBe(
      `${t('ru', 'common:ticket.confirmation', { number, subject: 'Новый ноутбук', status: t('ru', 'common:status.new') })} ${PUBLIC_URL}/tickets/${number}`,
    );
    await s.api('POST', `/tickets/${number}/comments`, { body: 'Заберите на ресепшене.', public: true });
    await waitFor(() => s.fake.messages('D_DMUSER').some((m) => m.text.includes('Заберите на ресепшене.')), 20_000, 'the reply in the direct chat');
    await waitFor(async () => (await s.db.delivery.count({ where: { threadLinkId: link.id, status: { not: 'sent' } } })) === 0);
    const sent = await s.db.delivery.findMany({ where: { threadLinkId: link.id }, orderBy: { id: 'asc' } });
    expect(sent.map((d) => d.platformMessageId)).toEqual(expect.arrayContaining([dm!.ts]));
  });

  it('an internal note never reaches the thread; nor does anything of a ticket made private', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    expect((await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'SECRET: the customer owes us money', public: false })).status).toBe(201);
    // A delivery row is written with the change itself: none exists for the note.
    expect((await deliveries(ticket.id)).map((d) => d.outboxEvent.type)).toEqual(['ticket.created']);
    expect((await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'We are on it.', public: true })).status).toBe(201);
    // Per-thread delivery keeps commit order: once the later public reply is there, the note would have been too.
    const posted = await s.botReplies(channel, root, 3);
    expect(posted.map((m) => m.text).join('\n')).not.toContain('SECRET');
    expect(posted[1]!.text).toContain('We are on it.');

    // Another ticket, made private while it has only its description: nothing of it leaves the help center.
    const other = s.channel();
    const secret = await s.ticketByReaction(other, 'Salary spreadsheet is visible to everyone');
    expect((await s.api('PATCH', `/tickets/${secret.ticket.number}`, { visibility: 'private' })).status).toBe(200);
    await s.api('POST', `/tickets/${secret.ticket.number}/comments`, { body: 'SECRET note on private', public: false });
    await s.api('PATCH', `/tickets/${secret.ticket.number}`, { status: 'on_hold' });
    expect((await deliveries(secret.ticket.id)).map((d) => d.outboxEvent.type)).toEqual(['ticket.created']);
    expect(s.fake.botReplies(other, secret.root)).toHaveLength(1);
    expect(s.fake.calls.some((c) => JSON.stringify(c.args).includes('SECRET'))).toBe(false);
  });
});
