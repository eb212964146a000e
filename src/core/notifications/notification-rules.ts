/**
 * Who hears of what. Nobody is told of their own doing: an agent who assigns a ticket to themselves, or who writes
 * on a ticket as its requester (an agent's own internal ticket), gets no notification.
 */
import type { NotificationInput } from '../ports/agent-work-port.ts';
import type { SlaAlert } from '../sla/sla-rules.ts';

export function onAssigned(ticketId: string, assigneeId: string | null, actorId: string): NotificationInput[] {
  return assigneeId && assigneeId !== actorId ? [{ agentId: assigneeId, ticketId, kind: 'assigned', actorId }] : [];
}

/** A message from the customer (any end user) reaches the ticket's assignee. */
export function onCustomerMessage(ticketId: string, assigneeId: string | null, author: { id: string; staff: boolean }, commentId: string): NotificationInput[] {
  return assigneeId && !author.staff && assigneeId !== author.id ? [{ agentId: assigneeId, ticketId, kind: 'customer_replied', actorId: author.id, commentId }] : [];
}

export function onSlaAlert(ticketId: string, assigneeId: string | null, alert: SlaAlert): NotificationInput[] {
  return assigneeId ? [{ agentId: assigneeId, ticketId, kind: alert.kind === 'breach' ? 'sla_breach' : 'sla_warning', detail: alert.target }] : [];
}
