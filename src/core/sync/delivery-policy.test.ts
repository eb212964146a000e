import { describe, expect, it } from 'vitest';
import { ChannelSendError } from '../ports/channel-port.ts';
import { backoffMs, createPacer, INBOUND_RETRY, MAX_TRANSIENT_ATTEMPTS, onInboundFailure, onSendFailure } from './delivery-policy.ts';

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
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
  const DAY = 24 * 60 * 60_000;

  it('waits out a platform throttle without counting it as a failure, however long the event has been failing', () => {
    const state = { failuresSoFar: 40, failingSince: at(0), now: at(3 * DAY) };
    expect(onInboundFailure(new ChannelSendError('rate_limited', 'slow down', 7000), state, INBOUND_RETRY, () => 0)).toEqual({ action: 'retry', delayMs: 7000, countsAsFailure: false });
  });

  it('keeps retrying through an outage of seconds: five quick failures are no reason to park', () => {
    expect(onInboundFailure(new Error('503'), { failuresSoFar: 4, failingSince: at(0), now: at(4000) })).toMatchObject({ action: 'retry', countsAsFailure: true });
  });

  it('grows the backoff from about a second to an hour, never past it', () => {
    const delay = (failures: number) => (onInboundFailure(new Error('x'), { failuresSoFar: failures - 1, failingSince: at(0), now: at(0) }, INBOUND_RETRY, () => 0.999999) as { delayMs: number }).delayMs;
    expect(delay(1)).toBe(999); // ceiling 1 s
    expect(delay(2)).toBe(1999); // ceiling 2 s
    expect(delay(12)).toBe(2_047_997); // ceiling 2^11 s
    expect(delay(13)).toBe(3_599_996); // 2^12 s is past the one-hour cap
    expect(delay(80)).toBe(3_599_996);
  });

  it('parks only once the event has been failing for a day, and not before its fifth failure', () => {
    expect(onInboundFailure(new Error('x'), { failuresSoFar: 200, failingSince: at(0), now: at(DAY - 1) }).action).toBe('retry');
    expect(onInboundFailure(new Error('x'), { failuresSoFar: 3, failingSince: at(0), now: at(2 * DAY) }).action).toBe('retry');
    expect(onInboundFailure(new Error('x'), { failuresSoFar: 4, failingSince: at(0), now: at(DAY) })).toEqual({ action: 'park' });
  });

  it('with a mid-range jitter, an always-failing event is parked at its 60th failure, a little over a day in', () => {
    // random 0.5 makes each wait half its ceiling: 0.5 s, 1 s, ... 1024 s (2047.5 s for the first twelve), then 1800 s.
    // 47 of those bring the span past a day: 2047.5 + 47 * 1800 = 86,647.5 s, reached at failure 12 + 47 + 1.
    let elapsed = 0;
    let failures = 0;
    for (;;) {
      const d = onInboundFailure(new Error('x'), { failuresSoFar: failures, failingSince: at(0), now: at(elapsed) }, INBOUND_RETRY, () => 0.5);
      failures += 1;
      if (d.action === 'park') break;
      elapsed += d.delayMs;
    }
    expect(failures).toBe(60);
    expect(elapsed).toBe(86_647_500);
  });
});
