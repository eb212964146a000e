/**
 * Keeps a ticket's SLA clock and due times right within one change: the use case tells it what happened
 * (a message, a status, a priority) while it writes, and `finish` writes the new clock and due times once, in the
 * same transaction, if anything moved.
 */
import type { StoreTx, TicketView } from '../ports/store-port.ts';
import type { TicketPriority, TicketStatus } from '../tickets/ticket-types.ts';
import { clockAfterMessage, clockAfterStatus, dueTimes, type SlaClock } from './sla-rules.ts';

export interface SlaTracker {
  /** A message arrived (at its own creation time, which the database gave it). */
  message(m: { byStaff: boolean; public: boolean; at: Date }): void;
  status(s: TicketStatus): void;
  priority(p: TicketPriority): void;
  finish(): Promise<void>;
}

const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

export function trackSla(tx: Pick<StoreTx, 'getSlaPolicy' | 'updateTicket'>, t: TicketView, warnMinutes: number): SlaTracker {
  let clock: SlaClock = { firstReplyAt: t.sla.firstReplyAt, waitingSince: t.sla.waitingSince };
  let status = t.status;
  let priority = t.priority;
  let moved = false;
  return {
    message(m) {
      clock = clockAfterMessage(clock, m);
      moved ||= m.public;
    },
    status(s) {
      status = s;
      clock = clockAfterStatus(clock, s);
      moved = true;
    },
    priority(p) {
      priority = p;
      moved = true;
    },
    async finish() {
      if (!moved) return;
      const due = dueTimes({ createdAt: t.createdAt, status, clock, firstReplyDueAt: t.sla.firstReplyDueAt }, await tx.getSlaPolicy(priority), warnMinutes);
      const next = { ...clock, firstReplyDueAt: due.firstReplyDueAt, nextReplyDueAt: due.nextReplyDueAt, resolutionDueAt: due.resolutionDueAt, slaDueAt: due.dueAt, slaCheckAt: due.checkAt };
      const before = { ...t.sla, slaDueAt: t.sla.dueAt, slaCheckAt: t.sla.checkAt };
      const patch = Object.fromEntries(Object.entries(next).filter(([k, v]) => !same(v, before[k as keyof typeof before] as Date | null)));
      if (Object.keys(patch).length > 0) await tx.updateTicket(t.id, patch);
    },
  };
}
