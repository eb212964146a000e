import { describe, expect, it } from 'vitest';
import { failureOf, toChannelSendError } from './lark-errors.ts';
import { LarkHttpError, LarkNetworkError } from './lark-http.ts';

describe('toChannelSendError', () => {
  it.each([
    ['429 with reset', { status: 429, code: 99991400, msg: '', headers: { 'x-ogw-ratelimit-reset': '12' } }, 'rate_limited', 12_000],
    ['99991400 on HTTP 400 without header', { status: 400, code: 99991400, msg: '' }, 'rate_limited', 1000],
    ['per-chat limit', { status: 400, code: 230020, msg: '' }, 'rate_limited', 1000],
    ['server error', { status: 502, code: null, msg: '' }, 'transient', undefined],
    ['no answer', { status: null, code: null, msg: 'ECONNRESET' }, 'transient', undefined],
    ['rejected tenant token', { status: 400, code: 99991663, msg: '' }, 'transient', undefined],
    ['bot not in chat', { status: 400, code: 230002, msg: '' }, 'permanent', undefined],
    ['business error on HTTP 200', { status: 200, code: 230001, msg: '' }, 'permanent', undefined],
  ] as const)('%s', (_name, failure, kind, retryAfterMs) => {
    const e = toChannelSendError(failure);
    expect(e.kind).toBe(kind);
    expect(e.retryAfterMs).toBe(retryAfterMs);
  });
});

describe('failureOf', () => {
  it('reads status, code and headers from what the transport threw', () => {
    const http = new LarkHttpError(400, { code: 230002, msg: 'Bot/User can NOT be out of the chat.' }, { a: 'b' });
    expect(failureOf(http)).toEqual({ status: 400, code: 230002, msg: 'Bot/User can NOT be out of the chat.', headers: { a: 'b' } });
    expect(failureOf(new LarkNetworkError('TimeoutError: timed out'))).toEqual({ status: null, code: null, msg: 'TimeoutError: timed out' });
    expect(failureOf('weird')).toMatchObject({ status: null, code: null });
  });
});
