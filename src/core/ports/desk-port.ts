/**
 * What a chat adapter may ask of the core. Adapters translate platform events into these calls and render the
 * answers; every decision (who may do what, which status follows, whether a ticket already exists) is made behind
 * this interface. Errors are thrown as DomainError with a machine code (see ../errors.ts); adapters translate the
 * code into the catalog text `common:error.<code>` for the person.
 */
import type { Locale } from '../locale.ts';
import type { TicketPriority, TicketStatus } from '../tickets/ticket-types.ts';
import type { ThreadTarget, TicketSummary } from './channel-port.ts';

export interface ChatUserRef {
  platform: string;
  workspaceId: string;
  platformUserId: string;
}

export interface ChatProfile extends ChatUserRef {
  displayName: string;
  /** The email the platform reports, when the app may read it. */
  email: string | null;
  locale: Locale;
}

export interface DeskUser {
  id: string;
  email: string;
  name: string;
  locale: Locale;
}

export interface TicketDetail extends TicketSummary {
  description: string;
  requesterEmail: string;
  submitterEmail: string;
  /** The address support's public answers are copied to (the requester's email). */
  ccEmail: string;
  serviceName: string | null;
  createdAt: Date;
  rating: { score: number; comment: string | null } | null;
}

export interface PublicComment {
  id: string;
  authorName: string;
  authorIsStaff: boolean;
  body: string;
  createdAt: Date;
}

export interface CreateChatTicketInput {
  via: string;
  /** The person asking; resolved (or created) by email when given, else by their linked chat identity. */
  requester: { email: string; name?: string } | { chatUser: ChatUserRef };
  /** The chat user who pressed submit (the submitter), if different from the requester. */
  submitter?: ChatUserRef;
  subject: string;
  description: string;
  priority?: TicketPriority;
  serviceId?: string | null;
  /** The thread the ticket lives in; the confirmation is delivered there by the sync engine. */
  thread?: ThreadTarget & { locale: Locale };
  /** More threads to notify, e.g. the author's DM besides a group thread. */
  extraThreads?: (ThreadTarget & { locale: Locale })[];
  /** A link back to the source message (e.g. a permalink). */
  sourceUrl?: string | null;
  /**
   * Identifies the source message. A second create with the same key creates nothing and returns the existing
   * ticket with created=false (e.g. a second reaction on the same message).
   */
  sourceKey?: string | null;
}

export interface DeskPort {
  /** The catalog a customer picks from. */
  listServices(): Promise<{ id: string; name: string }[]>;

  /** The linked user of a chat account, or null when the account is not registered. */
  findLinkedUser(ref: ChatUserRef): Promise<DeskUser | null>;
  /**
   * Links a chat account to the user with this email, creating the end user if the email is new (used where the
   * platform vouches for the email, e.g. a workspace profile). Idempotent.
   */
  linkByEmail(profile: ChatProfile & { email: string }): Promise<DeskUser>;
  /** Redeems a one-time link code. Throws DomainError link_code_invalid | link_code_expired | link_code_used. */
  linkWithCode(profile: ChatProfile, code: string): Promise<DeskUser>;

  createTicket(input: CreateChatTicketInput): Promise<{ ticket: TicketSummary; created: boolean }>;
  /** The ticket a source message already started (see CreateChatTicketInput.sourceKey). */
  findTicketBySource(sourceKey: string): Promise<TicketSummary | null>;
  /**
   * Whether a thread belongs to any ticket, private ones included (it says nothing about the ticket), so adapters can
   * skip ordinary chatter cheaply and still hand every reply in a ticket's thread to addThreadReply.
   */
  isTicketThread(thread: ThreadTarget): Promise<boolean>;
  /** The ticket whose thread this is, or null. Private tickets are never returned. */
  findTicketByThread(thread: ThreadTarget): Promise<TicketSummary | null>;
  /**
   * The ticket a message the bot posted belongs to (e.g. a reply to a direct notification, which has no thread of its
   * own). Private tickets are never returned.
   */
  findTicketByBotMessage?(ref: { platform: string; workspaceId: string; messageId: string }): Promise<TicketSummary | null>;
  /** Links one more thread to a ticket (idempotent). */
  linkThread(ticketNumber: number, thread: ThreadTarget & { locale: Locale }): Promise<void>;

  /**
   * A customer's message in a ticket's thread becomes a public comment (reopening pending/solved tickets; on a
   * closed ticket it starts a follow-up ticket). `externalRef` identifies the platform message so a re-delivery
   * adds nothing and edits/deletes can find it. Returns null when the thread has no ticket, or only one made private
   * (the message is then kept on it as an internal comment: nothing the customer writes is lost).
   */
  addThreadReply(input: {
    via: string;
    thread: ThreadTarget;
    author: ChatProfile;
    body: string;
    externalRef: string;
    files?: { name: string; url: string }[];
  }): Promise<{ ticket: TicketSummary; followUpOf: number | null } | null>;
  /** An edit of a synced reply: the comment gets the new text and an "edited" mark; the old text stays in history. */
  editThreadReply(input: { via: string; externalRef: string; body: string }): Promise<void>;
  /** A deleted synced reply: the comment is marked deleted. */
  deleteThreadReply(input: { via: string; externalRef: string }): Promise<void>;

  /** The requester's active (not closed) public tickets, newest first. */
  listActiveTickets(userId: string): Promise<TicketSummary[]>;
  /** One of the requester's own public tickets; null when it is not theirs or private. */
  getTicketForRequester(ticketNumber: number, userId: string): Promise<TicketDetail | null>;
  /** Public comments only, oldest first; null when it is not the requester's ticket. */
  listPublicComments(ticketNumber: number, userId: string): Promise<PublicComment[] | null>;
  /** A comment by the requester on their own ticket (e.g. Telegram "add a comment"). */
  addRequesterComment(input: {
    via: string;
    ticketNumber: number;
    userId: string;
    body: string;
    externalRef?: string;
  }): Promise<TicketSummary>;

  /** Rate a solved ticket 1-5 (closes it). Throws not_solved, invalid_score, ticket_not_found. */
  rate(input: { via: string; ticketNumber: number; userId: string; score: number; comment?: string | null }): Promise<TicketSummary>;
  /** Add a comment to an existing rating (e.g. the optional comment sent after the score). */
  commentRating(input: { ticketNumber: number; userId: string; comment: string; via?: string }): Promise<void>;
  /** Return a solved ticket to work with a reason. Throws not_solved, reason_required, ticket_not_found. */
  reopen(input: { via: string; ticketNumber: number; userId: string; reason: string }): Promise<TicketSummary>;

  /** Per-chat settings, e.g. the service a group's tickets belong to. */
  getChatService(chat: { platform: string; workspaceId: string; chatId: string }): Promise<{ id: string; name: string } | null>;
  setChatService(chat: { platform: string; workspaceId: string; chatId: string }, serviceId: string): Promise<void>;

  /**
   * A small durable state per chat user for multi-step dialogs (e.g. "waiting for the description"). `null`
   * clears it. States older than a day are treated as absent.
   */
  getDialogState(ref: ChatUserRef & { chatId: string }): Promise<Record<string, unknown> | null>;
  setDialogState(ref: ChatUserRef & { chatId: string }, state: Record<string, unknown> | null): Promise<void>;

  /** The shortest problem description a chat request may have (checked again on create). */
  readonly minDescriptionLength: number;

  /** Statuses a ticket may show; for renderers that list choices. */
  readonly statuses: readonly TicketStatus[];
}

/** What an HTTP route of a channel uses to make an inbound event durable before it answers the platform. */
export interface InboxPort {
  /**
   * One insert. Returns `duplicate: true` when (platform, externalId) was already recorded (a platform retry): the
   * route answers 200 and nothing is processed again.
   */
  record(event: {
    platform: string;
    externalId: string;
    payload: unknown;
    /** Events with the same key are processed one at a time, in the order recorded (e.g. one chat's updates). */
    orderingKey?: string;
  }): Promise<{ id: string; duplicate: boolean }>;
}
