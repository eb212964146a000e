/**
 * The channel port: the one interface every chat adapter implements. Inbound, an adapter parses a durably recorded
 * platform event into the shared vocabulary (../chat/chat-events.ts) and renders the chat service's answers
 * (`tell`); outbound, it renders and sends what the sync engine delivers into ticket threads. Nothing in here names
 * a platform; the `platform` strings are data owned by the adapters ("slack", "lark", ...).
 */
import type { Readable } from 'node:stream';
import type { ChatEvent, ChatFile } from '../chat/chat-events.ts';
import type { ChatMessage, DeliveryMessage, TicketSummary } from '../chat/chat-messages.ts';
import type { ChatReply } from '../chat/chat-service.ts';
import type { Locale } from '../locale.ts';

export type { ChatMessage, DeliveryMessage, TicketSummary };
/** @deprecated what the adapters rendered before the chat service's answers (ChatMessage) existed. */
export type RichMessage = DeliveryMessage | Extract<ChatMessage, { kind: 'ticket_list' | 'notice' }>;

/** Where a message goes. `threadRef` is the platform's id of the thread root (or message to reply to). */
export interface ThreadTarget {
  platform: string;
  workspaceId: string;
  chatId: string;
  /** Root message of the thread; null for a plain chat (a DM with no thread). */
  threadRef: string | null;
}

/** What a platform can do; the sync engine paces and splits by these, the chat service asks by them. */
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
  /** Forms carry a request's fields at once; without them the chat service asks step by step. */
  forms: boolean;
  /** A ticket asked for in a group is also followed in the requester's direct chat with the bot. */
  directCopies?: boolean;
}

export interface SentMessage {
  /** The platform's id of the message the bot posted (for edits, deletes and echo recognition). */
  messageId: string;
  /** The chat it landed in, when the platform chose it (e.g. a DM channel opened for sendDirect). */
  chatId?: string;
}

/** Errors an adapter throws from send/update/delete/tell, so the engine can decide what to do. */
export class ChannelSendError extends Error {
  readonly kind: 'rate_limited' | 'transient' | 'permanent';
  /** For rate_limited: how long the platform asked us to wait. */
  readonly retryAfterMs?: number;
  constructor(kind: 'rate_limited' | 'transient' | 'permanent', message: string, retryAfterMs?: number) {
    super(message);
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
    this.name = 'ChannelSendError';
  }
}

/** A file fetched from the platform, streaming (never buffered whole by the adapter). */
export interface FetchedFile {
  body: Readable;
  /** What the platform says; the core decides the type from the bytes. */
  contentType: string | null;
  /** When the platform says it before the bytes arrive. */
  size: number | null;
}

/**
 * Thrown by fetchFile when the platform's file is larger than allowed (known from its metadata, or found while
 * streaming): the core stores nothing and tells the ticket which file and why.
 */
export class FileTooLargeError extends Error {
  readonly size: number | null;
  readonly maxBytes: number;
  constructor(size: number | null, maxBytes: number) {
    super(`file larger than ${maxBytes} bytes`);
    this.size = size;
    this.maxBytes = maxBytes;
    this.name = 'FileTooLargeError';
  }
}

/** A stored attachment the sync engine hands to an adapter to deliver into a thread. */
export interface OutboundFile {
  /** The attachment's id in the help center (stable: part of the delivery's dedupe key). */
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** A fresh stream of the bytes each time it is called (an adapter may retry an upload). */
  open(): Promise<Readable>;
}

export interface OutboundContext {
  locale: Locale;
  /** Stable key of this delivery; adapters pass it to the platform where the platform dedupes (e.g. a uuid field). */
  deliveryKey: string;
}

/** An inbound platform event as stored in the inbox. */
export interface InboundEnvelope {
  id: string;
  platform: string;
  externalId: string;
  payload: unknown;
  receivedAt: Date;
}

export interface ReplyContext {
  /** The event being answered, as recorded (e.g. a card's update token, a pressed button's query id). */
  envelope: InboundEnvelope;
  /** Stable key of this reply, for platforms that dedupe (the same reply after a retry is the same message). */
  deliveryKey: string;
}

export interface ChannelAdapter {
  readonly platform: string;
  readonly limits: ChannelLimits;
  /**
   * A durably recorded platform event in the shared vocabulary (none for events that mean nothing to the help
   * center). May read from the platform (a message, a profile); throws to be retried.
   */
  parse(event: InboundEnvelope): Promise<ChatEvent[]>;
  /**
   * Tells what the chat service answered: to the actor privately where the platform can (an ephemeral), else in
   * their direct chat; to the place for everyone there. Throws ChannelSendError; the engine retries or gives up.
   */
  tell(reply: ChatReply, ctx: ReplyContext): Promise<void>;
  /**
   * False when telling this answer would send nothing on this platform (it shows the same otherwise, e.g. a new
   * ticket's confirmation, which reaches its thread through the sync engine): the engine then neither stores nor
   * tells it. Absent: every answer says something.
   */
  says?(reply: ChatReply): boolean;
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
  /**
   * Fetch a file that came with a message, with the bot's own credentials, as a stream. Runs in the worker, never
   * in a webhook's request. Throws FileTooLargeError beyond maxBytes, ChannelSendError for the rest (transient:
   * retried; permanent: the file is recorded as unavailable with its platform link).
   */
  fetchFile?(file: ChatFile, maxBytes: number): Promise<FetchedFile>;
  /**
   * Deliver an agent's files into a thread (or the direct chat when threadRef is null), after the comment's text.
   * Returns one SentMessage per platform message posted. Throws ChannelSendError like post().
   */
  postFiles?(target: ThreadTarget, files: OutboundFile[], ctx: OutboundContext): Promise<SentMessage[]>;
}
