import { describe, expect, it } from 'vitest';
import { telegramFixture, telegramFixtureNames } from '../../../test/helpers/telegram/fixtures.ts';
import { TelegramUpdateBuilder, privateChatOf, supergroup, tgUser } from '../../../test/fakes/telegram/telegram-updates.ts';
import { chatKeyOf, readUpdate, UpdateSchema } from './telegram-schemas.ts';

describe('UpdateSchema', () => {
  it('accepts every recorded shape and what the update builders make, decoded to named fields', () => {
    for (const name of telegramFixtureNames()) expect(UpdateSchema.safeParse(telegramFixture(name)).success, name).toBe(true);
    const b = new TelegramUpdateBuilder();
    const alice = tgUser(1, 'Alice');
    const g = supergroup(-100, 'G');
    const msg = b.message(g, alice, 'hello @ticket_bot');
    for (const u of [msg, b.edited(msg.message, 'bye'), b.callbackQuery(alice, msg.message, 'm:n'), b.myChatMember(g, alice, { id: 9, is_bot: true, first_name: 'Bot' }, 'left', 'member'), b.command(privateChatOf(alice), alice, '/new')]) {
      expect(UpdateSchema.safeParse(u).success).toBe(true);
    }
    const topic = readUpdate(telegramFixture('message-topic-command-reply'))!.message!;
    expect(topic).toMatchObject({ id: 57, topicId: 12, chat: { id: -1001234567890, type: 'supergroup' }, from: { id: 111111111, name: 'Alice', languageCode: 'en', isBot: false }, replyTo: { id: 55, text: 'my printer is on fire' } });
  });

  it('keeps what a message carries as files: the largest photo, documents by name, never a download link', () => {
    const u = readUpdate({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' }, caption: 'see', photo: [{ file_id: 'small', file_size: 10 }, { file_id: 'big', file_size: 99 }], document: { file_id: 'D', file_name: 'log.txt', mime_type: 'text/plain' } } })!;
    expect(u.message).toMatchObject({ text: 'see', files: [{ name: 'photo.jpg', url: null, platformFileId: 'big', size: 99, contentType: 'image/jpeg' }, { name: 'log.txt', url: null, platformFileId: 'D', contentType: 'text/plain' }] });
  });

  it('refuses what is not an update', () => {
    for (const bad of [null, [], {}, { update_id: '1' }, { update_id: -1 }, { update_id: 1, message: { message_id: 1 } }, { update_id: 1, callback_query: { id: 'x' } }]) {
      expect(UpdateSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('keys messages, edits, presses and membership changes by their chat', () => {
    const chat = { id: -100123, type: 'supergroup' };
    const from = { id: 1, first_name: 'A' };
    expect(chatKeyOf(readUpdate({ update_id: 1, message: { message_id: 1, chat, from } })!)).toBe('-100123');
    expect(chatKeyOf(readUpdate({ update_id: 1, edited_message: { message_id: 1, chat, from } })!)).toBe('-100123');
    expect(chatKeyOf(readUpdate({ update_id: 2, callback_query: { id: 'q', from, message: { message_id: 1, chat: { id: 42, type: 'private' } } } })!)).toBe('42');
    expect(chatKeyOf(readUpdate({ update_id: 4, inline_query: {} })!)).toBeUndefined();
  });
});
