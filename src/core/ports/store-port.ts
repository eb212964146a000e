/**
 * The persistence the core needs, described by what the core asks, not by tables. src/infra implements it on
 * PostgreSQL; every method of `StoreTx` runs inside the caller's transaction.
 */
import type { DomainEvent } from '../tickets/domain-events.ts';
import type { Role, SortOrder, TicketPriority, TicketSort, TicketStatus, Visibility } from '../tickets/ticket-types.ts';
import type { SlaPolicy, SlaState } from '../sla/sla-rules.ts';
import type { NotificationInput } from './agent-work-port.ts';

export interface UserRef {
  id: string;
  email: string;
  name: string;
}

export interface UserRecord extends UserRef {
  phone: string | null;
  locale: string;
  role: Role;
  organization: { id: string; name: string } | null;
  /** False once an admin deactivated the agent: nothing they hold signs them in. */
  active: boolean;
  createdAt: Date;
  /** Whether agents' public replies also reach this person at their own address (their help-center preference). */
  emailReplies?: boolean;
}

export interface TicketView {
  id: string;
  number: number;
  subject: string;
  description: string;
  /** False once the ticket was private: the description is then an internal note. */
  descriptionPublic: boolean;
  status: TicketStatus;
  priority: TicketPriority;
  visibility: Visibility;
  via: string;
  requester: UserRef;
  submitter: UserRef;
  assignee: UserRef | null;
  service: { id: string; name: string } | null;
  organization: { id: string; name: string } | null;
  followUpOf: number | null;
  sourceUrl: string | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  rating: { score: number; comment: string | null; createdAt: Date } | null;
  /** Goes up with every change of the ticket (comments included): what optimistic concurrency compares. */
  version: number;
  tags: string[];
  sla: SlaState;
}

export type AttachmentState = 'pending' | 'stored' | 'too_large' | 'unavailable';

/** A file of a comment as every reader sees it (whether its bytes may be fetched is decided when they are). */
export interface AttachmentView {
  id: string;
  name: string;
  /** Known once stored (or declared by the platform for a file too large to keep). */
  size: number | null;
  contentType: string | null;
  state: AttachmentState;
  /** Why it is too_large or unavailable. */
  reason: string | null;
  /** The platform's own link, kept as a fallback for a file that could not be stored. */
  platformUrl: string | null;
  createdAt: Date;
}

/** A file that arrives with a comment (a chat message's, a mail's): the worker fetches the pending ones. */
export interface NewAttachment {
  name: string;
  platform: string | null;
  platformFileId: string | null;
  platformUrl: string | null;
  declaredSize: number | null;
  declaredType: string | null;
  fetchRef: Record<string, string> | null;
  state: AttachmentState;
  reason: string | null;
  /** Bytes that came with the event, already in the BlobStore (state stored). */
  stored?: { storageKey: string; size: number; sha256: string; contentType: string } | null;
}

export interface CommentView {
  id: string;
  body: string;
  public: boolean;
  via: string;
  author: { id: string; name: string; role: Role };
  attachments: AttachmentView[];
  editedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
}

export interface TicketEventInput {
  kind: string;
  field?: string;
  from?: string | null;
  to?: string | null;
}

/** A domain event for the outbox. `deliver` says whether chat threads get it (decided by the rules). */
export type DomainEventInput = DomainEvent & {
  deliver: boolean;
  /** Threads that do not get it (the one the change came from; an address the requester does not want it at). */
  except?: ThreadKey | ThreadKey[];
};

export interface TicketFilter {
  status?: TicketStatus[];
  requesterEmail?: string;
  requesterId?: string;
  publicOnly?: boolean;
  query?: string;
  /** null: unassigned tickets only */
  assigneeId?: string | null;
  serviceId?: string;
  via?: string;
  priority?: TicketPriority;
  /** tickets carrying every one of these tags */
  tags?: string[];
  /** a running SLA target is past due */
  breaching?: boolean;
  /** the customer is waiting for us */
  waiting?: boolean;
  sort?: TicketSort;
  /** default: the sort's natural direction */
  order?: SortOrder;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ThreadKey {
  platform: string;
  workspaceId: string;
  chatId: string;
  threadRef: string;
  /** Set for a direct message to this platform user instead of a post into a chat. */
  directUserId?: string | null;
}

/** One person's dialog with the bot in one chat (what the bot waits for from them there). */
export interface DialogKey {
  platform: string;
  workspaceId: string;
  chatId: string;
  platformUserId: string;
}

export interface NewUserInput {
  email: string;
  name: string;
  phone?: string | null;
  organization?: string | null;
  role: Role;
  locale?: string;
  passwordHash?: string | null;
}

export interface StoreTx {
  lockTicket(number: number): Promise<TicketView | null>;
  lockTicketById(id: string): Promise<TicketView | null>;
  /** Reads a ticket inside the transaction without locking it again (the caller holds the lock). */
  readTicket(id: string): Promise<TicketView>;
  /**
   * The new ticket as it stands; null, with nothing written, when a ticket of `sourceKey` exists (one a concurrent
   * transaction committed meanwhile too) or the requester does not exist.
   */
  insertTicket(input: {
    subject: string;
    description: string;
    descriptionPublic: boolean;
    status: TicketStatus;
    priority: TicketPriority;
    visibility: Visibility;
    via: string;
    requesterId: string;
    submitterId: string;
    assigneeId: string | null;
    serviceId: string | null;
    followUpOfId: string | null;
    sourceUrl: string | null;
    sourceKey: string | null;
    tags?: string[];
    /** The SLA clock fields the creation itself starts: written with the row, as its creation time. */
    clockStarts?: { firstReplyAt: boolean; waitingSince: boolean };
    /**
     * Its first comment (the description), written with the row as `insertComment` writes one (the ticket's version
     * raised, its update time the comment's); files that came with it follow.
     */
    firstComment?: { authorId: string; body: string; public: boolean; via: string; externalRef: string | null; attachments: NewAttachment[] } | null;
    /** The chat threads it lives in, linked with the row. */
    threads?: (ThreadKey & { locale: string })[];
    /**
     * The chat request draft it is made of: marked with the ticket's number with the row (a draft marked already,
     * by a concurrent submit of it, makes this write fail with `code: 'draft_submitted'`), and the dialog named here
     * ended.
     */
    draft?: { id: string; endDialog: DialogKey | null } | null;
  }): Promise<TicketView | null>;
  /** Every update also raises the ticket's version. */
  updateTicket(
    id: string,
    patch: Partial<{
      status: TicketStatus;
      priority: TicketPriority;
      visibility: Visibility;
      descriptionPublic: boolean;
      assigneeId: string | null;
      solvedAt: Date | null;
      closedAt: Date | null;
      tags: string[];
      firstReplyAt: Date | null;
      waitingSince: Date | null;
      firstReplyDueAt: Date | null;
      nextReplyDueAt: Date | null;
      resolutionDueAt: Date | null;
      slaDueAt: Date | null;
      slaCheckAt: Date | null;
    }>,
  ): Promise<void>;
  insertComment(input: {
    ticketId: string;
    authorId: string;
    body: string;
    public: boolean;
    via: string;
    externalRef: string | null;
    /** Rows written with the comment; the pending ones get a fetch job in the same transaction. */
    attachments: NewAttachment[];
  }): Promise<CommentView>;
  /**
   * Attaches uploads to a comment: only `uploaderId`'s own, not yet attached. Returns how many it attached (the
   * caller refuses the whole change unless all were).
   */
  attachUploads(commentId: string, ticketId: string, uploaderId: string, ids: string[]): Promise<number>;
  findCommentByExternalRef(externalRef: string): Promise<(CommentView & { ticketId: string }) | null>;
  findCommentById(id: string): Promise<(CommentView & { ticketId: string }) | null>;
  updateComment(id: string, patch: { body?: string; editedAt?: Date; deletedAt?: Date }): Promise<void>;
  publicCommentIds(ticketId: string): Promise<string[]>;
  makeCommentsInternal(ids: string[]): Promise<void>;
  insertRating(input: { ticketId: string; raterId: string; score: number; comment: string | null }): Promise<void>;
  updateRatingComment(ticketId: string, comment: string): Promise<boolean>;
  recordEvents(ticketId: string, actorId: string | null, via: string, events: TicketEventInput[]): Promise<void>;
  /** Writes the outbox row; when `deliver`, also one delivery per active thread link and the job that sends them. */
  publish(ticketId: string, event: DomainEventInput): Promise<void>;
  linkThread(ticketId: string, thread: ThreadKey & { locale: string }): Promise<void>;
  getUser(id: string): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  /**
   * The user with this email, inserted when new (`created`), else the existing one untouched. Safe when many
   * callers create one new email at once: exactly one inserts, the others get that user, and no statement fails.
   */
  findOrInsertUser(input: NewUserInput): Promise<{ user: UserRecord; created: boolean }>;
  /** The chat accounts linked to a user. */
  listIdentities(userId: string): Promise<{ platform: string; workspaceId: string; platformUserId: string; locale: string }[]>;
  countThreadLinks(ticketId: string): Promise<number>;
  /** The ticket's thread links, oldest first. */
  listThreadLinks(ticketId: string): Promise<(ThreadKey & { active: boolean; locale: string })[]>;
  /** The language a thread's messages are written in from now on (the person chose another). */
  setThreadLocale(ticketId: string, thread: ThreadKey, locale: string): Promise<void>;

  getSlaPolicy(priority: TicketPriority): Promise<SlaPolicy | null>;
  /** Records an SLA warning or breach once; false when it was recorded before. */
  recordSlaAlert(ticketId: string, alert: { target: string; kind: 'warning' | 'breach'; dueAt: Date }): Promise<boolean>;
  /** The SLA job's bookkeeping: not a change of the ticket (no new version). */
  setSlaCheckAt(ticketId: string, at: Date | null): Promise<void>;
  insertNotifications(rows: NotificationInput[]): Promise<void>;
  /** Adds tags to the catalog of tags in use. */
  rememberTags(tags: string[]): Promise<void>;
}

export interface Store {
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;

  getTicket(number: number): Promise<TicketView | null>;
  findTicketBySourceKey(key: string): Promise<TicketView | null>;
  listTickets(filter: TicketFilter, page: { limit: number; cursor: string | null }): Promise<Page<TicketView>>;
  /** How many tickets match, counted up to `cap` (a view's badge shows "1000+" past it). */
  countTickets(filter: TicketFilter, cap: number): Promise<{ count: number; capped: boolean }>;
  listComments(ticketId: string, opts: { publicOnly: boolean }): Promise<CommentView[]>;
  listTicketEvents(ticketId: string): Promise<{ id: string; kind: string; field: string | null; from: string | null; to: string | null; via: string; actor: UserRef | null; createdAt: Date }[]>;
  findTicketsByThread(thread: ThreadKey): Promise<TicketView[]>;
  /**
   * The tickets with a thread of this ref in any chat of the workspace: for a channel whose thread ref is the
   * ticket's own unguessable token, so that a message naming it is found whoever sent it.
   */
  findTicketsByThreadRef(platform: string, workspaceId: string, threadRef: string): Promise<TicketView[]>;
  /** The ticket whose delivery posted this platform message. */
  findTicketByDeliveredMessage(platform: string, workspaceId: string, messageId: string): Promise<TicketView | null>;

  getUser(id: string): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  searchUsers(prefix: string, page: { limit: number; cursor: string | null }): Promise<Page<UserRecord>>;
  findOrInsertUser(input: NewUserInput): Promise<{ user: UserRecord; created: boolean }>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  /** The password hash of an active staff user by email, for console sign-in. */
  findStaffCredentials(email: string): Promise<{ user: UserRecord; passwordHash: string | null } | null>;

  listServices(): Promise<{ id: string; name: string; description: string | null }[]>;
  getService(id: string): Promise<{ id: string; name: string } | null>;
  /** Null when a service of this name exists (also when it was created a moment ago by a concurrent call). */
  insertServiceIfNew(input: { name: string; description: string | null }): Promise<{ id: string; name: string; description: string | null } | null>;

  insertLinkCode(userId: string, codeHash: string, expiresAt: Date): Promise<void>;
  /** Marks the code used (atomically) and returns its user; reports why it cannot be used otherwise. */
  consumeLinkCode(codeHash: string, now: Date): Promise<{ userId: string } | 'invalid' | 'expired' | 'used'>;
  findIdentity(platform: string, workspaceId: string, platformUserId: string): Promise<UserRecord | null>;
  upsertIdentity(input: { platform: string; workspaceId: string; platformUserId: string; userId: string; displayName: string; locale: string }): Promise<void>;

  getChatService(platform: string, workspaceId: string, chatId: string): Promise<{ id: string; name: string } | null>;
  setChatService(platform: string, workspaceId: string, chatId: string, serviceId: string): Promise<void>;
  getDialogState(key: DialogKey, notBefore: Date): Promise<Record<string, unknown> | null>;
  setDialogState(key: DialogKey, state: Record<string, unknown> | null): Promise<void>;

  /** Numbers of solved tickets whose solvedAt is before `before`. */
  solvedBefore(before: Date, limit: number): Promise<number[]>;
}
