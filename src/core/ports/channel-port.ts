/**
 * The channel port: the one interface every chat adapter implements, and the
 * platform-neutral shapes that cross it. Nothing in here names a platform; the
 * `platform` strings are data owned by the adapters ("slack", "lark", ...).
 */
import type { Locale } from '../locale.ts';
import type { TicketPriority, TicketStatus } from '../tickets/ticket-types.ts';

/** Where a message goes. `threadRef` is the platform's id of the thread root (or message to reply to). */
export interface ThreadTarget {
  platform: string;
  workspaceId: string;
  chatId: string;
  /** Root message of the thread; null for a plain chat (a DM with no thread). */
  threadRef: string | null;
}

/** Rich messages, described once; each adapter renders them for its platform. */
export type RichMessage =
  | {
      kind: 'ticket_confirmation';
      ticket: TicketSummary;
    }
  | {
      kind: 'status_changed';
      ticket: TicketSummary;
      from: TicketStatus;
      to: TicketStatus;
    }
  | {
      kind: 'agent_reply';
      ticket: TicketSummary;
      authorName: string;
      body: string;
    }
  | {
      /** Sent when a ticket is solved: offers Rate (1-5, optional comment), Reopen (with a reason) and View. */
      kind: 'rating_prompt';
      ticket: TicketSummary;
    }
  | {
      kind: 'reopen_prompt';
      ticket: TicketSummary;
    }
  | {
      kind: 'ticket_list';
      tickets: TicketSummary[];
    }
  | {
      /** A plain sentence from the message catalog, already resolved by key. */
      kind: 'notice';
      key: string;
      params?: Record<string, string | number>;
    };

export interface TicketSummary {
  number: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  url: string;
}

/** What a platform can do; the sync engine paces and splits by these. */
export interface ChannelLimits {
  maxMessageLength: number;
  /** Minimum spacing between two messages into one chat, in milliseconds. */
  perChatIntervalMs: number;
  /** Messages per minute into one group chat (0 = no separate group limit). */
  perGroupPerMinute: number;
  /** Messages per second across the whole bot. */
  globalPerSecond: number;
  ephemeral: boolean;
  buttons: boolean;
  forms: boolean;
}

export interface SentMessage {
  /** The platform's id of the message the bot posted (for edits, deletes and echo recognition). */
  messageId: string;
  /** The chat it landed in, when the platform chose it (e.g. a DM channel opened for sendDirect). */
  chatId?: string;
}

/** Errors an adapter throws from send/update/delete, so the engine can decide what to do. */
export class ChannelSendError extends Error {
  constructor(
    readonly kind: 'rate_limited' | 'transient' | 'permanent',
    message: string,
    /** For rate_limited: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

export interface OutboundContext {
  locale: Locale;
  /** Stable key of this delivery; adapters pass it to the platform where the platform dedupes (e.g. a uuid field). */
  deliveryKey: string;
}

export interface ChannelAdapter {
  readonly platform: string;
  readonly limits: ChannelLimits;
  /** Post into a thread (or a chat when threadRef is null). */
  post(target: ThreadTarget, message: RichMessage, ctx: OutboundContext): Promise<SentMessage>;
  /** Send to a user's direct chat. */
  sendDirect(
    user: { workspaceId: string; platformUserId: string },
    message: RichMessage,
    ctx: OutboundContext,
  ): Promise<SentMessage>;
  update(target: ThreadTarget, messageId: string, message: RichMessage, ctx: OutboundContext): Promise<void>;
  delete(target: ThreadTarget, messageId: string): Promise<void>;
  /**
   * Where the platform allows it: look for a message this delivery already posted (after a crash between the
   * platform's answer and our commit). Returns its id, or null when it is not there or cannot be known.
   */
  findDelivered?(target: ThreadTarget, ctx: OutboundContext): Promise<SentMessage | null>;
  /** Process one durably recorded inbound event (the raw payload the HTTP route stored). */
  processInbound(event: InboundEnvelope): Promise<void>;
}

/** An inbound platform event as stored in the inbox. */
export interface InboundEnvelope {
  id: string;
  platform: string;
  externalId: string;
  payload: unknown;
  receivedAt: Date;
}

/** The normalised inbound message every adapter produces for the core. */
export interface InboundMessage {
  platform: string;
  workspaceId: string;
  chatId: string;
  /** Thread root message id, or null when the message is not in a thread. */
  threadRef: string | null;
  messageId: string;
  author: {
    platformUserId: string;
    /** Our user id when the platform account is linked. */
    userId: string | null;
    displayName: string;
    email: string | null;
  };
  /** Text with mentions resolved to names. */
  text: string;
  replyTo: string | null;
  locale: Locale;
  files: { name: string; url: string }[];
  isDirect: boolean;
}
