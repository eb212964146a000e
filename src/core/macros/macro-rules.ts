/**
 * Macros: a saved reply (public or internal) and/or changes, applied to a ticket in one step. Their text may name
 * the ticket and the people on it; a placeholder this does not know stays as it was typed, so a mistake shows.
 */
import { DomainError } from '../errors.ts';
import type { MacroActions } from '../ports/agent-work-port.ts';

export interface MacroContext {
  ticket: { number: number; subject: string };
  requester: { name: string; email: string };
  agent: { name: string };
}

export const MACRO_PLACEHOLDERS = ['ticket.number', 'ticket.subject', 'requester.name', 'requester.email', 'agent.name'] as const;

export function renderMacroBody(body: string, ctx: MacroContext): string {
  const values: Record<string, string> = {
    'ticket.number': String(ctx.ticket.number),
    'ticket.subject': ctx.ticket.subject,
    'requester.name': ctx.requester.name,
    'requester.email': ctx.requester.email,
    'agent.name': ctx.agent.name,
  };
  return body.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (m, key: string) => values[key] ?? m);
}

/** A macro must do something: reply, or change at least one property. */
export function assertMacroDoesSomething(m: MacroActions & { body: string | null }): void {
  const acts = m.body !== null || m.status !== null || m.priority !== null || m.assigneeId !== null || m.assignToSelf || m.addTags.length > 0 || m.removeTags.length > 0;
  if (!acts) throw new DomainError('validation_failed', 'a macro needs a reply or at least one change (status, priority, assignee, tags)');
  if (m.assigneeId !== null && m.assignToSelf) throw new DomainError('validation_failed', 'give assigneeId or assignToSelf, not both', 'assigneeId');
}
