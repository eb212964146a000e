/**
 * Which rich message a domain event becomes in a chat thread. Events that are not listed produce nothing.
 */
import type { RichMessage, TicketSummary } from '../ports/channel-port.ts';
import type { TicketStatus } from '../tickets/ticket-types.ts';

export interface OutboxEventData {
  type: string;
  payload: Record<string, unknown>;
}

export function toRichMessage(
  event: OutboxEventData,
  ticket: TicketSummary,
  comment: { body: string; authorName: string; public: boolean; deleted: boolean } | null,
): RichMessage | null {
  switch (event.type) {
    case 'ticket.created': {
      // The confirmation says what was true when the ticket was created, even if it is delivered after a change.
      const status = typeof event.payload.status === 'string' ? (event.payload.status as TicketStatus) : ticket.status;
      return { kind: 'ticket_confirmation', ticket: { ...ticket, status } };
    }
    case 'ticket.status_changed': {
      const to = event.payload.to as TicketStatus;
      // A solved ticket gets the rating prompt instead (ticket.solved), which says the status itself.
      if (to === 'solved') return null;
      return { kind: 'status_changed', ticket, from: event.payload.from as TicketStatus, to };
    }
    case 'ticket.solved':
      return { kind: 'rating_prompt', ticket };
    case 'comment.added':
      // Defence in depth: an internal or deleted comment never leaves, whatever the outbox says.
      if (!comment || !comment.public || comment.deleted) return null;
      return { kind: 'agent_reply', ticket, authorName: comment.authorName, body: comment.body };
    default:
      return null;
  }
}
