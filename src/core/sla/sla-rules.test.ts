import { describe, expect, it } from 'vitest';
import { alertsAt, clockAfterMessage, clockAfterStatus, dueTimes, slaView, type SlaClock, type SlaPolicy } from './sla-rules.ts';

const T0 = new Date('2026-12-01T10:00:00Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);
const policy: SlaPolicy = { priority: 'high', firstReplyMinutes: 60, nextReplyMinutes: 120, resolutionMinutes: 480, businessHours: null };
const none: SlaClock = { firstReplyAt: null, waitingSince: null };

describe('the SLA clock', () => {
  it('a customer message starts the wait; more messages do not move it', () => {
    const c1 = clockAfterMessage(none, { byStaff: false, public: true, at: min(0) });
    const c2 = clockAfterMessage(c1, { byStaff: false, public: true, at: min(5) });
    expect(c2).toEqual({ firstReplyAt: null, waitingSince: min(0) });
  });
  it('an agent public reply ends the wait and is remembered as the first reply', () => {
    const c = clockAfterMessage({ firstReplyAt: null, waitingSince: min(0) }, { byStaff: true, public: true, at: min(30) });
    expect(c).toEqual({ firstReplyAt: min(30), waitingSince: null });
    const again = clockAfterMessage({ ...c, waitingSince: min(40) }, { byStaff: true, public: true, at: min(50) });
    expect(again.firstReplyAt).toEqual(min(30));
  });
  it('internal notes change nothing', () => {
    const c = { firstReplyAt: null, waitingSince: min(0) };
    expect(clockAfterMessage(c, { byStaff: true, public: false, at: min(1) })).toBe(c);
  });
  it('pending, solved and closed end the wait; on hold does not', () => {
    const c = { firstReplyAt: min(1), waitingSince: min(2) };
    for (const s of ['pending', 'solved', 'closed'] as const) expect(clockAfterStatus(c, s).waitingSince, s).toBeNull();
    expect(clockAfterStatus(c, 'on_hold')).toBe(c);
  });
});

describe('due times', () => {
  it('a waiting customer before any reply has a first-reply and a resolution target', () => {
    const d = dueTimes({ createdAt: T0, status: 'new', clock: { firstReplyAt: null, waitingSince: T0 }, firstReplyDueAt: null }, policy, 15);
    expect(d).toEqual({ firstReplyDueAt: min(60), nextReplyDueAt: null, resolutionDueAt: min(480), dueAt: min(60), checkAt: min(45) });
  });
  it('after the first reply the customer waiting again gets a next-reply target; the met first reply keeps its due', () => {
    const d = dueTimes({ createdAt: T0, status: 'open', clock: { firstReplyAt: min(20), waitingSince: min(100) }, firstReplyDueAt: min(60) }, policy, 15);
    expect(d.firstReplyDueAt).toEqual(min(60));
    expect(d.nextReplyDueAt).toEqual(min(220));
    expect(d.dueAt).toEqual(min(220));
  });
  it('nothing runs on a solved ticket, and nothing at all without a policy', () => {
    const solved = dueTimes({ createdAt: T0, status: 'solved', clock: { firstReplyAt: min(20), waitingSince: null }, firstReplyDueAt: min(60) }, policy, 15);
    expect(solved.dueAt).toBeNull();
    expect(solved.checkAt).toBeNull();
    expect(solved.resolutionDueAt).toEqual(min(480));
    const noPolicy = dueTimes({ createdAt: T0, status: 'open', clock: { firstReplyAt: null, waitingSince: T0 }, firstReplyDueAt: null }, null, 15);
    expect(noPolicy).toEqual({ firstReplyDueAt: null, nextReplyDueAt: null, resolutionDueAt: null, dueAt: null, checkAt: null });
  });
  it('counts in business hours when the policy has them', () => {
    const bh = { ...policy, businessHours: { timeZone: 'UTC', hours: [{ day: 2, start: '09:00', end: '10:30' }] } };
    // Tuesday 10:00 UTC: 30 minutes left that Tuesday, the other 30 the next Tuesday from 09:00
    const d = dueTimes({ createdAt: T0, status: 'new', clock: { firstReplyAt: null, waitingSince: T0 }, firstReplyDueAt: null }, bh, 15);
    expect(d.firstReplyDueAt?.toISOString()).toBe('2026-12-08T09:30:00.000Z');
  });
});

describe('alerts and the breach state', () => {
  const running = { status: 'open' as const, firstReplyAt: null, waitingSince: T0, firstReplyDueAt: min(60), nextReplyDueAt: null, resolutionDueAt: min(480), dueAt: min(60), checkAt: min(45) };
  it('warns within the warning time, then breaches; says when to look next', () => {
    expect(alertsAt(running, min(10), 15)).toEqual({ alerts: [], nextCheckAt: min(45) });
    expect(alertsAt(running, min(50), 15)).toEqual({ alerts: [{ target: 'first_reply', kind: 'warning', dueAt: min(60) }], nextCheckAt: min(60) });
    expect(alertsAt(running, min(61), 15)).toEqual({ alerts: [{ target: 'first_reply', kind: 'breach', dueAt: min(60) }], nextCheckAt: min(465) });
  });
  it('shows running targets past due as breaching, and a late first reply as breached', () => {
    const now = slaView({ ...running, solvedAt: null, closedAt: null }, min(61));
    expect(now.breaching).toBe(true);
    expect(now.firstReply).toEqual({ dueAt: min(60), achievedAt: null, breached: true });
    const late = slaView({ ...running, firstReplyAt: min(70), waitingSince: null, dueAt: min(480), solvedAt: null, closedAt: null }, min(71));
    expect(late.breaching).toBe(false);
    expect(late.firstReply).toEqual({ dueAt: min(60), achievedAt: min(70), breached: true });
    expect(late.resolution).toEqual({ dueAt: min(480), achievedAt: null, breached: false });
  });
  it('a ticket solved in time shows its resolution met', () => {
    const v = slaView({ ...running, status: 'solved', firstReplyAt: min(5), waitingSince: null, dueAt: null, solvedAt: min(100), closedAt: null }, min(1000));
    expect(v.resolution).toEqual({ dueAt: min(480), achievedAt: min(100), breached: false });
    expect(v.breaching).toBe(false);
  });
});
