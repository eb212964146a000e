import { describe, expect, it } from 'vitest';
import { telegramFixture } from '../../../test/helpers/telegram/fixtures.ts';
import type { ChatEvent } from '../../core/chat/chat-events.ts';
import { encodeButton } from './telegram-callback-data.ts';
import { botMentions, createTelegramParser, parseCommand, withoutEntities } from './telegram-parse.ts';
import { readUpdate } from './telegram-schemas.ts';

const bot = { username: 'ticket_bot', id: 999 };
const admins = new Set<number>();
const parse = createTelegramParser({ workspaceId: '999', bot: () => bot, isAdmin: async (_chat, user) => admins.has(user) });
const events = async (payload: unknown) => (await parse(readUpdate(payload)!)).events;
const without = (e: ChatEvent) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
const alice = { id: 111, is_bot: false, first_name: 'Alice', language_code: 'ja' };
const group = { id: -1001234567890, type: 'supergroup', title: 'Support' };

function message(text: string, o: { chat?: object; entities?: object[]; reply?: object; from?: object } = {}) {
  return { update_id: 1, message: { message_id: 70, date: 1, chat: o.chat ?? { id: 111, type: 'private', first_name: 'Alice' }, from: o.from ?? alice, text, ...(o.entities ? { entities: o.entities } : {}), ...(o.reply ? { reply_to_message: o.reply } : {}) } };
}
const press = (data: string, chat: object = group) => ({ update_id: 2, callback_query: { id: 'q1', chat_instance: '1', from: alice, data, message: { message_id: 58, date: 1, chat, text: 'x' } } });
const botMessage = { message_id: 58, date: 1, chat: group, from: { id: 999, is_bot: true, first_name: 'TicketBot' }, text: 'Request #5 has been solved.' };

describe('commands and mentions', () => {
  it('reads /cmd@thisbot with its payload, and a deep link /start <code>; /cmd@other_bot is foreign', () => {
    const m = readUpdate(telegramFixture('message-topic-command-reply'))!.message!;
    expect(parseCommand(m.text, m.entities, 'TICKET_BOT')).toEqual({ kind: 'command', name: 'ticket', payload: 'printer on fire' });
    const start = readUpdate(telegramFixture('message-private-start'))!.message!;
    expect(parseCommand(start.text, start.entities, 'ticket_bot')).toEqual({ kind: 'command', name: 'start', payload: 'c0de-42' });
    expect(parseCommand('/config@other_bot', [{ type: 'bot_command', offset: 0, length: 17, userId: null }], 'ticket_bot')).toEqual({ kind: 'foreign' });
    expect(parseCommand('see /new', [{ type: 'bot_command', offset: 4, length: 4, userId: null }], 'ticket_bot')).toEqual({ kind: 'none' });
    // Without any entity (hand-made updates), a leading command is still one; a word is not.
    expect(parseCommand('/help', [], 'ticket_bot')).toMatchObject({ name: 'help' });
    expect(parseCommand('/ help', [], 'ticket_bot')).toEqual({ kind: 'none' });
  });

  it('finds the mention after an emoji at its UTF-16 offset, in any case, and a text_mention of the bot', () => {
    const m = readUpdate(telegramFixture('message-mention-emoji'))!.message!;
    const found = botMentions(m.text, m.entities, bot);
    expect(found).toEqual([{ type: 'mention', offset: 3, length: 11, userId: null }]);
    expect(withoutEntities(m.text, found)).toBe('🔥 счёт в PDF пустой');
    expect(botMentions('@ticket_botty hi', [{ type: 'mention', offset: 0, length: 13, userId: null }], bot)).toEqual([]);
    expect(botMentions('TicketBot help', [{ type: 'text_mention', offset: 0, length: 9, userId: 999 }], bot)).toHaveLength(1);
  });
});

describe('updates as chat events', () => {
  it('a private chat: /start <code> registers, the commands, plain text and a reply to the bot', async () => {
    expect(await events(telegramFixture('message-private-start'))).toMatchObject([{ type: 'registration', code: 'c0de-42', place: { chatId: '111111111', direct: true, threadRef: null } }]);
    for (const [text, type] of [['/start', 'help_wanted'], ['/help', 'help_wanted'], ['/whatever', 'help_wanted'], ['/new', 'draft_changed'], ['/tickets', 'my_tickets'], ['/login', 'sign_in_wanted']] as const) {
      expect((await events(message(text, { entities: [{ type: 'bot_command', offset: 0, length: text.length }] })))[0]!.type, text).toBe(type);
    }
    const [e] = await events(message('still broken', { reply: { ...botMessage, chat: { id: 111, type: 'private' } } }));
    expect(without(e!)).toMatchObject({ type: 'message', messageId: '111:70', text: 'still broken', repliesTo: ['111:58'], mentionsBot: false });
  });

  it("the person is who Telegram says, with no email; their language only when it is one the bot speaks", async () => {
    const [e] = await events(message('hello'));
    const profile = await (e as Extract<ChatEvent, { type: 'message' }>).author.profile();
    expect(profile).toEqual({ platform: 'telegram', workspaceId: '999', platformUserId: '111', displayName: 'Alice', verifiedEmail: null, locale: 'ja' });
    const [other] = await events(message('hello', { from: { ...alice, language_code: 'de' } }));
    expect((await (other as Extract<ChatEvent, { type: 'message' }>).author.profile()).locale).toBeNull();
  });

  it('a group: a mention asks for a request about its own text, a reply with a mention about the replied-to message', async () => {
    const [own] = await events(telegramFixture('message-mention-emoji'));
    expect(own).toMatchObject({ type: 'request_wanted', submitNow: true, place: { chatId: String(group.id), threadRef: '60', direct: false }, source: { messageId: `${group.id}:60`, text: '🔥 счёт в PDF пустой', url: 'https://t.me/c/1234567890/60' } });
    const [reply] = await events(telegramFixture('message-reply-with-mention'));
    expect(reply).toMatchObject({ type: 'request_wanted', place: { threadRef: '61' }, source: { messageId: `${group.id}:61`, text: 'The staging database refuses connections since 9:00' } });
    expect(await events(message('just chatting', { chat: group }))).toEqual([]);
  });

  it("a group: a reply to the bot's message is a message about it, living under the reply itself", async () => {
    const [e] = await events(message('@ticket_bot same here', { chat: group, reply: botMessage, entities: [{ type: 'mention', offset: 0, length: 11 }] }));
    expect(e).toMatchObject({ type: 'message', text: 'same here', mentionsBot: true, repliesTo: [`${group.id}:58`], place: { threadRef: '70', direct: false } });
  });

  it('a group: /config carries what Telegram says of admin-ness (anonymous admins count); private commands only point there', async () => {
    const config = message('/config@ticket_bot', { chat: group, entities: [{ type: 'bot_command', offset: 0, length: 18 }] });
    expect(await events(config)).toMatchObject([{ type: 'chat_config_wanted', byAdmin: false }]);
    admins.add(111);
    expect(await events(config)).toMatchObject([{ type: 'chat_config_wanted', byAdmin: true }]);
    admins.clear();
    const anonymous = { ...config, message: { ...config.message, from: { id: 1087968824, is_bot: true, first_name: 'Group' }, sender_chat: group } };
    expect(await events(anonymous)).toMatchObject([{ type: 'chat_config_wanted', byAdmin: true }]);
    const r = await parse(readUpdate(message('/new@ticket_bot', { chat: group, entities: [{ type: 'bot_command', offset: 0, length: 15 }] }))!);
    expect(r).toMatchObject({ events: [], local: [{ to: 'place', message: { kind: 'notice', key: 'telegram:group.use_private' } }] });
  });

  it('buttons: a draft step, a rating, a group service; a stale button is answered by the adapter itself', async () => {
    const draftId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const serviceId = '9b2f6c1e-1111-4000-8000-000000000001';
    const dm = { id: 111, type: 'private' };
    expect(await events(press(encodeButton({ kind: 'draft', draftId, set: { serviceId } }), dm))).toMatchObject([{ type: 'draft_changed', draftId, set: { serviceId }, submit: false, cancel: false, stepMessageId: '111:58' }]);
    expect(await events(press('r:5:4'))).toMatchObject([{ type: 'ticket_action', ticketNumber: 5, action: { kind: 'rate', score: 4, comment: null }, pressedMessageId: `${group.id}:58` }]);
    expect(await events(press(encodeButton({ kind: 'group_service', serviceId })))).toMatchObject([{ type: 'chat_service_chosen', serviceId, byAdmin: false }]);
    const stale = await parse(readUpdate(telegramFixture('callback-query'))!);
    expect(stale).toMatchObject({ events: [], local: [{ brief: true, message: { key: 'telegram:error.button_unknown' } }] });
  });

  it('return to work: the yes/no is the adapter\'s own question; yes asks the core for the reason', async () => {
    expect(await parse(readUpdate(press('o:5'))!)).toMatchObject({ events: [], local: [{ to: 'actor', message: { kind: 'reopen_confirm', number: 5 } }] });
    expect(await parse(readUpdate(press('oy:5'))!)).toMatchObject({ events: [{ type: 'ticket_action', action: { kind: 'ask_reopen_reason' } }], local: [{ replaces: `${group.id}:58` }] });
    expect(await parse(readUpdate(press('on:5'))!)).toMatchObject({ events: [], local: [{ message: { key: 'telegram:reopen.kept' }, replaces: `${group.id}:58` }] });
  });

  it('greets a group when added and when promoted, not when demoted or removed', async () => {
    expect((await parse(readUpdate(telegramFixture('my-chat-member-promoted'))!)).local).toMatchObject([{ to: 'place', message: { key: 'telegram:group.promoted' } }]);
    const change = (was: string, now: string) => ({ update_id: 3, my_chat_member: { chat: group, from: alice, date: 1, old_chat_member: { status: was, user: alice }, new_chat_member: { status: now, user: alice } } });
    expect((await parse(readUpdate(change('left', 'member'))!)).local).toMatchObject([{ message: { key: 'telegram:group.added' } }]);
    expect((await parse(readUpdate(change('administrator', 'member'))!)).local).toEqual([]);
    expect((await parse(readUpdate(change('member', 'kicked'))!)).local).toEqual([]);
  });
});
