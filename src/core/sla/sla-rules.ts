/**
 * Service-level targets, as pure functions of a ticket's SLA clock.
 *
 * The clock: `firstReplyAt`, the first public reply by an agent (an agent opening a public ticket counts), and
 * `waitingSince`, since when the customer has been waiting for us: set by a customer's public message when
 * nobody was waiting, cleared by an agent's public reply, and cleared when the ticket is set pending, solved or
 * closed (the agent says it is the customer's turn, or the work is done).
 *
 * The targets, each in minutes of the ticket's priority's policy (around the clock, or in business hours):
 *   - first reply: from the moment the customer started waiting until the first public reply;
 *   - next reply: after the first reply, from the moment the customer started waiting again until the next one;
 *   - resolution: from the ticket's creation until it is solved (reopening resumes it).
 * A target is running while it can still be met or missed; a running target past its due time is breached.
 */
import type { TicketPriority, TicketStatus } from '../tickets/ticket-types.ts';
import { addBusinessMinutes, type BusinessHours } from './business-hours.ts';

export const SLA_TARGETS = ['first_reply', 'next_reply', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

export interface SlaPolicy {
  priority: TicketPriority;
  firstReplyMinutes: number | null;
  nextReplyMinutes: number | null;
  resolutionMinutes: number | null;
  businessHours: BusinessHours | null;
}

export interface SlaClock {
  firstReplyAt: Date | null;
  waitingSince: Date | null;
}

export interface SlaDue {
  firstReplyDueAt: Date | null;
  nextReplyDueAt: Date | null;
  resolutionDueAt: Date | null;
  /** The earliest due time of the running targets. */
  dueAt: Date | null;
  /** When the SLA job must next look: the earliest warning time of the running targets. */
  checkAt: Date | null;
}

export type SlaState = SlaClock & SlaDue;

const DONE: readonly TicketStatus[] = ['solved', 'closed'];
const NOT_OUR_TURN: readonly TicketStatus[] = ['pending', 'solved', 'closed'];

export function clockAfterMessage(c: SlaClock, m: { byStaff: boolean; public: boolean; at: Date }): SlaClock {
  if (!m.public) return c;
  if (m.byStaff) return { firstReplyAt: c.firstReplyAt ?? m.at, waitingSince: null };
  return { firstReplyAt: c.firstReplyAt, waitingSince: c.waitingSince ?? m.at };
}

export function clockAfterStatus(c: SlaClock, status: TicketStatus): SlaClock {
  return NOT_OUR_TURN.includes(status) ? { ...c, waitingSince: null } : c;
}

/**
 * The clock fields a ticket's creation starts, at its creation time: its first message (the description) arrives
 * then, and it takes its first status. The same rules as any later message and status, so the row can be written
 * with them instead of updated after.
 */
export function clockAtCreation(first: { byStaff: boolean; public: boolean }, status: TicketStatus): { firstReplyAt: boolean; waitingSince: boolean } {
  const created = new Date(0);
  const c = clockAfterStatus(clockAfterMessage({ firstReplyAt: null, waitingSince: null }, { ...first, at: created }), status);
  return { firstReplyAt: c.firstReplyAt !== null, waitingSince: c.waitingSince !== null };
}

const add = (from: Date, minutes: number | null, p: SlaPolicy): Date | null =>
  minutes === null ? null : p.businessHours ? addBusinessMinutes(from, minutes, p.businessHours) : new Date(from.getTime() + minutes * 60_000);

/** Which targets are still running, with their due times. */
export function runningTargets(s: { status: TicketStatus } & SlaState): { target: SlaTarget; dueAt: Date }[] {
  const out: { target: SlaTarget; dueAt: Date }[] = [];
  if (s.firstReplyDueAt && !s.firstReplyAt && s.waitingSince) out.push({ target: 'first_reply', dueAt: s.firstReplyDueAt });
  if (s.nextReplyDueAt && s.firstReplyAt && s.waitingSince) out.push({ target: 'next_reply', dueAt: s.nextReplyDueAt });
  if (s.resolutionDueAt && !DONE.includes(s.status)) out.push({ target: 'resolution', dueAt: s.resolutionDueAt });
  return out;
}

const earliest = (dates: Date[]): Date | null => (dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : null);

/**
 * The due times after a change. A met first-reply target keeps its due time (so that the ticket still shows
 * whether it was met); the others are recomputed from the current policy.
 */
export function dueTimes(
  t: { createdAt: Date; status: TicketStatus; clock: SlaClock; firstReplyDueAt: Date | null },
  policy: SlaPolicy | null,
  warnMinutes: number,
): SlaDue {
  const { clock } = t;
  const firstReplyDueAt = clock.firstReplyAt ? t.firstReplyDueAt : policy && clock.waitingSince ? add(clock.waitingSince, policy.firstReplyMinutes, policy) : null;
  const nextReplyDueAt = policy && clock.firstReplyAt && clock.waitingSince ? add(clock.waitingSince, policy.nextReplyMinutes, policy) : null;
  const resolutionDueAt = policy ? add(t.createdAt, policy.resolutionMinutes, policy) : null;
  const running = runningTargets({ status: t.status, ...clock, firstReplyDueAt, nextReplyDueAt, resolutionDueAt, dueAt: null, checkAt: null });
  return {
    firstReplyDueAt,
    nextReplyDueAt,
    resolutionDueAt,
    dueAt: earliest(running.map((r) => r.dueAt)),
    checkAt: earliest(running.map((r) => new Date(r.dueAt.getTime() - warnMinutes * 60_000))),
  };
}

export interface SlaAlert {
  target: SlaTarget;
  kind: 'warning' | 'breach';
  dueAt: Date;
}

/**
 * What the SLA job records at `now`: a breach for each running target past due, a warning for each due within
 * `warnMinutes`; and when it must look next (null: nothing left to announce).
 */
export function alertsAt(s: { status: TicketStatus } & SlaState, now: Date, warnMinutes: number): { alerts: SlaAlert[]; nextCheckAt: Date | null } {
  const warnMs = warnMinutes * 60_000;
  const alerts: SlaAlert[] = [];
  const next: Date[] = [];
  for (const r of runningTargets(s)) {
    const due = r.dueAt.getTime();
    if (now.getTime() >= due) alerts.push({ ...r, kind: 'breach' });
    else {
      if (now.getTime() >= due - warnMs) alerts.push({ ...r, kind: 'warning' });
      else next.push(new Date(due - warnMs));
      next.push(r.dueAt);
    }
  }
  return { alerts, nextCheckAt: earliest(next) };
}

export interface SlaTargetView {
  dueAt: Date;
  /** When it was met (first reply, resolution); null while running or for a next reply. */
  achievedAt: Date | null;
  breached: boolean;
}

/** The SLA as the ticket shows it: each target with its due time and whether it is (or was) missed, and whether
 * one still running is past due. */
export function slaView(
  t: { status: TicketStatus; solvedAt: Date | null; closedAt: Date | null } & SlaState,
  now: Date,
): { dueAt: Date | null; breaching: boolean; firstReply: SlaTargetView | null; nextReply: SlaTargetView | null; resolution: SlaTargetView | null } {
  const running = new Set(runningTargets(t).map((r) => r.target));
  const view = (target: SlaTarget, dueAt: Date | null, achievedAt: Date | null): SlaTargetView | null => {
    if (!dueAt) return null;
    if (running.has(target)) return { dueAt, achievedAt: null, breached: now.getTime() > dueAt.getTime() };
    return { dueAt, achievedAt, breached: achievedAt !== null && achievedAt.getTime() > dueAt.getTime() };
  };
  const firstReply = view('first_reply', t.firstReplyDueAt, t.firstReplyAt);
  const nextReply = running.has('next_reply') ? view('next_reply', t.nextReplyDueAt, null) : null;
  const resolution = view('resolution', t.resolutionDueAt, DONE.includes(t.status) ? (t.solvedAt ?? t.closedAt) : null);
  // Breaching: a target still running is past due (what the "breaching SLA" view lists).
  const breaching = [...running].length > 0 && [firstReply, nextReply, resolution].some((v) => v !== null && v.achievedAt === null && v.breached);
  return { dueAt: t.dueAt, breaching, firstReply, nextReply, resolution };
}
