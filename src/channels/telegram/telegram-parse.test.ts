import { describe, expect, it } from 'vitest';
import { telegramFixture } from '../../../test/helpers/telegram/fixtures.ts';
import { botMentions, parseCommand, withoutEntities } from './telegram-parse.ts';
import { UpdateSchema } from './telegram-schema.ts';

const bot = { username: 'ticket_bot', id: 999 };

function message(name: string) {
  const m = UpdateSchema.parse(telegramFixture(name)).message!;
  return { text: m.text!, entities: m.entities ?? [] };
}

describe('parseCommand', () => {
  it('reads /cmd@thisbot with its payload', () => {
    const { text, entities } = message('message-topic-command-reply');
    expect(parseCommand(text, entities, 'ticket_bot')).toEqual({ kind: 'command', name: 'ticket', payload: 'printer on fire' });
    expect(parseCommand(text, entities, 'TICKET_BOT')).toMatchObject({ kind: 'command' });
  });

  it('reads /start <code> from a deep link', () => {
    const { text, entities } = message('message-private-start');
    expect(parseCommand(text, entities, 'ticket_bot')).toEqual({ kind: 'command', name: 'start', payload: 'c0de-42' });
  });

  it('a command for another bot is foreign; text without a leading bot_command is none', () => {
    expect(parseCommand('/config@other_bot', [{ type: 'bot_command', offset: 0, length: 17 }], 'ticket_bot')).toEqual({ kind: 'foreign' });
    expect(parseCommand('/new', [], 'ticket_bot')).toEqual({ kind: 'none' });
    expect(parseCommand('see /new', [{ type: 'bot_command', offset: 4, length: 4 }], 'ticket_bot')).toEqual({ kind: 'none' });
  });
});

describe('botMentions', () => {
  it('finds the mention after an emoji at its UTF-16 offset', () => {
    const { text, entities } = message('message-mention-emoji');
    const found = botMentions(text, entities, bot);
    expect(found).toEqual([{ offset: 3, length: 11, type: 'mention' }]);
    expect(withoutEntities(text, found)).toBe('🔥 счёт в PDF пустой');
  });

  it('is case-insensitive and ignores other people', () => {
    const { text, entities } = message('message-reply-with-mention');
    expect(botMentions(text, entities, bot)).toHaveLength(1);
    expect(withoutEntities(text, botMentions(text, entities, bot))).toBe('');
    expect(botMentions('@ticket_botty hi', [{ type: 'mention', offset: 0, length: 13 }], bot)).toEqual([]);
  });

  it('counts a text_mention of the bot user', () => {
    expect(botMentions('TicketBot help', [{ type: 'text_mention', offset: 0, length: 9, user: { id: 999 } }], bot)).toHaveLength(1);
  });
});
