import { describe, expect, it } from 'vitest';
import { telegramFixture, telegramFixtureNames } from '../../../test/helpers/telegram/fixtures.ts';
import { TelegramUpdateBuilder, privateChatOf, supergroup, tgUser } from '../../../test/fakes/telegram/telegram-updates.ts';
import { UpdateSchema } from './telegram-schema.ts';

describe('UpdateSchema', () => {
  it('accepts every recorded payload shape', () => {
    const names = telegramFixtureNames();
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) expect(UpdateSchema.safeParse(telegramFixture(name)).success, name).toBe(true);
  });

  it("keeps fields it does not check, for telegraf's handlers", () => {
    const parsed = UpdateSchema.parse(telegramFixture('message-topic-command-reply'));
    expect((parsed.message?.chat as Record<string, unknown>)['is_forum']).toBe(true);
    expect(parsed.message?.reply_to_message?.text).toBe('my printer is on fire');
  });

  it('accepts what the update builders make', () => {
    const b = new TelegramUpdateBuilder();
    const alice = tgUser(1, 'Alice');
    const bot = { id: 9, is_bot: true, first_name: 'Bot', username: 'ticket_bot' };
    const g = supergroup(-100, 'G');
    const msg = b.message(g, alice, 'hello @ticket_bot');
    for (const u of [msg, b.callbackQuery(alice, msg.message, 'm:n'), b.myChatMember(g, alice, bot, 'left', 'member'), b.command(privateChatOf(alice), alice, '/new')]) {
      expect(UpdateSchema.safeParse(u).success).toBe(true);
    }
  });

  it('refuses what is not an update', () => {
    for (const bad of [null, [], {}, { update_id: '1' }, { update_id: -1 }, { update_id: 1, message: { message_id: 1 } }, { update_id: 1, callback_query: { id: 'x' } }]) {
      expect(UpdateSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('updateChatKey', () => {
  it('keys messages, callbacks and membership changes by their chat', async () => {
    const { updateChatKey } = await import('./telegram-schema.ts');
    expect(updateChatKey({ update_id: 1, message: { chat: { id: -100123 } } })).toBe('-100123');
    expect(updateChatKey({ update_id: 2, callback_query: { message: { chat: { id: 42 } } } })).toBe('42');
    expect(updateChatKey({ update_id: 3, my_chat_member: { chat: { id: -5 } } })).toBe('-5');
    expect(updateChatKey({ update_id: 4, inline_query: {} })).toBeUndefined();
  });
});
