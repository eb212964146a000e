import { describe, expect, it } from 'vitest';
import { ChannelSendError } from '../ports/channel-port.ts';
import { backoffMs, createPacer, MAX_TRANSIENT_ATTEMPTS, onInboundFailure, onSendFailure } from './delivery-policy.ts';

describe('failure policy', () => {
  it('waits what the platform asked on a rate limit', () => {
    const d = onSendFailure(new ChannelSendError('rate_limited', '429', 30_000), 1, () => 0);
    expect(d).toEqual({ action: 'retry', delayMs: 30_000, reason: '429' });
  });
  it('backs off exponentially on transient errors, then gives up', () => {
    const d3 = onSendFailure(new ChannelSendError('transient', '500'), 3, () => 0.999);
    // ceiling for attempt 3 is 500 * 2^2 = 2000 ms; full jitter stays below it
    expect(d3.action).toBe('retry');
    expect((d3 as { delayMs: number }).delayMs).toBeLessThan(2000);
    expect((d3 as { delayMs: number }).delayMs).toBeGreaterThan(1900);
    expect(onSendFailure(new ChannelSendError('transient', '500'), MAX_TRANSIENT_ATTEMPTS).action).toBe('give_up');
  });
  it('treats unknown errors (network) as transient', () => {
    expect(onSendFailure(new Error('ECONNRESET'), 1).action).toBe('retry');
  });
  it('breaks the thread link on a permanent error', () => {
    expect(onSendFailure(new ChannelSendError('permanent', 'channel_not_found'), 1)).toEqual({ action: 'break_link', reason: 'channel_not_found' });
  });
  it('caps the backoff at five minutes', () => {
    expect(backoffMs(50, () => 0.999999)).toBeLessThanOrEqual(300_000);
  });
});

describe('pacer', () => {
  const limits = { maxMessageLength: 4096, perChatIntervalMs: 1000, perGroupPerMinute: 20, globalPerSecond: 30, ephemeral: false, buttons: true, forms: false };
  it('spaces messages into one chat by the per-chat interval', () => {
    let now = 0;
    const p = createPacer(limits, () => now);
    expect(p.reserve('c1', false)).toBe(0);
    expect(p.reserve('c1', false)).toBe(1000);
    expect(p.reserve('c1', false)).toBe(2000);
  });
  it('does not slow other chats beyond the global rate', () => {
    const p = createPacer(limits, () => 0);
    p.reserve('c1', false);
    // the global gap at 30/s is 33.3 ms
    expect(p.reserve('c2', false)).toBeCloseTo(1000 / 30, 5);
  });
  it('books nothing for a caller that will not wait, so give-ups do not push the slot forward', () => {
    let now = 0;
    const p = createPacer(limits, () => now);
    expect(p.reserve('c1', false)).toBe(0);
    expect(p.reserve('c1', false, 500)).toBe(1000); // not booked
    expect(p.reserve('c1', false, 500)).toBe(1000); // still the same slot
    now = 1000;
    expect(p.reserve('c1', false, 500)).toBe(0);
  });

  it('holds a group to 20 messages a minute', () => {
    const p = createPacer({ ...limits, perChatIntervalMs: 0, globalPerSecond: 0 }, () => 0);
    for (let i = 0; i < 20; i++) expect(p.reserve('g', true)).toBe(0);
    expect(p.reserve('g', true)).toBe(60_000);
  });
});

describe('inbound failure policy', () => {
  it('waits out a platform throttle without counting it as a failure', () => {
    expect(onInboundFailure(new ChannelSendError('rate_limited', 'slow down', 7000), 4, () => 0)).toEqual({ action: 'retry', delayMs: 7000, countsAsFailure: false });
  });
  it('retries other failures with backoff and parks the event at the fifth', () => {
    expect(onInboundFailure(new Error('db'), 0, () => 0.5)).toMatchObject({ action: 'retry', countsAsFailure: true });
    expect(onInboundFailure(new Error('db'), 3).action).toBe('retry');
    expect(onInboundFailure(new Error('db'), 4)).toEqual({ action: 'park' });
  });
});
