/**
 * What the core tells people in chats, described once; each adapter renders these in its own idiom (Block Kit,
 * cards, inline keyboards, a mail) within its platform's limits. Two families:
 * - `DeliveryMessage`: what the sync engine carries into a ticket's threads (confirmations, agent replies, status).
 * - `ChatMessage`: everything, including the answers the chat service gives the person who just did something.
 */
import type { TicketPriority, TicketStatus } from '../tickets/ticket-types.ts';
import type { DraftFields } from './chat-events.ts';

export interface TicketSummary {
  number: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  url: string;
}

export interface TicketDetail extends TicketSummary {
  /** Empty when the description is an internal note (the ticket was private). */
  description: string;
  requesterEmail: string;
  serviceName: string | null;
  /** ISO 8601 (answers are stored as JSON until they are sent). */
  createdAt: string;
  rating: { score: number; comment: string | null } | null;
}

export interface PublicComment {
  id: string;
  authorName: string;
  authorIsStaff: boolean;
  body: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface ServiceChoice {
  id: string;
  name: string;
}

/** A request being filled in; only its id travels through buttons and metadata. */
export interface RequestDraft extends DraftFields {
  id: string;
  /** Whether the person chose the priority (channels without forms ask for it as a step). */
  priorityChosen: boolean;
  /** Whether the person chose the service (or there was nothing to choose). */
  serviceChosen: boolean;
  /** The requester as the core will record them: the person's own help-center email, when known. */
  requesterEmail: string | null;
}

/** The next thing a step-by-step channel asks for. */
export type DraftStep = 'service' | 'description' | 'priority' | 'confirm';

/** Field errors, by field name; the text is the catalog key and its parameters. */
export type DraftErrors = Partial<Record<keyof DraftFields, { key: string; params?: Record<string, string | number> }>>;

export type DeliveryMessage =
  | { kind: 'ticket_confirmation'; ticket: TicketSummary }
  | { kind: 'status_changed'; ticket: TicketSummary; from: TicketStatus; to: TicketStatus }
  | { kind: 'agent_reply'; ticket: TicketSummary; authorName: string; body: string }
  /** Sent when a ticket is solved: offers Rate (1-5, optional comment), Reopen (with a reason) and View. */
  | { kind: 'rating_prompt'; ticket: TicketSummary }
  | { kind: 'reopen_prompt'; ticket: TicketSummary };

export type ChatMessage =
  | DeliveryMessage
  /** A sentence from the catalog (`common:…` or the channel's namespace), with its parameters. */
  | { kind: 'notice'; key: string; params?: Record<string, string | number>; ticket?: TicketSummary }
  | { kind: 'request_form'; draft: RequestDraft; services: ServiceChoice[]; step: DraftStep; minDescriptionLength: number }
  /** The request is in (created now, or it already existed for this draft). */
  | { kind: 'request_done'; ticket: TicketSummary; created: boolean; draftId: string }
  /** The source message already has a request; `ticket` is null when the person may not see it. */
  | { kind: 'request_exists'; ticket: TicketSummary | null }
  | { kind: 'ticket_list'; tickets: TicketSummary[] }
  | { kind: 'ticket_detail'; ticket: TicketDetail }
  | { kind: 'comment_list'; ticket: TicketSummary; comments: PublicComment[] }
  | { kind: 'follow_up_started'; closedNumber: number; ticket: TicketSummary }
  | { kind: 'prompt'; for: 'comment' | 'rating_comment' | 'reopen_reason'; ticket: TicketSummary }
  | { kind: 'registered'; name: string; email: string }
  | { kind: 'help'; registered: boolean }
  | { kind: 'service_choice'; services: ServiceChoice[]; current: ServiceChoice | null }
  | { kind: 'sign_in_link'; url: string; expiresAt: string };

export type ChatMessageKind = ChatMessage['kind'];

export const notice = (key: string, params?: Record<string, string | number>, ticket?: TicketSummary): ChatMessage =>
  ticket ? { kind: 'notice', key, params, ticket } : params ? { kind: 'notice', key, params } : { kind: 'notice', key };
