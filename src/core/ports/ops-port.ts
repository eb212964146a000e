/** What the admin API reads and does about the sync engine's state: deliveries of a ticket, the inbox, dead letters. */
import type { Page } from './store-port.ts';

export interface DeliveryRow {
  id: string;
  event: string;
  commentId: string | null;
  platform: string;
  chatId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

export interface InboundEventRow {
  id: string;
  platform: string;
  externalId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  failingSince: Date | null;
  receivedAt: Date;
}

export interface OpsPort {
  deliveriesOfTicket(ticketId: string): Promise<DeliveryRow[]>;
  inboundEvents(status: 'pending' | 'done' | 'dead', page: { limit: number; cursor: string | null }): Promise<Page<InboundEventRow>>;
  /** Dead events back to pending with a fresh retry span: one by id, or every one (of a platform); how many. */
  retryDeadInbound(which: { id?: string; platform?: string }): Promise<number>;
}
