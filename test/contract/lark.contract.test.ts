/**
 * The Lark adapter under the shared contract: every message kind renders as content Lark accepts (the strict fake's
 * own checks: content shapes, card rules, 30 KB for cards, 150 KB for text; an answer to one person must be a card,
 * the only kind an ephemeral message can be), failures map to send-error kinds, and every real payload parses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatEvent, ChatPerson } from '../../src/core/chat/chat-events.ts';
import { contentOf } from '../../src/channels/lark/lark-api.ts';
import { failureOf, toChannelSendError } from '../../src/channels/lark/lark-errors.ts';
import { LarkHttpError, LarkNetworkError } from '../../src/channels/lark/lark-http.ts';
import { parseLarkEvent } from '../../src/channels/lark/lark-parse.ts';
import { asCard, renderMessage } from '../../src/channels/lark/lark-render.ts';
import { registerMessages } from '../../src/i18n/catalog.ts';
import { lark } from '../../src/i18n/messages/lark.ts';
import { CARD_LIMIT_BYTES, validateCard, validateContent } from '../fakes/lark/lark-fake-content.ts';
import { FIXTURES, runChannelContract } from './channel-contract.ts';

registerMessages('lark', lark);

const BOT = 'ou_bot';
const person = (workspaceId: string, platformUserId: string): ChatPerson => ({ platform: 'lark', workspaceId, platformUserId, profile: () => Promise.reject(new Error('not asked')) });

type Obj = Record<string, unknown>;
/** The scenario's wrapper for event parts: the v2 envelope header, and the sender_type every real message has. */
const v2 = (eventType: string) => (raw: unknown) => {
  const event = { ...(raw as Obj) };
  if (event['sender']) event['sender'] = { sender_type: 'user', ...(event['sender'] as Obj) };
  return { schema: '2.0', header: { event_id: 'ev-fixture', event_type: eventType, tenant_key: 'tk' }, event };
};
const receive = v2('im.message.receive_v1');
const none = (events: ChatEvent[]) => expect(events).toEqual([]);
const one = (shape: Obj) => (events: ChatEvent[]) => expect(JSON.parse(JSON.stringify(events))).toMatchObject([shape]);
/** A message in a group that neither mentions the bot nor replies in a thread is not addressed to it. */
const chatter = { wrap: receive, expect: none };

runChannelContract('lark', () => ({
  platform: 'lark',
  problems(message, locale, to) {
    const out = renderMessage(message, locale);
    const problems = [validateContent(out.msgType, contentOf(out))];
    if (to === 'actor') {
      const card = asCard(out, locale);
      problems.push(validateCard(card), Buffer.byteLength(JSON.stringify(card)) > CARD_LIMIT_BYTES ? 'ephemeral card too long' : null);
    }
    return problems.filter((p): p is string => p !== null);
  },
  failures: [
    { name: '429 / 99991400 with its reset header', error: () => new LarkHttpError(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '3' }), kind: 'rate_limited', retryAfterMs: 3000 },
    { name: 'the per-chat limit 230020', error: () => new LarkHttpError(400, { code: 230020, msg: 'frequency limit' }, {}), kind: 'rate_limited', retryAfterMs: 1000 },
    { name: 'HTTP 500', error: () => new LarkHttpError(500, 'Internal Server Error', {}), kind: 'transient' },
    { name: 'no answer (timeout)', error: () => new LarkNetworkError('TimeoutError: The operation was aborted due to timeout'), kind: 'transient' },
    { name: 'a rejected tenant token', error: () => new LarkHttpError(400, { code: 99991663, msg: 'Invalid access token' }, {}), kind: 'transient' },
    { name: 'the bot was removed from the chat', error: () => new LarkHttpError(400, { code: 230002, msg: 'Bot/User can NOT be out of the chat.' }, {}), kind: 'permanent' },
    { name: 'a message that was recalled', error: () => new LarkHttpError(400, { code: 230011, msg: 'The message was withdrawn.' }, {}), kind: 'permanent' },
  ],
  toSendError: (e) => toChannelSendError(failureOf(e)),
  parse: (payload) => parseLarkEvent(payload, { botOpenId: async () => BOT, person, draft: async () => null }),
  fixtures: {
    'im_message_receive_v1_group_mention_docs.json': {
      // A reply in a thread; "Tom" is mentioned in the list, but the text has no placeholder for him.
      expect: one({ type: 'message', place: { chatId: 'oc_5ce6d572455d361153b7xx51da133945', threadRef: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf', direct: false }, text: 'test', mentionsBot: false, repliesTo: ['om_5ce6d572455d361153b7cb5xxfsdfsdfdsf'] }),
    },
    'im_message_receive_v1_p2p_text_event.json': {
      wrap: receive,
      expect: one({ type: 'request_wanted', place: { direct: true, threadRef: 'om_6ff2cff41a3e9248bbb19bf0e4762e6e' }, actor: { platformUserId: 'ou_4f75b532aff410181e93552ad0532072' }, source: { text: '333' }, submitNow: false }),
    },
    // Another app's button (an approval card): not ours.
    'legacy_card_action_callback.json': { expect: none },
    'node_sdk_bot_added.json': { wrap: v2('im.chat.member.bot.added_v1'), expect: none },
    'node_sdk_card_action_trigger.json': { wrap: v2('card.action.trigger'), expect: none },
    'node_sdk_file_doc_pdf.json': chatter,
    'node_sdk_image.json': chatter,
    'node_sdk_interactive_card.json': chatter,
    'node_sdk_media_clip_mp4.json': chatter,
    'node_sdk_post_image_mention.json': chatter,
    'node_sdk_reaction_created.json': { wrap: v2('im.message.reaction.created_v1'), expect: none },
    'node_sdk_text_at_all.json': chatter,
    'node_sdk_text_bot_mention_help.json': { wrap: receive, expect: one({ type: 'request_wanted', place: { chatId: 'oc_test', threadRef: 'om_x', direct: false }, source: { messageId: 'om_x', text: 'help me', files: [] } }) },
    'node_sdk_text_hello.json': chatter,
    'node_sdk_text_mention_please.json': chatter,
    'node_sdk_thread_ids.json': { wrap: receive, expect: one({ type: 'message', place: { threadRef: 'om_root' }, messageId: 'om_x', text: 'hello', repliesTo: ['om_parent', 'om_root'] }) },
    'node_sdk_unknown_message_type.json': chatter,
  },
}));

describe('lark: every real payload with files keeps them all, by message and key', () => {
  const all = readdirSync(path.join(FIXTURES, 'lark')).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(path.join(FIXTURES, 'lark', f), 'utf8')) as Obj] as const);
  const withFiles = all.filter(([, p]) => /"(image_key|file_key)\\?"/.test(JSON.stringify(p)));
  it('there are such payloads', () => expect(withFiles.map(([f]) => f).sort()).toEqual(['node_sdk_file_doc_pdf.json', 'node_sdk_image.json', 'node_sdk_media_clip_mp4.json', 'node_sdk_post_image_mention.json']));
  it.each(withFiles)('%s', async (_name, raw) => {
    // Written to the bot in a private chat, so the message is about itself and its files are its source's.
    const message: Obj = { ...(raw['message'] as Obj), chat_type: 'p2p' };
    const content = String(message['content']);
    const keys = [...content.matchAll(/"(image_key|file_key)":"([^"]+)"/g)].map((m) => ({ key: m[2]!, type: m[1] === 'image_key' ? 'image' : 'file' }));
    const events = await parseLarkEvent(receive({ ...raw, message }), { botOpenId: async () => BOT, person, draft: async () => null });
    const files = (events[0] as Extract<ChatEvent, { type: 'request_wanted' }>).source!.files;
    expect(files.map((f) => f.fetchRef)).toEqual(keys.map((k) => ({ messageId: message['message_id'], fileKey: k.key, type: k.type })));
    expect(files.every((f) => f.url === null && f.name.length > 0)).toBe(true);
  });
});
