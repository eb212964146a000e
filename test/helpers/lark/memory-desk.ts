/**
 * A tiny in-memory DeskPort for the Lark tests, with just enough of the ticket rules to exercise the channel:
 * tickets, thread links, public comments, rating and reopen. It also plays the part of the core's outbox: every
 * message the sync engine would deliver to a chat lands in `outbox` (public replies and status changes of public
 * tickets only; internal notes and private tickets never do).
 */
import { DomainError } from '../../../src/core/errors.ts';
import type { Locale } from '../../../src/core/locale.ts';
import type { RichMessage, ThreadTarget, TicketSummary } from '../../../src/core/ports/channel-port.ts';
import type {
  ChatProfile,
  ChatUserRef,
  CreateChatTicketInput,
  DeskPort,
  DeskUser,
  PublicComment,
  TicketDetail,
} from '../../../src/core/ports/desk-port.ts';
import { TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../../../src/core/tickets/ticket-types.ts';

export interface MemComment {
  body: string;
  public: boolean;
  authorId: string | null;
  via: string;
  externalRef: string | null;
  files: { name: string; url: string }[];
  deleted: boolean;
}

export interface MemTicket {
  number: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  visibility: 'public' | 'private';
  requesterId: string;
  submitter: ChatUserRef | null;
  serviceId: string | null;
  via: string;
  sourceKey: string | null;
  threads: (ThreadTarget & { locale: Locale })[];
  comments: MemComment[];
  rating: { score: number; comment: string | null } | null;
}

export interface OutboxItem {
  key: string;
  thread: ThreadTarget & { locale: Locale };
  message: RichMessage;
}

const refKey = (r: ChatUserRef) => `${r.platform}:${r.workspaceId}:${r.platformUserId}`;
const sameThread = (a: ThreadTarget, b: ThreadTarget) =>
  a.platform === b.platform && a.workspaceId === b.workspaceId && a.chatId === b.chatId && a.threadRef === b.threadRef;

export class MemoryDesk implements DeskPort {
  readonly statuses = TICKET_STATUSES;
  readonly minDescriptionLength = 10;
  async isTicketThread(thread: ThreadTarget): Promise<boolean> {
    return (await this.findTicketByThread(thread)) !== null;
  }
  readonly services = [
    { id: 'svc-general', name: 'General' },
    { id: 'svc-it', name: 'IT' },
  ];
  readonly users = new Map<string, DeskUser>();
  readonly links = new Map<string, string>();
  readonly tickets: MemTicket[] = [];
  readonly outbox: OutboxItem[] = [];
  readonly chatServices = new Map<string, string>();
  readonly dialog = new Map<string, Record<string, unknown>>();
  private seq = 0;
  private keySeq = 0;

  constructor(private readonly publicUrl = 'http://desk.test') {}

  summary(t: MemTicket): TicketSummary {
    return { number: t.number, subject: t.subject, status: t.status, priority: t.priority, url: `${this.publicUrl}/tickets/${t.number}` };
  }

  ticket(n: number): MemTicket {
    const t = this.tickets.find((x) => x.number === n);
    if (!t) throw new DomainError('ticket_not_found', `no ticket ${n}`);
    return t;
  }

  userByEmail(email: string, name?: string): DeskUser {
    const key = email.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { id: `u-${this.users.size + 1}`, email: key, name: name ?? key, locale: 'en' };
      this.users.set(key, u);
    }
    return u;
  }

  private emit(t: MemTicket, message: RichMessage): void {
    if (t.visibility === 'private') return;
    for (const thread of t.threads) this.outbox.push({ key: `k${++this.keySeq}:${t.number}:${message.kind}`, thread, message });
  }

  async listServices() {
    return this.services;
  }

  async findLinkedUser(ref: ChatUserRef) {
    const id = this.links.get(refKey(ref));
    return [...this.users.values()].find((u) => u.id === id) ?? null;
  }

  async linkByEmail(profile: ChatProfile & { email: string }) {
    const u = this.userByEmail(profile.email, profile.displayName);
    this.links.set(refKey(profile), u.id);
    return u;
  }

  async linkWithCode(): Promise<DeskUser> {
    throw new DomainError('link_code_invalid', 'codes are not used by lark');
  }

  async createTicket(input: CreateChatTicketInput) {
    if (input.sourceKey) {
      const existing = this.tickets.find((t) => t.sourceKey === input.sourceKey);
      if (existing) return { ticket: this.summary(existing), created: false };
    }
    if (!('email' in input.requester)) throw new DomainError('validation_failed', 'memory desk needs an email requester');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.requester.email)) throw new DomainError('invalid_email', 'bad email', 'requesterEmail');
    if (input.description.trim().length < 10) throw new DomainError('description_too_short', 'too short', 'description');
    const requester = this.userByEmail(input.requester.email, input.requester.name);
    const t: MemTicket = {
      number: ++this.seq,
      subject: input.subject,
      description: input.description,
      status: 'new',
      priority: input.priority ?? 'normal',
      visibility: 'public',
      requesterId: requester.id,
      submitter: input.submitter ?? null,
      serviceId: input.serviceId ?? null,
      via: input.via,
      sourceKey: input.sourceKey ?? null,
      threads: [input.thread, ...(input.extraThreads ?? [])].filter((x): x is ThreadTarget & { locale: Locale } => !!x),
      comments: [{ body: input.description, public: true, authorId: requester.id, via: input.via, externalRef: null, files: [], deleted: false }],
      rating: null,
    };
    this.tickets.push(t);
    this.emit(t, { kind: 'ticket_confirmation', ticket: this.summary(t) });
    return { ticket: this.summary(t), created: true };
  }

  async findTicketBySource(sourceKey: string) {
    const t = this.tickets.find((x) => x.sourceKey === sourceKey);
    return t ? this.summary(t) : null;
  }

  async findTicketByThread(thread: ThreadTarget) {
    const t = this.tickets.find((x) => x.visibility === 'public' && x.threads.some((th) => sameThread(th, thread)));
    return t ? this.summary(t) : null;
  }

  async linkThread(ticketNumber: number, thread: ThreadTarget & { locale: Locale }) {
    const t = this.ticket(ticketNumber);
    if (!t.threads.some((th) => sameThread(th, thread))) t.threads.push(thread);
  }

  async addThreadReply(input: Parameters<DeskPort['addThreadReply']>[0]) {
    const t = this.tickets.find((x) => x.visibility === 'public' && x.threads.some((th) => sameThread(th, input.thread)));
    if (!t) return null;
    if (t.comments.some((c) => c.externalRef === input.externalRef)) return { ticket: this.summary(t), followUpOf: null };
    if (t.status === 'closed') throw new DomainError('ticket_closed', 'closed');
    const linked = await this.findLinkedUser(input.author);
    const author = linked ?? (input.author.email ? await this.linkByEmail({ ...input.author, email: input.author.email }) : null);
    t.comments.push({ body: input.body, public: true, authorId: author?.id ?? null, via: input.via, externalRef: input.externalRef, files: input.files ?? [], deleted: false });
    if (t.status === 'pending' || t.status === 'solved') t.status = 'open';
    return { ticket: this.summary(t), followUpOf: null };
  }

  async editThreadReply(input: { via: string; externalRef: string; body: string }) {
    const c = this.tickets.flatMap((t) => t.comments).find((x) => x.externalRef === input.externalRef);
    if (!c) throw new DomainError('comment_not_found', 'no comment');
    c.body = input.body;
  }

  async deleteThreadReply(input: { via: string; externalRef: string }) {
    const c = this.tickets.flatMap((t) => t.comments).find((x) => x.externalRef === input.externalRef);
    if (!c) throw new DomainError('comment_not_found', 'no comment');
    c.deleted = true;
  }

  async listActiveTickets(userId: string) {
    return this.tickets.filter((t) => t.requesterId === userId && t.status !== 'closed').map((t) => this.summary(t));
  }

  async getTicketForRequester(): Promise<TicketDetail | null> {
    return null;
  }

  async listPublicComments(): Promise<PublicComment[] | null> {
    return null;
  }

  async addRequesterComment(input: { via: string; ticketNumber: number; userId: string; body: string }) {
    const t = this.ticket(input.ticketNumber);
    t.comments.push({ body: input.body, public: true, authorId: input.userId, via: input.via, externalRef: null, files: [], deleted: false });
    return this.summary(t);
  }

  private ownSolved(ticketNumber: number, userId: string): MemTicket {
    const t = this.ticket(ticketNumber);
    if (t.requesterId !== userId) throw new DomainError('ticket_not_found', 'not yours');
    if (t.status !== 'solved') throw new DomainError('not_solved', 'not solved');
    return t;
  }

  async rate(input: { via: string; ticketNumber: number; userId: string; score: number; comment?: string | null }) {
    if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) throw new DomainError('invalid_score', 'score');
    const t = this.ownSolved(input.ticketNumber, input.userId);
    const from = t.status;
    t.rating = { score: input.score, comment: input.comment ?? null };
    t.status = 'closed';
    this.emit(t, { kind: 'status_changed', ticket: this.summary(t), from, to: 'closed' });
    return this.summary(t);
  }

  async commentRating(input: { ticketNumber: number; comment: string }) {
    const t = this.ticket(input.ticketNumber);
    if (t.rating) t.rating.comment = input.comment;
  }

  async reopen(input: { via: string; ticketNumber: number; userId: string; reason: string }) {
    if (!input.reason.trim()) throw new DomainError('reason_required', 'reason');
    const t = this.ownSolved(input.ticketNumber, input.userId);
    t.comments.push({ body: input.reason, public: true, authorId: input.userId, via: input.via, externalRef: null, files: [], deleted: false });
    t.status = 'open';
    this.emit(t, { kind: 'status_changed', ticket: this.summary(t), from: 'solved', to: 'open' });
    return this.summary(t);
  }

  async getChatService(chat: { platform: string; workspaceId: string; chatId: string }) {
    const id = this.chatServices.get(`${chat.platform}:${chat.workspaceId}:${chat.chatId}`);
    return this.services.find((s) => s.id === id) ?? null;
  }

  async setChatService(chat: { platform: string; workspaceId: string; chatId: string }, serviceId: string) {
    this.chatServices.set(`${chat.platform}:${chat.workspaceId}:${chat.chatId}`, serviceId);
  }

  async getDialogState(ref: ChatUserRef & { chatId: string }) {
    return this.dialog.get(`${refKey(ref)}:${ref.chatId}`) ?? null;
  }

  async setDialogState(ref: ChatUserRef & { chatId: string }, state: Record<string, unknown> | null) {
    const k = `${refKey(ref)}:${ref.chatId}`;
    if (state) this.dialog.set(k, state);
    else this.dialog.delete(k);
  }

  // ---- what agents do in the help center (drives the outbox) ----

  agentComment(ticketNumber: number, authorName: string, body: string, isPublic: boolean): void {
    const t = this.ticket(ticketNumber);
    t.comments.push({ body, public: isPublic, authorId: 'agent', via: 'web', externalRef: null, files: [], deleted: false });
    if (isPublic) this.emit(t, { kind: 'agent_reply', ticket: this.summary(t), authorName, body });
  }

  agentSetStatus(ticketNumber: number, to: TicketStatus): void {
    const t = this.ticket(ticketNumber);
    const from = t.status;
    t.status = to;
    this.emit(t, { kind: 'status_changed', ticket: this.summary(t), from, to });
    if (to === 'solved') this.emit(t, { kind: 'rating_prompt', ticket: this.summary(t) });
  }
}
