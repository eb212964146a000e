/**
 * What the sync engine does when a send fails, and how it paces sends. Pure, so it is unit-tested directly.
 */
import { ChannelSendError, type ChannelLimits } from '../ports/channel-port.ts';

export const MAX_TRANSIENT_ATTEMPTS = 12;
const BASE_MS = 500;
const CAP_MS = 5 * 60_000;

export type FailureAction =
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'give_up'; reason: string }
  | { action: 'break_link'; reason: string };

/**
 * Exponential backoff with full jitter (AWS style): a random delay in [0, min(cap, base * 2^(attempt-1))), never
 * below half the base so that a retry does not spin.
 */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  { baseMs = BASE_MS, capMs = CAP_MS }: { baseMs?: number; capMs?: number } = {},
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(baseMs / 2, Math.floor(random() * ceiling));
}

/** `attempts` counts the failed tries of this delivery, including this one. */
export function onSendFailure(err: unknown, attempts: number, random?: () => number): FailureAction {
  const e = err instanceof ChannelSendError ? err : new ChannelSendError('transient', String((err as Error)?.message ?? err));
  if (e.kind === 'permanent') return { action: 'break_link', reason: e.message };
  if (e.kind === 'rate_limited') {
    // The platform said how long; a small jitter keeps many threads from waking at once.
    const wait = (e.retryAfterMs ?? 1000) + Math.floor((random ?? Math.random)() * 250);
    return { action: 'retry', delayMs: wait, reason: e.message };
  }
  if (attempts >= MAX_TRANSIENT_ATTEMPTS) return { action: 'give_up', reason: e.message };
  return { action: 'retry', delayMs: backoffMs(attempts, random), reason: e.message };
}

/**
 * Per-chat and global pacing inside one process: how long to wait before the next send into `chatKey`. A platform's
 * 429 still wins; this keeps us from provoking it.
 */
export function createPacer(limits: ChannelLimits, clock: () => number = Date.now) {
  const nextPerChat = new Map<string, number>();
  const groupWindows = new Map<string, number[]>();
  let globalNext = 0;
  const globalGap = limits.globalPerSecond > 0 ? 1000 / limits.globalPerSecond : 0;
  return {
    /**
     * Returns the wait in ms before the next send into `chatKey`, and books that slot when the wait is at most
     * `maxWaitMs`. A caller that will not wait that long books nothing: it comes back later and asks again, so
     * callers that give up never push each other's slots forward.
     */
    reserve(chatKey: string, isGroup: boolean, maxWaitMs = Number.POSITIVE_INFINITY): number {
      const now = clock();
      let at = Math.max(now, nextPerChat.get(chatKey) ?? 0, globalNext);
      const window = isGroup && limits.perGroupPerMinute > 0 ? (groupWindows.get(chatKey) ?? []).filter((t) => t > now - 60_000) : null;
      if (window && window.length >= limits.perGroupPerMinute) at = Math.max(at, window[window.length - limits.perGroupPerMinute]! + 60_000);
      if (at - now > maxWaitMs) return at - now;
      if (window) {
        window.push(at);
        groupWindows.set(chatKey, window);
      }
      nextPerChat.set(chatKey, at + limits.perChatIntervalMs);
      globalNext = at + globalGap;
      if (nextPerChat.size > 10_000) for (const [k, v] of nextPerChat) if (v < now) nextPerChat.delete(k);
      return at - now;
    },
  };
}

/**
 * How long an inbound event keeps being retried. A platform or database outage of seconds to hours must not lose a
 * customer's message, so the backoff grows to an hour (full jitter: on average a retry every half hour once
 * there) and an event is parked as dead only after it has been failing for a day: longer than the outages we plan
 * for (a platform incident, a database failover or maintenance window), and short enough that a broken event
 * reaches the dead-letter list (and its alert) the next working day. The minimum count keeps an event that failed
 * once, then waited a day for a stopped service, from being parked at its second try.
 */
export interface InboundRetryPolicy {
  baseMs: number;
  capMs: number;
  parkAfterMs: number;
  minFailures: number;
}

export const INBOUND_RETRY: InboundRetryPolicy = {
  baseMs: 1000,
  capMs: 60 * 60_000,
  parkAfterMs: 24 * 60 * 60_000,
  minFailures: 5,
};

export interface InboundFailureState {
  /** Counted failures before this one. */
  failuresSoFar: number;
  /** When the first counted failure happened (null: this is the first). */
  failingSince: Date | null;
  now: Date;
}

export type InboundDecision = { action: 'retry'; delayMs: number; countsAsFailure: boolean } | { action: 'park' };

/**
 * What the inbox does when processing an inbound event fails. A platform's throttle is not a failure of the event:
 * it waits as long as the platform asked and does not count towards parking it.
 */
export function onInboundFailure(
  err: unknown,
  state: InboundFailureState,
  policy: InboundRetryPolicy = INBOUND_RETRY,
  random: () => number = Math.random,
): InboundDecision {
  if (err instanceof ChannelSendError && err.kind === 'rate_limited')
    return { action: 'retry', delayMs: (err.retryAfterMs ?? 1000) + Math.floor(random() * 250), countsAsFailure: false };
  const failures = state.failuresSoFar + 1;
  const failingForMs = state.now.getTime() - (state.failingSince ?? state.now).getTime();
  if (failures >= policy.minFailures && failingForMs >= policy.parkAfterMs) return { action: 'park' };
  return { action: 'retry', delayMs: backoffMs(failures, random, policy), countsAsFailure: true };
}
