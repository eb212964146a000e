/**
 * Request drafts, kept in the core's store so that only their id travels through buttons, card values and modal
 * metadata (and a restart or a second instance continues where the person was).
 */
import type { ChatPlace, ChatUserRef, DraftFields, SourceMessage } from '../chat/chat-events.ts';

export interface StoredDraft extends DraftFields {
  id: string;
  owner: ChatUserRef;
  place: ChatPlace;
  source: SourceMessage | null;
  priorityChosen: boolean;
  serviceChosen: boolean;
  /** Set once the draft became a ticket, in the ticket's own write (a second submit then answers that ticket). */
  ticketNumber: number | null;
  cancelled: boolean;
  createdAt: Date;
}

export type NewDraft = Omit<StoredDraft, 'id' | 'ticketNumber' | 'cancelled' | 'createdAt'>;

export interface DraftRepo {
  insertDraft(d: NewDraft): Promise<StoredDraft>;
  /** Null when unknown or older than `notBefore` (drafts expire). */
  getDraft(id: string, notBefore: Date): Promise<StoredDraft | null>;
  updateDraft(id: string, patch: Partial<Pick<StoredDraft, keyof DraftFields | 'priorityChosen' | 'serviceChosen' | 'source' | 'cancelled'>>): Promise<void>;
  // A draft is marked submitted by its ticket's own insert (StoreTx.insertTicket's `draft`), in that transaction.
}
