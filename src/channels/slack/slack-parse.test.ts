/** Slack payloads into the shared vocabulary, against the Slack fake (for what parse reads) and the real chat service in memory. */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackFake } from '../../../test/fakes/slack/slack-fake.ts';
import { createMemoryCore } from '../../../test/helpers/memory/memory-core.ts';
import { fixture, messageChanged, messageDeleted, reactionAdded, threadReply } from '../../../test/helpers/slack/slack-payloads.ts';
import type { ChatEvent } from '../../core/chat/chat-events.ts';
import { SlackApi } from './slack-api.ts';
import { createSlackParser } from './slack-parse.ts';
import { SlackPeople } from './slack-profile.ts';

const fake = new SlackFake();
let parse: ReturnType<typeof createSlackParser>;
const core = createMemoryCore();
const at = new Date();
const env = (payload: unknown) => ({ id: '1', platform: 'slack', externalId: 'x', payload, receivedAt: at });
const run = (payload: unknown) => parse(env(payload));
const realPayload = (name: string) => JSON.parse(readFileSync(new URL(`../../../test/fixtures/real-payloads/slack/${name}.json`, import.meta.url), 'utf8'));
const only = async (payload: unknown) => {
  const events = await run(payload);
  expect(events).toHaveLength(1);
  return events[0] as ChatEvent & Record<string, any>;
};

beforeAll(async () => {
  await fake.start();
  fake.addUser({ id: 'U_AUTHOR', name: 'alice', email: 'alice@example.com' });
  fake.addUser({ id: 'U_REACTOR', name: 'kenji', email: 'kenji@example.jp', locale: 'ja-JP' });
  fake.addChannel({ id: 'C1', members: ['U_AUTHOR', 'U_REACTOR'] });
  const api = new SlackApi({ botToken: fake.botToken, apiUrl: fake.apiUrl });
  const identity = () => api.authTest();
  parse = createSlackParser({ api, people: new SlackPeople(api), identity, chat: core.chat, ticketEmoji: 'ticket', logger: pino({ level: 'silent' }) });
});
afterAll(() => fake.stop());

describe('reactions', () => {
  it('the ticket emoji (any skin tone) asks for a request about the message as a person sees it, in its thread', async () => {
    const root = fake.addMessage('C1', { user: 'U_AUTHOR', text: 'Printer <@U_REACTOR> &amp; scanner' }).ts;
    const reply = fake.addMessage('C1', { user: 'U_AUTHOR', text: 'it smokes', thread_ts: root, files: [{ id: 'F1', name: 'smoke.png', permalink: 'https://acme.slack.com/files/F1', size: 9, mimetype: 'image/png' }] }).ts;
    const onRoot = await only(reactionAdded({ channel: 'C1', ts: root, user: 'U_REACTOR', reaction: 'ticket::skin-tone-2' }));
    expect(onRoot).toMatchObject({
      type: 'request_wanted',
      place: { platform: 'slack', workspaceId: 'T0001', chatId: 'C1', threadRef: root, direct: false },
      actor: { platformUserId: 'U_REACTOR' },
      source: { messageId: `C1:${root}`, text: 'Printer @kenji & scanner', files: [], url: `https://acme.slack.com/archives/C1/p${root.replace('.', '')}` },
      submitNow: false,
    });
    // On a reply, the ticket lives in the reply's thread; its files come along.
    const onReply = await only(reactionAdded({ channel: 'C1', ts: reply, user: 'U_REACTOR' }));
    expect(onReply.place.threadRef).toBe(root);
    // Without a download URL in the message, files.info will say where it is.
    expect(onReply.source.files).toEqual([{ name: 'smoke.png', url: 'https://acme.slack.com/files/F1', platformFileId: 'F1', size: 9, contentType: 'image/png', fetchRef: { info: '1' } }]);
  });

  it('another emoji, the bot\'s own message, a message that is gone or unreadable: nothing', async () => {
    const root = fake.addMessage('C1', { user: 'U_AUTHOR', text: 'thanks' }).ts;
    const own = fake.workspace.addMessage('C1', { user: 'UBOT', bot_id: 'BBOT', text: 'Request #1' }).ts;
    expect(await run(reactionAdded({ channel: 'C1', ts: root, user: 'U_REACTOR', reaction: 'tada' }))).toEqual([]);
    expect(await run(reactionAdded({ channel: 'C1', ts: own, user: 'U_REACTOR' }))).toEqual([]);
    expect(await run(reactionAdded({ channel: 'C1', ts: '1.000001', user: 'U_REACTOR' }))).toEqual([]);
    expect(await run(reactionAdded({ channel: 'C404', ts: root, user: 'U_REACTOR' }))).toEqual([]);
  });

  it('Slack\'s throttle while reading the message is thrown, to be waited out', async () => {
    const root = fake.addMessage('C1', { user: 'U_AUTHOR', text: 'VPN' }).ts;
    fake.failNext('conversations.history', 1, { kind: 'rate_limited', retryAfter: 2 });
    await expect(run(reactionAdded({ channel: 'C1', ts: root, user: 'U_AUTHOR' }))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
  });
});

describe('messages', () => {
  it('a thread reply is a message in that thread; under the bot\'s own message it also names what it answers', async () => {
    const m = await only(threadReply({ channel: 'C1', user: 'U_AUTHOR', text: 'more <@UBOT>', ts: '1700000200.000001', threadTs: '1700000000.000100' }));
    expect(m).toMatchObject({ type: 'message', messageId: 'C1:1700000200.000001', place: { chatId: 'C1', threadRef: '1700000000.000100', direct: false }, text: 'more @helpdesk', mentionsBot: true, repliesTo: [] });
    const underBot = threadReply({ channel: 'C1', user: 'U_AUTHOR', text: 'ok', ts: '1700000200.000002', threadTs: '1700000000.000100' });
    underBot.event.parent_user_id = 'UBOT';
    expect((await only(underBot)).repliesTo).toEqual(['1700000000.000100']);
  });

  it('in the direct chat a thread answers the notification at its root; a top-level message is one too', async () => {
    const dm = threadReply({ channel: 'D_AUTHOR', user: 'U_AUTHOR', text: 'thanks', ts: '1700000300.000001', threadTs: '1700000100.000001' });
    dm.event.channel_type = 'im';
    expect(await only(dm)).toMatchObject({ place: { chatId: 'D_AUTHOR', threadRef: '1700000100.000001', direct: true }, repliesTo: ['1700000100.000001'] });
    delete dm.event.thread_ts;
    expect(await only(dm)).toMatchObject({ type: 'message', place: { threadRef: null, direct: true }, repliesTo: [] });
  });

  it('a message forwarded into a thread keeps the forwarded text (a real payload, put into a thread)', async () => {
    const forwarded = realPayload('message_forwarded_no_text');
    forwarded.event.thread_ts = '1724952000.000001';
    expect(await only(forwarded)).toMatchObject({ type: 'message', text: 'lev: 123' });
    const shared = realPayload('message_shared_with_text');
    shared.event.thread_ts = '1724966000.000001';
    expect((await only(shared)).text).toBe('hello check that out!\nlev: this will be shared with a message');
  });

  it('top-level channel chatter, bots, Slackbot and joins are nobody\'s words here', async () => {
    const top = threadReply({ channel: 'C1', user: 'U_AUTHOR', text: 'lunch?', ts: '1700000400.000001', threadTs: '1' });
    delete top.event.thread_ts;
    const bot = threadReply({ channel: 'C1', user: 'U_OTHER', text: 'deployed', ts: '1700000400.000002', threadTs: '1700000000.000100' });
    bot.event.bot_id = 'B_OTHER';
    const slackbot = threadReply({ channel: 'D_AUTHOR', user: 'USLACKBOT', text: 'You were removed', ts: '1700000400.000003', threadTs: '1' });
    delete slackbot.event.thread_ts;
    for (const p of [top, bot, slackbot, realPayload('channel_join_bot'), realPayload('bot_own_message_in_thread')]) expect(await run(p)).toEqual([]);
  });

  it('edits and deletes: the new text, the deleted message; an unfurl (same text) is no edit', async () => {
    const edit = messageChanged({ channel: 'C1', user: 'U_AUTHOR', ts: '1700000500.000001', threadTs: '1700000000.000100', text: 'v2 <@U_REACTOR>', previousText: 'v1' });
    expect(await only(edit)).toMatchObject({ type: 'message_edited', messageId: 'C1:1700000500.000001', place: { threadRef: '1700000000.000100' }, text: 'v2 @kenji' });
    const unfurl = messageChanged({ channel: 'C1', user: 'U_AUTHOR', ts: '1700000500.000001', threadTs: '1700000000.000100', text: 'v1', previousText: 'v1' });
    expect(await run(unfurl)).toEqual([]);
    const del = messageDeleted({ channel: 'C1', user: 'U_AUTHOR', ts: '1700000500.000001', threadTs: '1700000000.000100' });
    expect(await only(del)).toEqual({ type: 'message_deleted', place: expect.objectContaining({ chatId: 'C1', threadRef: '1700000000.000100' }), messageId: 'C1:1700000500.000001' });
  });

  it('direct-chat words: a registration code, a sign-in link, the open requests', async () => {
    const dm = (text: string) => {
      const e = threadReply({ channel: 'D_AUTHOR', user: 'U_AUTHOR', text, ts: '1700000600.000001', threadTs: '1' });
      delete e.event.thread_ts;
      e.event.channel_type = 'im';
      return e;
    };
    expect(await only(dm('link K7Q2-ABCD'))).toMatchObject({ type: 'registration', code: 'K7Q2-ABCD', place: { direct: true } });
    for (const word of ['login', 'Sign in', 'ログイン', 'войти']) expect((await only(dm(word))).type).toBe('sign_in_wanted');
    expect((await only(dm('заявки'))).type).toBe('my_tickets');
    expect((await only(dm('link my account please'))).type).toBe('message');
  });
});

describe('submitted modals', () => {
  const view = (callback: string, metadata: unknown, values: Record<string, unknown>) => {
    const body = fixture('view-submission');
    Object.assign(body.view, { callback_id: callback, private_metadata: typeof metadata === 'string' ? metadata : JSON.stringify(metadata), state: { values } });
    return body;
  };
  const meta = { n: 7, c: 'C1', th: '1700000000.000100', m: '1700000900.000001', l: 'en' };

  it('Rate and Reopen become the requester\'s actions on the ticket, replacing the message with the buttons', async () => {
    const rate = await only(view('slack_rate_form', meta, { score_block: { score_select: { type: 'static_select', selected_option: { value: '4' } } }, comment_block: { comment_input: { type: 'plain_text_input', value: ' fast ' } } }));
    expect(rate).toMatchObject({ type: 'ticket_action', ticketNumber: 7, action: { kind: 'rate', score: 4, comment: 'fast' }, pressedMessageId: '1700000900.000001', place: { chatId: 'C1', threadRef: '1700000000.000100' } });
    const reopen = await only(view('slack_reopen_form', meta, { reason_block: { reason_input: { type: 'plain_text_input', value: 'still broken' } } }));
    expect(reopen).toMatchObject({ action: { kind: 'reopen', reason: 'still broken' } });
  });

  it('a request form whose draft is unknown (or someone else\'s) is submitted as such: the core says it expired', async () => {
    const e = await only(view('slack_ticket_form', { d: '0f8fad5b-d9cb-469f-a165-70867728950e', l: 'en' }, { subject_block: { subject_input: { type: 'plain_text_input', value: 'S' } } }));
    expect(e).toMatchObject({ type: 'request_submitted', draftId: '0f8fad5b-d9cb-469f-a165-70867728950e', place: { chatId: 'U_AUTHOR', direct: true } });
    expect((await core.chat.handle(e)).replies.map((r) => r.message)).toEqual([{ kind: 'notice', key: 'common:error.draft_expired' }]);
  });

  it('metadata that was tampered with, or someone else\'s modal: nothing', async () => {
    expect(await run(view('slack_rate_form', { ...meta, n: 'x' }, {}))).toEqual([]);
    expect(await run(view('slack_ticket_form', 'not json', {}))).toEqual([]);
    expect(await run(view('view-id', meta, {}))).toEqual([]);
  });
});
