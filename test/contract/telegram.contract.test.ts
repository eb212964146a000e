/**
 * Telegram passes the adapter contract: every message kind renders as HTML the Bot API accepts (checked by the strict
 * fake's own parser), at most 4096 visible characters a part, buttons within 64 bytes of callback_data; Bot API
 * failures map to the engine's send-error kinds; every real payload parses into the events a person would expect.
 */
import { TelegramError } from 'telegraf';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat/chat-events.ts';
import { toChannelSendError } from '../../src/channels/telegram/telegram-api.ts';
import { splitHtml } from '../../src/channels/telegram/telegram-html.ts';
import { createTelegramParser } from '../../src/channels/telegram/telegram-parse.ts';
import { render } from '../../src/channels/telegram/telegram-render.ts';
import { readUpdate } from '../../src/channels/telegram/telegram-schemas.ts';
import { registerMessages } from '../../src/i18n/catalog.ts';
import { telegramMessages } from '../../src/i18n/messages/telegram.ts';
import { parseTelegramHtml } from '../fakes/telegram/telegram-fake-html.ts';
import { FIXTURES, runChannelContract } from './channel-contract.ts';

registerMessages('telegram', telegramMessages);

const tgError = (error_code: number, description: string, retry_after?: number) =>
  new TelegramError({ error_code, description, ...(retry_after ? { parameters: { retry_after } } : {}) });

const parseUpdate = createTelegramParser({ workspaceId: '7000001', bot: () => ({ id: 7000001, username: 'ticket_bot' }), isAdmin: async () => false });

/** What one event is, in short, for the expectations below. */
function gist(e: ChatEvent): Record<string, unknown> {
  if (e.type === 'message') return { type: e.type, text: e.text, files: e.files.map((f) => f.name), direct: e.place.direct, repliesTo: e.repliesTo };
  if (e.type === 'message_edited') return { type: e.type, text: e.text, messageId: e.messageId };
  return { type: e.type };
}

const message = (text: string, files: string[] = []) => (events: ChatEvent[]) => expect(events.map(gist)).toEqual([{ type: 'message', text, files, direct: true, repliesTo: [] }]);
const nothing = (events: ChatEvent[]) => expect(events).toEqual([]);
const help = (events: ChatEvent[]) => expect(events.map(gist)).toEqual([{ type: 'help_wanted' }]);
const asMessage = (raw: unknown) => ({ update_id: 1, message: raw });

runChannelContract('telegram', () => ({
  platform: 'telegram',
  problems(m, locale, to) {
    const found: string[] = [];
    const r = render(m, { locale, bot: 'ticket_bot', where: to === 'place' ? 'group' : 'direct', fromGroup: to === 'place', name: 'Olga <b>' });
    for (const [i, part] of splitHtml(r.html).entries()) {
      const parsed = parseTelegramHtml(part);
      if (!parsed.ok) found.push(`part ${i}: ${parsed.description}`);
      else if (parsed.text.trim() === '' || parsed.text.length > 4096) found.push(`part ${i}: ${parsed.text.length} characters`);
    }
    for (const b of r.keyboard?.flat() ?? []) {
      const bytes = Buffer.byteLength(b.callback_data, 'utf8');
      if (bytes < 1 || bytes > 64) found.push(`button ${b.text}: ${bytes} bytes`);
      if (b.text.trim() === '') found.push('a button without text');
    }
    return found;
  },
  failures: [
    { name: '429 with retry_after', error: () => tgError(429, 'Too Many Requests: retry after 35', 35), kind: 'rate_limited', retryAfterMs: 35_000 },
    { name: '500', error: () => tgError(500, 'Internal Server Error'), kind: 'transient' },
    { name: '502', error: () => tgError(502, 'Bad Gateway'), kind: 'transient' },
    { name: 'no connection', error: () => Object.assign(new Error('request to http://h/bot1:SECRET/sendMessage failed'), { name: 'FetchError', code: 'ECONNREFUSED' }), kind: 'transient' },
    { name: '403 blocked', error: () => tgError(403, 'Forbidden: bot was blocked by the user'), kind: 'permanent' },
    { name: '403 kicked', error: () => tgError(403, 'Forbidden: bot was kicked from the supergroup chat'), kind: 'permanent' },
    { name: '400 chat not found', error: () => tgError(400, 'Bad Request: chat not found'), kind: 'permanent' },
  ],
  toSendError: toChannelSendError,
  async parse(payload) {
    const u = readUpdate(payload);
    return u ? (await parseUpdate(u)).events : [];
  },
  fixtures: {
    'aiogram_edited_message.json': { wrap: (raw) => ({ update_id: 1, edited_message: raw }), expect: (e) => expect(e.map(gist)).toEqual([{ type: 'message_edited', text: 'hi there (edited)', messageId: '12345678:12345' }]) },
    'aiogram_forwarded_message_entities.json': { wrap: asMessage, expect: message('Forwarded text with entities from public channel ') },
    'aiogram_message.json': { wrap: asMessage, expect: message('Hi, world!') },
    // A channel's post: the bot is not asked for in channels.
    'aiogram_message_from_channel.json': { wrap: (raw) => ({ update_id: 1, channel_post: raw }), expect: nothing },
    // Contacts, locations, stickers: nothing a ticket could hold.
    'aiogram_message_with_contact.json': { wrap: asMessage, expect: nothing },
    'aiogram_message_with_document.json': { wrap: asMessage, expect: message('Read my document', ['test.docx']) },
    'aiogram_message_with_location.json': { wrap: asMessage, expect: nothing },
    'aiogram_message_with_media_group.json': { wrap: asMessage, expect: message('', ['photo.jpg']) },
    'aiogram_message_with_photo.json': { wrap: asMessage, expect: message('photo description', ['photo.jpg']) },
    'aiogram_message_with_sticker.json': { wrap: asMessage, expect: nothing },
    'aiogram_message_with_video.json': { wrap: asMessage, expect: message('description', ['video.mp4']) },
    'aiogram_message_with_voice.json': { wrap: asMessage, expect: message('', ['voice.ogg']) },
    // A reply to a person's message (not the bot's) answers nothing of the bot's.
    'aiogram_reply_message.json': { wrap: asMessage, expect: message('Reply to quoted message') },
    // An inline message's button: no chat to act in (the bot answers the press itself, as stale).
    'docs_callback_query.json': { expect: nothing },
    'docs_chosen_inline_result.json': { expect: nothing },
    'docs_edited_message.json': { expect: (e) => expect(e.map(gist)).toEqual([{ type: 'message_edited', text: 'Edited text', messageId: '1111111:1365' }]) },
    // "/start" without a code, even forwarded or without Telegram's entities: what can the bot do.
    'docs_forwarded_channel_message.json': { expect: help },
    'docs_forwarded_message.json': { expect: help },
    'docs_inline_query.json': { expect: nothing },
    'docs_message_text_start.json': { expect: help },
    'docs_message_with_audio.json': { expect: message('', ['Test music file.mp3']) },
    'docs_message_with_document.json': { expect: message('', ['Testfile.pdf']) },
    'docs_message_with_entities.json': { expect: message('Bold and italics') },
    'docs_message_with_reply.json': { expect: help },
    'docs_voice_message.json': { expect: message('', ['voice.ogg']) },
    // In groups the bot reads mentions of it, commands and answers to its own messages only.
    'teloxide_message_anonymous_admin_forward.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_empty.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_forum_topic_created.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_forum_topic_message.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_media_group_video.json': { wrap: asMessage, expect: message('', ['video.mp4']) },
    'teloxide_message_migrate_to_supergroup.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_photo.json': { wrap: asMessage, expect: message('', ['photo.jpg']) },
    'teloxide_message_photo_caption_url.json': { wrap: asMessage, expect: message('www.example.com', ['photo.jpg']) },
    'teloxide_message_sticker.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_text_emoji.json': { wrap: asMessage, expect: message('Лол кек 😂') },
    'teloxide_message_video_chat_started.json': { wrap: asMessage, expect: nothing },
    'teloxide_message_video_forwarded.json': { wrap: asMessage, expect: message('', ['video.mp4']) },
    // "/report" in a group is not one of the bot's commands.
    'teloxide_update_bot_command_reply_to_story.json': { expect: nothing },
    'teloxide_update_dice.json': { expect: nothing },
    'teloxide_update_message_reaction.json': { expect: nothing },
    // The bot removed from a group: nothing to say, and no one to say it to.
    'teloxide_update_my_chat_member_kicked.json': { expect: nothing },
    'teloxide_update_pinned_message.json': { expect: nothing },
    'teloxide_update_private_digit.json': { expect: message('4') },
    'teloxide_update_private_text.json': { expect: message('hello there') },
    'teloxide_update_story_in_supergroup.json': { expect: nothing },
    'teloxide_update_unknown_kind.json': { expect: nothing },
  },
}));

describe('telegram: every real payload with a file keeps it, by its file_id (the largest photo size)', () => {
  const FIELDS = ['photo', 'document', 'video', 'audio', 'voice', 'video_note', 'animation'] as const;
  const all = readdirSync(path.join(FIXTURES, 'telegram')).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(path.join(FIXTURES, 'telegram', f), 'utf8'))] as const);
  const withFiles = all.filter(([, p]) => FIELDS.some((k) => (p.message ?? p)[k] !== undefined));
  it('there are such payloads (stickers are not files a ticket keeps)', () => expect(withFiles.length).toBeGreaterThanOrEqual(12));
  it.each(withFiles)('%s', (_name, raw) => {
    const m = raw.message ?? raw;
    const u = readUpdate({ update_id: 1, message: m });
    const expected = FIELDS.flatMap((k) => (m[k] === undefined ? [] : [k === 'photo' ? (m[k] as { file_id: string }[]).at(-1)!.file_id : (m[k] as { file_id: string }).file_id]));
    expect(u?.message?.files.map((f) => f.platformFileId)).toEqual(expected);
    expect(u?.message?.files.every((f) => f.url === null && f.name.length > 0)).toBe(true);
  });
});
