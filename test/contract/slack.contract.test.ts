/**
 * The Slack adapter against the shared contract: renderings checked by the strict fake's own rules, failures as the
 * WebClient really throws them (captured from the fake), and every real payload in test/fixtures/real-payloads/slack.
 */
import { pino } from 'pino';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { toChannelSendError, SlackApi } from '../../src/channels/slack/slack-api.ts';
import { createSlackParser } from '../../src/channels/slack/slack-parse.ts';
import { SlackPeople } from '../../src/channels/slack/slack-profile.ts';
import { renderMessage } from '../../src/channels/slack/slack-render.ts';
import type { ChatEvent } from '../../src/core/chat/chat-events.ts';
import { registerMessages } from '../../src/i18n/catalog.ts';
import { slack } from '../../src/i18n/messages/slack.ts';
import { checkBlocks } from '../fakes/slack/slack-fake-methods.ts';
import { SlackFake } from '../fakes/slack/slack-fake.ts';
import { createMemoryCore } from '../helpers/memory/memory-core.ts';
import { FIXTURES, runChannelContract, type ContractSubject } from './channel-contract.ts';
import { messageEventSchema } from '../../src/channels/slack/slack-schemas.ts';

registerMessages('slack', slack);

const none = (events: ChatEvent[]) => {
  if (events.length !== 0) throw new Error(`expected no events, got ${JSON.stringify(events.map((e) => e.type))}`);
};
const one = (check: (e: ChatEvent & Record<string, any>) => void) => (events: ChatEvent[]) => {
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}`);
  check(events[0] as ChatEvent & Record<string, any>);
};
const expectThat = (ok: boolean, what: string) => {
  if (!ok) throw new Error(what);
};
const body = (raw: unknown) => (raw as { body: unknown }).body;

/** What Slack would refuse in a rendering: the fake's rules for blocks, and the limits of a message's text. */
function problems(content: { text: string; blocks: unknown[] } | null): string[] {
  if (!content) return [];
  const found: string[] = [];
  if (content.text.trim() === '' && content.blocks.length === 0) found.push('no_text');
  if ([...content.text].length > 40_000) found.push('msg_too_long');
  const blocks = checkBlocks(content.blocks);
  if (blocks) found.push(blocks);
  return found;
}

let started: Promise<{ fake: SlackFake; subject: ContractSubject }> | null = null;
afterAll(async () => (await started)?.fake.stop());

async function subject(): Promise<ContractSubject> {
  started ??= (async () => {
    const fake = new SlackFake();
    await fake.start();
    const raw = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const thrown = async (run: () => Promise<unknown>) => run().then(() => new Error('did not fail'), (e: unknown) => e);
    fake.failNext('chat.postMessage', 1, { kind: 'rate_limited', retryAfter: 7 });
    const limited = await thrown(() => raw.chat.postMessage({ channel: 'C1', text: 'x' }));
    fake.failNext('chat.postMessage', 1, { kind: 'http', status: 503 });
    const unavailable = await thrown(() => raw.chat.postMessage({ channel: 'C1', text: 'x' }));
    fake.failNext('chat.postMessage', 1, { kind: 'error', error: 'internal_error' });
    const internal = await thrown(() => raw.chat.postMessage({ channel: 'C1', text: 'x' }));
    const notFound = await thrown(() => raw.chat.postMessage({ channel: 'C404', text: 'x' }));
    const badAuth = await thrown(() => new webApi.WebClient('xoxb-wrong', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }).auth.test());
    const offline = await thrown(() => new webApi.WebClient('x', { slackApiUrl: 'http://127.0.0.1:9/api/', retryConfig: { retries: 0 } }).auth.test());

    const api = new SlackApi({ botToken: fake.botToken, apiUrl: fake.apiUrl });
    const parse = createSlackParser({ api, people: new SlackPeople(api), identity: () => api.authTest(), chat: createMemoryCore().chat, ticketEmoji: 'ticket', logger: pino({ level: 'silent' }) });
    const s: ContractSubject = {
      platform: 'slack',
      problems: (m, locale) => problems(renderMessage(m, locale)),
      failures: [
        { name: '429 with Retry-After', error: () => limited, kind: 'rate_limited', retryAfterMs: 7000 },
        { name: 'HTTP 503', error: () => unavailable, kind: 'transient' },
        { name: 'internal_error', error: () => internal, kind: 'transient' },
        { name: 'Slack unreachable', error: () => offline, kind: 'transient' },
        { name: 'channel_not_found', error: () => notFound, kind: 'permanent' },
        { name: 'invalid_auth', error: () => badAuth, kind: 'permanent' },
      ],
      toSendError: toChannelSendError,
      parse: (payload) => parse({ id: '1', platform: 'slack', externalId: 'x', payload, receivedAt: new Date() }),
      fixtures: {
        'app_home_opened_messages.json': { expect: none },
        // The app subscribes to message events; a mention arrives as one of those too.
        'app_mention.json': { expect: none },
        // Interactions are answered in the request, never recorded: as stored payloads they mean nothing.
        'block_actions_button.json': { expect: none },
        'block_suggestion.json': { expect: none },
        'global_shortcut.json': { expect: none },
        'slash_command_form.json': { expect: none },
        'slapp_command_joke.json': { wrap: body, expect: none },
        'slapp_interactive_message_action.json': { wrap: body, expect: none },
        'view_closed.json': { expect: none },
        // Another app's modal.
        'view_submission.json': { expect: none },
        'bot_message_classic.json': { expect: none },
        'bot_message_other_app.json': { expect: none },
        'bot_message_reacji.json': { expect: none },
        'bot_own_message_in_thread.json': { expect: none },
        'circleci_bot_blocks.json': { expect: none },
        'github_app_attachments.json': { expect: none },
        'slapp_event_bot_message.json': { wrap: body, expect: none },
        'email_file_share_slackbot.json': { expect: none },
        'slackbot_im.json': { expect: none },
        'channel_created.json': { expect: none },
        'channel_join_bot.json': { expect: none },
        'channel_left.json': { expect: none },
        // Top-level channel messages (and their edits and deletes) answer nothing the bot said.
        'file_share_png.json': { expect: none },
        'message_changed_edit.json': { expect: none },
        'message_changed_unfurl.json': { expect: none },
        'message_deleted.json': { expect: none },
        'message_deleted_bolt.json': { expect: none },
        'message_forwarded_no_text.json': { expect: none },
        'message_link_only.json': { expect: none },
        'message_plain.json': { expect: none },
        'message_rich_text.json': { expect: none },
        'message_shared_with_text.json': { expect: none },
        'message_user_hi_there.json': { expect: none },
        // Other emoji start nothing.
        'reaction_added_heart_eyes.json': { expect: none },
        'slapp_event_reaction_added.json': { wrap: body, expect: none },
        'thread_broadcast.json': {
          expect: one((e) => {
            expectThat(e.type === 'message' && e.text === 'Hi there!', 'a thread broadcast is a message');
            expectThat(e.place.chatId === 'C111' && e.place.threadRef === '1633663824.000500' && e.messageId === 'C111:1633670813.007500', 'in its thread');
          }),
        },
        'file_share_snippet_im.json': {
          expect: one((e) => {
            expectThat(e.type === 'message' && e.place.direct && e.text === 'message message message', 'a direct message with a file');
            expectThat(JSON.stringify(e.files) === JSON.stringify([{ name: 'namenamename.txt', url: 'https://jadeapptesting.slack.com/files/U043H11ES4V/F04EEHX1EES/namenamename.txt', platformFileId: 'F04EEHX1EES', size: 12, contentType: 'text/plain', fetchRef: { download: 'https://files.slack.com/files-pri/T043DB835ML-F04EEHX1EES/download/namenamename.txt' } }]), 'its file, with its authenticated download URL');
          }),
        },
        'file_share_slack_connect.json': {
          // A Slack Connect file arrives as a stub: known by its id only (files.info tells the rest, issue 13).
          expect: one((e) => expectThat(e.type === 'message' && e.files.length === 1 && e.files[0]!.platformFileId === 'F12345678' && e.files[0]!.url === null && e.files[0]!.fetchRef?.['info'] === '1', 'a file stub, fetched through files.info')),
        },
        'slapp_event_message_attachments_im.json': {
          wrap: body,
          // Interactive attachments are not a shared message: the text is the person's own.
          expect: one((e) => expectThat(e.type === 'message' && e.text === 'help' && e.place.direct && e.place.chatId === 'DXXXXXXXX', 'a direct message')),
        },
      },
    };
    return { fake, subject: s };
  })();
  return (await started).subject;
}

runChannelContract('slack', subject);

describe('slack: every real payload with files keeps them all', () => {
  const withFiles = readdirSync(path.join(FIXTURES, 'slack')).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(path.join(FIXTURES, 'slack', f), 'utf8'))] as const).filter(([, p]) => Array.isArray(p.event?.files));
  it('there are such payloads', () => expect(withFiles.map(([f]) => f).sort()).toEqual(['email_file_share_slackbot.json', 'file_share_png.json', 'file_share_slack_connect.json', 'file_share_snippet_im.json']));
  it.each(withFiles)('%s: each file with its id and how to fetch it', (_name, payload) => {
    const m = messageEventSchema.parse(payload.event);
    const raw = payload.event.files as { id: string; url_private_download?: string; file_access?: string }[];
    expect(m.files.map((f) => f.platformFileId)).toEqual(raw.map((f) => f.id));
    for (const [i, f] of m.files.entries()) {
      const r = raw[i]!;
      expect(f.fetchRef).toEqual(r.file_access === 'check_file_info' || !r.url_private_download ? { info: '1' } : { download: r.url_private_download });
    }
  });
});
