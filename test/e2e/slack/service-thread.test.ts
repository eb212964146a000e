/**
 * Two-way sync in a ticket's Slack thread, end to end: the real service and Bolt against the strict Slack fake.
 * Inbound: replies, files, edits, deletes, bots. Outbound: agent replies and status changes reach the thread;
 * internal notes and private tickets never do. Every test checks Slack's side and the database's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import type { FakeMessage } from '../../fakes/slack/slack-fake-state.ts';
import { ADMIN_TOKEN } from '../../helpers/service.ts';
import { ALICE, KENJI, PUBLIC_URL, TEAM, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import {
  blockAction,
  fileShare,
  messageChanged,
  messageDeleted,
  ownBotMessage,
  select,
  submission,
  text,
  threadReply,
} from '../../helpers/slack/slack-payloads.ts';
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

/** Sends one event as Slack would and waits until the worker processed it. */
async function deliver(ev: { event_id: string }) {
  expect((await s.inbound.event(ev)).status).toBe(200);
  await s.inboundDone(ev.event_id);
}

/** A ticket Alice opened by reaction, solved by the agent and rated by her in the thread: closed. */
async function closedTicket(channel: string) {
  const { ticket, root } = await s.ticketByReaction(channel, 'The scanner jams on every page');
  expect((await s.api('PATCH', `/tickets/${ticket.number}`, { status: 'solved' })).status).toBe(200);
  const prompt: FakeMessage = (await s.botReplies(channel, root, 2))[1]!;
  const rate = (prompt.blocks as Record<string, any>[]).flatMap((b) => (b['elements'] ?? []) as Record<string, any>[]).find((e) => e['action_id'] === 'slack_rate');
  const click = await s.inbound.interaction(
    blockAction({ user: ALICE, channel, actionId: 'slack_rate', value: rate!['value'], triggerId: s.fake.issueTrigger(), messageTs: prompt.ts, threadTs: root }),
  );
  expect(click.status).toBe(200);
  const view = s.fake.views.at(-1)!;
  expect((await s.inbound.interaction(submission(view, ALICE, { score_block: { score_select: select('4') }, comment_block: { comment_input: text(null) } }))).status).toBe(200);
  await s.inboundDone(`view:${TEAM}:${view.id}`);
  expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('closed');
  await s.botReplies(channel, root, 3); // confirmation, rating prompt, "closed"
  return { ticket, root };
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
    // The file is an attachment of the comment; the platform's page is kept only as its fallback link.
    const files = await s.db.attachment.findMany({ where: { commentId: last.id } });
    expect(files).toMatchObject([{ name: 'error.png', platform: 'slack', platformUrl: 'https://acme.slack.com/files/U_AUTHOR/F0S43PZDF/error.png' }]);
    expect(last.body).not.toContain('slack.com/files');
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

describe('what a person sees is what the ticket gets (real service)', () => {
  it('a message forwarded into the thread becomes a comment with the forwarded text, not an empty one', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const ts = s.fake.addMessage(channel, { user: ALICE, text: '', thread_ts: root }).ts;
    const ev = threadReply({ channel, user: ALICE, text: '', ts, threadTs: root });
    // As Slack sends a forward: no text of its own, the shared message as an attachment.
    ev.event.attachments = [{ is_share: true, is_msg_unfurl: true, author_name: 'kenji', text: 'the printer on floor 3 smokes again <@U_AUTHOR>', fallback: '[date] kenji: …', ts: '1700000001.000100' }];
    await deliver(ev);
    expect((await comments(ticket.id)).at(-1)).toMatchObject({ body: 'kenji: the printer on floor 3 smokes again @alice', externalRef: `slack:${TEAM}:${channel}:${ts}` });
  });
});

describe('the direct chat with the app (real service)', () => {
  /** A top-level message in the app's direct chat with `user`. */
  async function direct(user: string, text: string) {
    const dm = `D${user.slice(1)}`;
    const ts = s.fake.addMessage(dm, { user, text }).ts;
    const ev = threadReply({ channel: dm, user, text, ts, threadTs: ts });
    delete ev.event.thread_ts;
    ev.event.channel_type = 'im';
    s.fake.workspace.resolveChannel(user);
    const before = s.fake.messages(dm).length;
    await deliver(ev);
    await waitFor(() => s.fake.messages(dm).length > before, 20_000, 'the answer in the direct chat');
    return s.fake.messages(dm).at(-1)!;
  }

  it('"link <code>" links a Slack account the help center could not know (no email from Slack) to its customer', async () => {
    s.fake.addUser({ id: 'U_LINKME', name: 'lena', realName: 'Lena L', email: null, locale: 'ru-RU' });
    const user = await s.api('POST', '/users', { email: 'lena@customer.example', name: 'Lena' }, ADMIN_TOKEN);
    const { code } = (await s.api('POST', `/users/${user.body.user.id}/link-code`, undefined, ADMIN_TOKEN)).body;
    const answer = await direct('U_LINKME', `link ${code}`);
    expect(answer.text).toBe(t('ru', 'common:chat.registered', { name: 'Lena', email: 'lena@customer.example' }));
    expect(await s.db.chatIdentity.findFirst({ where: { platform: 'slack', platformUserId: 'U_LINKME' } })).toMatchObject({ userId: user.body.user.id });
    // The code works once.
    expect((await direct('U_LINKME', `link ${code}`)).text).toBe(t('ru', 'common:error.link_code_used'));
  });

  it('"login" asks for a sign-in link; anything else gets the help', async () => {
    // Alice is known by her Slack profile email: she gets a one-time link to the customer help center, in private.
    const said = await direct(ALICE, 'login');
    const url = /https?:\/\/[^\s>|]+\/login\/link\/[A-Za-z0-9_-]{43}/.exec(JSON.stringify(said))?.[0];
    expect(url, JSON.stringify(said)).toBeTruthy();
    expect((await s.service.app.inject({ method: 'GET', url: new URL(url!).pathname })).statusCode).toBe(200);
    expect((await direct(ALICE, 'hello?')).text).toBe(t('en', 'slack:help', { emoji: 'ticket' }));
  });
});

describe('ordering, follow-ups and private tickets in Slack threads (real service)', () => {
  it('an edit or a delete processed before its reply still ends as an edited / deleted comment', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const a = s.fake.addMessage(channel, { user: ALICE, text: 'it jams on page two', thread_ts: root }).ts;
    const b = s.fake.addMessage(channel, { user: KENJI, text: '同じです', thread_ts: root }).ts;
    // Slack sends a reply and its edit (or delete) moments apart; all four are accepted before any is processed.
    // They share the conversation's ordering key, so each edit or delete runs after the reply it changes.
    const events = [
      threadReply({ channel, user: ALICE, text: 'it jams on page two', ts: a, threadTs: root }),
      messageChanged({ channel, user: ALICE, ts: a, threadTs: root, text: 'it jams on page three', previousText: 'it jams on page two' }),
      threadReply({ channel, user: KENJI, text: '同じです', ts: b, threadTs: root }),
      messageDeleted({ channel, user: KENJI, ts: b, threadTs: root }),
    ];
    for (const ev of events) expect((await s.inbound.event(ev)).status).toBe(200);
    for (const ev of events) await s.inboundDone(ev.event_id);

    const [, edited, deleted] = await comments(ticket.id);
    expect(edited).toMatchObject({ body: 'it jams on page three', externalRef: `slack:${TEAM}:${channel}:${a}`, deletedAt: null });
    expect(edited!.editedAt).not.toBeNull();
    expect(deleted).toMatchObject({ body: '同じです', externalRef: `slack:${TEAM}:${channel}:${b}` });
    expect(deleted!.deletedAt).not.toBeNull();
    const history = await s.db.ticketEvent.findMany({ where: { ticketId: ticket.id, kind: { in: ['comment_edited', 'comment_deleted'] } }, orderBy: { id: 'asc' } });
    expect(history.map((e) => [e.kind, e.field, e.fromValue, e.toValue])).toEqual([
      ['comment_edited', edited!.id, 'it jams on page two', 'it jams on page three'],
      ['comment_deleted', deleted!.id, '同じです', null],
    ]);
  });

  it('an edit still follows its reply when the reply\'s processing is throttled (429) and retried', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    // A person whose profile is not cached yet, so the reply has to ask users.info, which Slack throttles once.
    const PAVEL = `U_PAVEL_${channel}`;
    s.fake.addUser({ id: PAVEL, name: 'pavel', realName: 'Pavel P', email: `pavel.${channel.toLowerCase()}@example.com`, locale: 'en-US' });
    s.fake.failNext('users.info', 1, { kind: 'rate_limited', retryAfter: 1 });
    const ts = s.fake.addMessage(channel, { user: PAVEL, text: 'v1', thread_ts: root }).ts;
    const reply = threadReply({ channel, user: PAVEL, text: 'v1', ts, threadTs: root });
    const edit = messageChanged({ channel, user: PAVEL, ts, threadTs: root, text: 'v2', previousText: 'v1' });
    expect((await s.inbound.event(reply)).status).toBe(200);
    expect((await s.inbound.event(edit)).status).toBe(200);
    await s.inboundDone(reply.event_id);
    await s.inboundDone(edit.event_id);
    // The reply waited out the throttle holding its conversation's queue, so the edit ran after it and applied.
    const mine = (await comments(ticket.id)).filter((c) => c.externalRef === `slack:${TEAM}:${channel}:${ts}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ body: 'v2' });
    expect(mine[0]!.editedAt).not.toBeNull();
    const row = await s.db.inboundEvent.findFirstOrThrow({ where: { platform: 'slack', externalId: reply.event_id } });
    expect(row).toMatchObject({ status: 'done', attempts: 0 }); // a throttle is not a failure
  });

  it('a reply with files on a closed ticket starts one follow-up whose first comment keeps the files and follows edits', async () => {
    const channel = s.channel();
    const { ticket, root } = await closedTicket(channel);
    const ts = s.fake.addMessage(channel, { user: ALICE, text: 'it jams again, photo attached', thread_ts: root }).ts;
    const ev = fileShare({ channel, user: ALICE, text: 'it jams again, photo attached', ts, threadTs: root });
    const ephemeralsBefore = s.fake.ephemerals.length;
    await deliver(ev);

    const ref = `slack:${TEAM}:${channel}:${ts}`;
    const followUp = await s.db.ticket.findFirstOrThrow({ where: { followUpOfId: ticket.id }, include: { threadLinks: true } });
    expect(followUp).toMatchObject({ description: 'it jams again, photo attached', status: 'new', visibility: 'public', requesterId: ticket.requesterId });
    const [first, ...more] = await comments(followUp.id);
    expect(more).toEqual([]);
    expect(first).toMatchObject({ body: 'it jams again, photo attached', public: true, via: 'slack', externalRef: ref });
    expect(await s.db.attachment.findMany({ where: { commentId: first!.id } })).toMatchObject([
      { name: 'error.png', ticketId: followUp.id, platformUrl: 'https://acme.slack.com/files/U_AUTHOR/F0S43PZDF/error.png' },
    ]);
    // The closed ticket keeps what it had: the reply is the follow-up's, not a comment on the closed one.
    expect((await comments(ticket.id)).map((c) => c.externalRef)).not.toContain(ref);

    // Linked to the same thread in the same transaction, so the follow-up's confirmation is delivered right there.
    expect(followUp.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([[channel, root]]);
    const confirmation = (await s.botReplies(channel, root, 4))[3]!;
    expect(confirmation.text).toBe(
      `${t('en', 'common:ticket.confirmation', { number: followUp.number, subject: followUp.subject, status: t('en', 'common:status.new') })} ${PUBLIC_URL}/tickets/${followUp.number}`,
    );
    expect(s.fake.ephemerals.slice(ephemeralsBefore)).toHaveLength(1);

    // A re-run of the same stored event (as after a crash before it was marked done) starts no second follow-up.
    const row = await s.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'slack', externalId: ev.event_id } } });
    await s.db.inboundEvent.update({ where: { id: row.id }, data: { status: 'dead' } });
    expect((await s.api('POST', `/admin/inbound-events/${row.id}/retry`, undefined, ADMIN_TOKEN)).status).toBe(200);
    await s.inboundDone(ev.event_id);
    expect(await s.db.ticket.count({ where: { followUpOfId: ticket.id } })).toBe(1);
    expect(await s.db.comment.count({ where: { externalRef: ref } })).toBe(1);
    expect(s.fake.ephemerals.slice(ephemeralsBefore)).toHaveLength(1);

    // The message is the follow-up's first comment, so its edit in Slack follows it there.
    await deliver(messageChanged({ channel, user: ALICE, ts, threadTs: root, text: 'it jams again, photo of page 3 attached', previousText: 'it jams again, photo attached' }));
    const after = await s.db.comment.findUniqueOrThrow({ where: { externalRef: ref } });
    expect(after).toMatchObject({ id: first!.id, ticketId: followUp.id, body: 'it jams again, photo of page 3 attached' });
    expect(after.editedAt).not.toBeNull();
  });

  it('a reply in the thread of a ticket made private is kept as an internal comment and nothing is posted back', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel, 'Payroll export shows other salaries');
    expect((await s.api('PATCH', `/tickets/${ticket.number}`, { visibility: 'private' })).status).toBe(200);
    const ephemeralsBefore = s.fake.ephemerals.length;
    const callsBefore = s.fake.calls.length;

    const r = await reply(channel, root, ALICE, 'and the bonuses too');
    const last = (await comments(ticket.id)).at(-1)!;
    expect(last).toMatchObject({ body: 'and the bonuses too', public: false, via: 'slack', externalRef: `slack:${TEAM}:${channel}:${r.ts}` });
    expect(last.author.email).toBe('alice@example.com');
    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).visibility).toBe('private');
    // Nothing of a private ticket leaves the help center: no delivery row, no post, no ephemeral, no word of it.
    expect((await deliveries(ticket.id)).map((d) => d.outboxEvent.type)).toEqual(['ticket.created']);
    expect(s.fake.botReplies(channel, root)).toHaveLength(1);
    expect(s.fake.ephemerals.slice(ephemeralsBefore)).toEqual([]);
    const later = s.fake.calls.slice(callsBefore);
    expect(later.filter((c) => c.method.startsWith('chat.') && c.args['channel'] === channel)).toEqual([]);
    expect(later.some((c) => JSON.stringify(c.args).includes('bonuses'))).toBe(false);

    // It is still the customer's synced message: their edit follows it.
    await deliver(messageChanged({ channel, user: ALICE, ts: r.ts, threadTs: root, text: 'and the bonuses of 2024 too', previousText: 'and the bonuses too' }));
    expect(await s.db.comment.findUniqueOrThrow({ where: { id: last.id } })).toMatchObject({ body: 'and the bonuses of 2024 too', public: false });
  });
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

  it('a reply threaded under a direct notification becomes the requester\'s comment on that ticket; its edit follows', async () => {
    s.fake.addUser({ id: 'U_DMREPLY', name: 'petra', realName: 'Petra Novak', email: 'petra@example.cz', locale: 'en-US' });
    await s.ticketByReaction(s.channel(['U_DMREPLY']), 'Docking station does not charge', 'U_DMREPLY');
    const numbers: number[] = [];
    for (const subject of ['Badge for the new office', 'Second monitor request']) {
      const created = await s.api('POST', '/tickets', { subject, description: `${subject}, please`, requesterEmail: 'petra@example.cz' });
      expect(created.status).toBe(201);
      numbers.push(created.body.ticket.number as number);
      await waitFor(() => s.fake.messages('D_DMREPLY').length === numbers.length, 20_000, `direct message ${numbers.length}`);
    }
    const [first, second] = numbers as [number, number];
    const [note] = s.fake.messages('D_DMREPLY');
    expect(note!.text).toContain(`${PUBLIC_URL}/tickets/${first}`);
    await waitFor(async () => (await s.db.delivery.count({ where: { platformMessageId: note!.ts, status: 'sent' } })) === 1);

    // Petra answers in a thread under the first notification: the comment lands on that ticket, not the newest one.
    const ts = s.fake.addMessage('D_DMREPLY', { user: 'U_DMREPLY', text: 'I start on Monday', thread_ts: note!.ts }).ts;
    const ev = threadReply({ channel: 'D_DMREPLY', user: 'U_DMREPLY', text: 'I start on Monday', ts, threadTs: note!.ts });
    ev.event.channel_type = 'im';
    await deliver(ev);
    const ref = `slack:${TEAM}:D_DMREPLY:${ts}`;
    const firstTicket = await s.db.ticket.findUniqueOrThrow({ where: { number: first }, include: { comments: { orderBy: { createdAt: 'asc' }, include: { author: true } } } });
    expect(firstTicket.comments.map((c) => [c.body, c.public, c.via, c.externalRef, c.author.email])).toEqual([
      ['Badge for the new office, please', true, 'api', null, 'dana@support.example'],
      ['I start on Monday', true, 'slack', ref, 'petra@example.cz'],
    ]);
    expect((await s.db.ticket.findUniqueOrThrow({ where: { number: second }, include: { comments: true } })).comments.map((c) => c.body)).toEqual([
      'Second monitor request, please',
    ]);

    // Her edit follows the comment; a top-level message in the direct chat is no reply to anything and is left alone.
    const edit = messageChanged({ channel: 'D_DMREPLY', user: 'U_DMREPLY', ts, threadTs: note!.ts, text: 'I start on Tuesday', previousText: 'I start on Monday' });
    edit.event.channel_type = 'im';
    await deliver(edit);
    expect(await s.db.comment.findUniqueOrThrow({ where: { externalRef: ref } })).toMatchObject({ body: 'I start on Tuesday', ticketId: firstTicket.id });
    const hello = threadReply({ channel: 'D_DMREPLY', user: 'U_DMREPLY', text: 'hello?', ts: s.fake.addMessage('D_DMREPLY', { user: 'U_DMREPLY', text: 'hello?' }).ts, threadTs: note!.ts });
    delete hello.event.thread_ts;
    await deliver(hello);
    expect(await s.db.comment.count({ where: { body: 'hello?' } })).toBe(0);
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
