import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { messageRef, readRef, toChannelSendError } from './telegram-api.ts';

describe('message refs', () => {
  it('name the chat and every part; a bare number from before is in the chat given', () => {
    expect(messageRef(-100123, [5, 6])).toBe('-100123:5,6');
    expect(readRef('-100123:5,6')).toEqual({ chatId: '-100123', ids: [5, 6] });
    expect(readRef('57', '111')).toEqual({ chatId: '111', ids: [57] });
    expect(readRef('57')).toBeNull();
    expect(readRef('1700000000.000100', '111')).toBeNull();
  });
});

describe('toChannelSendError', () => {
  it('keeps the description, never the URL (it carries the token)', () => {
    expect(toChannelSendError(new TelegramError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' })).message).toBe('telegram 403: Forbidden: bot was blocked by the user');
    const err = Object.assign(new Error('request to http://h/bot123:SECRET/sendMessage failed'), { name: 'FetchError', code: 'ECONNREFUSED' });
    expect(toChannelSendError(err).message).toBe('telegram request failed: FetchError ECONNREFUSED');
  });
});
