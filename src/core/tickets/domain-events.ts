/**
 * The outbox's events, one typed union: what each change publishes (in its transaction) and what the sync engine
 * and other readers may rely on finding in a payload. A payload read back from storage is checked by
 * `readDomainEvent`, so a row written by an older version (or by hand) is treated as unknown, not trusted.
 */
import { TICKET_STATUSES, type TicketStatus } from './ticket-types.ts';

export type DomainEvent =
  | { type: 'ticket.created'; payload: { number: number; status: TicketStatus } }
  | { type: 'comment.added'; payload: { number: number; commentId: string; public: boolean; byStaff: boolean; via: string } }
  | { type: 'ticket.status_changed'; payload: { number: number; from: TicketStatus; to: TicketStatus } }
  | { type: 'ticket.solved'; payload: { number: number } }
  | { type: 'ticket.rated'; payload: { number: number; score: number } }
  | { type: 'ticket.reopened'; payload: { number: number } }
  | { type: 'ticket.visibility_changed'; payload: { number: number; to: 'public' | 'private' } }
  | { type: 'comment.edited'; payload: { number?: number; commentId: string } }
  | { type: 'comment.deleted'; payload: { number?: number; commentId: string } }
  /** A public comment's files, delivered after its text (comment.added). */
  | { type: 'comment.files'; payload: { number: number; commentId: string } };

export type DomainEventType = DomainEvent['type'];

const isStatus = (v: unknown): v is TicketStatus => typeof v === 'string' && (TICKET_STATUSES as readonly string[]).includes(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A stored event as the union, or null when its payload is not what its type promises. */
export function readDomainEvent(type: string, payload: unknown): DomainEvent | null {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  switch (type) {
    case 'ticket.created':
      return isStatus(p.status) ? { type, payload: { number: Number(p.number), status: p.status } } : null;
    case 'comment.added':
      return isStr(p.commentId) ? { type, payload: { number: Number(p.number), commentId: p.commentId, public: p.public === true, byStaff: p.byStaff === true, via: String(p.via ?? '') } } : null;
    case 'ticket.status_changed':
      return isStatus(p.from) && isStatus(p.to) ? { type, payload: { number: Number(p.number), from: p.from, to: p.to } } : null;
    case 'ticket.solved':
    case 'ticket.reopened':
      return { type, payload: { number: Number(p.number) } };
    case 'ticket.rated':
      return { type, payload: { number: Number(p.number), score: Number(p.score) } };
    case 'ticket.visibility_changed':
      return p.to === 'public' || p.to === 'private' ? { type, payload: { number: Number(p.number), to: p.to } } : null;
    case 'comment.files':
      return isStr(p.commentId) ? { type, payload: { number: Number(p.number), commentId: p.commentId } } : null;
    case 'comment.edited':
    case 'comment.deleted':
      return isStr(p.commentId) ? { type, payload: { commentId: p.commentId } } : null;
    default:
      return null;
  }
}
