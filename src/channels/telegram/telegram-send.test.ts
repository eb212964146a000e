import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { ChannelSendError } from '../../core/ports/channel-port.ts';
import { isMessageGone, isNotModified, toChannelSendError } from './telegram-send.ts';

const tgError = (error_code: number, description: string, parameters?: { retry_after?: number }) =>
  new TelegramError({ error_code, description, ...(parameters ? { parameters } : {}) });

describe('toChannelSendError', () => {
  it('429 is rate_limited with retry_after in milliseconds', () => {
    const e = toChannelSendError(tgError(429, 'Too Many Requests: retry after 35', { retry_after: 35 }));
    expect(e).toBeInstanceOf(ChannelSendError);
    expect(e.kind).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(35_000);
  });

  it('5xx is transient; 403 and 400 are permanent', () => {
    expect(toChannelSendError(tgError(500, 'Internal Server Error')).kind).toBe('transient');
    expect(toChannelSendError(tgError(502, 'Bad Gateway')).kind).toBe('transient');
    expect(toChannelSendError(tgError(403, 'Forbidden: bot was blocked by the user')).kind).toBe('permanent');
    expect(toChannelSendError(tgError(403, 'Forbidden: bot was kicked from the supergroup chat')).kind).toBe('permanent');
    expect(toChannelSendError(tgError(400, 'Bad Request: chat not found')).kind).toBe('permanent');
  });

  it('a network failure is transient and its message carries no URL (the URL holds the token)', () => {
    const err = Object.assign(new Error('request to http://h/bot123:SECRET/sendMessage failed'), { name: 'FetchError', code: 'ECONNREFUSED' });
    const e = toChannelSendError(err);
    expect(e.kind).toBe('transient');
    expect(e.message).toBe('telegram request failed: FetchError ECONNREFUSED');
  });

  it('recognises the harmless edit/delete answers', () => {
    expect(isNotModified(tgError(400, 'Bad Request: message is not modified: specified new message content...'))).toBe(true);
    expect(isMessageGone(tgError(400, 'Bad Request: message to delete not found'))).toBe(true);
    expect(isMessageGone(tgError(400, 'Bad Request: chat not found'))).toBe(false);
  });
});
