/**
 * SLA policies (one per priority) and the job that finds targets about to be missed or missed: it records each
 * warning and breach once, tells the ticket's assignee in the same transaction, and counts breaches.
 */
import { DomainError } from '../errors.ts';
import type { SlaRepo } from '../ports/agent-work-port.ts';
import type { Store } from '../ports/store-port.ts';
import type { TicketPriority } from '../tickets/ticket-types.ts';
import { onSlaAlert } from '../notifications/notification-rules.ts';
import { validateBusinessHours } from './business-hours.ts';
import { alertsAt, type SlaPolicy, type SlaTarget } from './sla-rules.ts';

export interface SlaServiceDeps {
  store: Store;
  repo: SlaRepo;
  warningMinutes: number;
  clock?: () => Date;
  /** Called after each breach is committed (the breach counter). */
  onBreach?: (b: { target: SlaTarget; priority: TicketPriority }) => void;
}

/** A year: longer targets are typing mistakes. */
const MAX_MINUTES = 525_600;
const BATCH = 200;
const MAX_BATCHES = 25;

export function createSlaService(deps: SlaServiceDeps) {
  const { store, repo } = deps;
  const now = deps.clock ?? (() => new Date());

  function validate(p: SlaPolicy): SlaPolicy {
    for (const [field, v] of [['firstReplyMinutes', p.firstReplyMinutes], ['nextReplyMinutes', p.nextReplyMinutes], ['resolutionMinutes', p.resolutionMinutes]] as const) {
      if (v !== null && (!Number.isInteger(v) || v < 1 || v > MAX_MINUTES)) throw new DomainError('validation_failed', `a whole number of minutes from 1 to ${MAX_MINUTES}`, field);
    }
    if (p.firstReplyMinutes === null && p.nextReplyMinutes === null && p.resolutionMinutes === null)
      throw new DomainError('validation_failed', 'give at least one of firstReplyMinutes, nextReplyMinutes, resolutionMinutes');
    if (p.businessHours) validateBusinessHours(p.businessHours);
    return p;
  }

  return {
    listPolicies: () => repo.listPolicies(),

    /** New targets apply to each ticket of that priority from its next change on; due times already set stay. */
    setPolicy: (p: SlaPolicy) => repo.upsertPolicy(validate(p)),

    async deletePolicy(priority: TicketPriority): Promise<void> {
      if (!(await repo.deletePolicy(priority))) throw new DomainError('not_found', `no SLA policy for priority ${priority}`);
    },

    /** One run of the SLA job: every ticket whose check time has come. */
    async checkDue(): Promise<{ warnings: number; breaches: number }> {
      let warnings = 0;
      let breaches = 0;
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const at = now();
        const ids = await repo.ticketsToCheck(at, BATCH);
        for (const id of ids) {
          const found = await store.tx(async (tx) => {
            const t = await tx.lockTicketById(id);
            if (!t) return [];
            const { alerts, nextCheckAt } = alertsAt({ status: t.status, ...t.sla }, at, deps.warningMinutes);
            const recorded = [];
            for (const a of alerts) {
              if (!(await tx.recordSlaAlert(t.id, a))) continue;
              await tx.insertNotifications(onSlaAlert(t.id, t.assignee?.id ?? null, a));
              recorded.push({ ...a, priority: t.priority });
            }
            await tx.setSlaCheckAt(t.id, nextCheckAt);
            return recorded;
          });
          for (const a of found) {
            if (a.kind === 'breach') {
              breaches++;
              deps.onBreach?.({ target: a.target, priority: a.priority });
            } else warnings++;
          }
        }
        if (ids.length < BATCH) break;
      }
      return { warnings, breaches };
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
