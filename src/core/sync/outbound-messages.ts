/**
 * What a domain event becomes in a chat thread: a new message, an edit or removal of one delivered before, or
 * nothing. Pure, so every case is unit-tested directly.
 */
import type { DeliveryMessage, TicketSummary } from '../chat/chat-messages.ts';
import { readDomainEvent, type DomainEvent } from '../tickets/domain-events.ts';

/** An outbox row as stored; read through the typed union before anything is made of it. */
export interface OutboxEventData {
  type: string;
  payload: Record<string, unknown>;
}

export interface CommentData {
  body: string;
  authorName: string;
  public: boolean;
  deleted: boolean;
}

export type OutboundAction =
  | { action: 'post'; message: DeliveryMessage }
  /** A public comment's files, after its text: the drain hands them to the adapter (or posts their links). */
  | { action: 'files'; commentId: string; authorName: string }
  | { action: 'update'; messageId: string; message: DeliveryMessage }
  | { action: 'delete'; messageId: string };

export function toRichMessage(stored: OutboxEventData, ticket: TicketSummary, comment: CommentData | null): DeliveryMessage | null {
  const event: DomainEvent | null = readDomainEvent(stored.type, stored.payload);
  if (!event) return null;
  switch (event.type) {
    case 'ticket.created':
      // The confirmation says what was true when the ticket was created, even if it is delivered after a change.
      return { kind: 'ticket_confirmation', ticket: { ...ticket, status: event.payload.status } };
    case 'ticket.status_changed': {
      const { from, to } = event.payload;
      // A solved ticket gets the rating prompt instead (ticket.solved), which says the status itself.
      if (to === 'solved') return null;
      return { kind: 'status_changed', ticket, from, to };
    }
    case 'ticket.solved':
      return { kind: 'rating_prompt', ticket };
    case 'comment.added':
      // Defence in depth: an internal or deleted comment never leaves, whatever the outbox says.
      if (!comment || !comment.public || comment.deleted) return null;
      // A comment that is only files says nothing of its own: its files follow (comment.files).
      if (comment.body.trim() === '') return null;
      return { kind: 'agent_reply', ticket, authorName: comment.authorName, body: comment.body };
    default:
      return null;
  }
}

/**
 * The action for one delivery. `deliveredMessageId` is, for an edit or delete of a comment, the message that
 * carried the comment into this thread (null when it never reached it: then there is nothing to change).
 */
export function outboundAction(
  event: OutboxEventData,
  ticket: TicketSummary,
  comment: CommentData | null,
  deliveredMessageId: string | null,
): OutboundAction | null {
  if (event.type === 'comment.edited') {
    if (!deliveredMessageId || !comment || !comment.public || comment.deleted) return null;
    return { action: 'update', messageId: deliveredMessageId, message: { kind: 'agent_reply', ticket, authorName: comment.authorName, body: comment.body } };
  }
  if (event.type === 'comment.deleted') return deliveredMessageId ? { action: 'delete', messageId: deliveredMessageId } : null;
  if (event.type === 'comment.files') {
    const commentId = typeof event.payload.commentId === 'string' ? event.payload.commentId : null;
    // Defence in depth, as for the text: an internal note's or a deleted comment's files never leave.
    if (!commentId || !comment || !comment.public || comment.deleted) return null;
    return { action: 'files', commentId, authorName: comment.authorName };
  }
  const message = toRichMessage(event, ticket, comment);
  return message ? { action: 'post', message } : null;
}
