/**
 * A change applied to a selection of tickets: each ticket in its own transaction, with its own audit events and
 * version check, so that one refusal (a closed ticket, a stale version) stops nothing else; the answer says what
 * happened to each.
 */
import { isDomainError } from '../errors.ts';
import type { Actor, TicketPatch, TicketService } from './ticket-service.ts';

export const MAX_BULK = 100;

export type BulkResult = { number: number; changed: true; version: number } | { number: number; changed: false; error: { code: string; message: string } };

export async function bulkChange(
  tickets: Pick<TicketService, 'update'>,
  actor: Actor,
  items: { number: number; version?: number }[],
  patch: TicketPatch,
  via: string,
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  const seen = new Set<number>();
  for (const item of items.slice(0, MAX_BULK)) {
    if (seen.has(item.number)) continue;
    seen.add(item.number);
    try {
      const t = await tickets.update(item.number, actor, patch, via, { expectedVersion: item.version });
      results.push({ number: item.number, changed: true, version: t.version });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      results.push({ number: item.number, changed: false, error: { code: e.code, message: e.field ? `${e.field}: ${e.message}` : e.message } });
    }
  }
  return results;
}
