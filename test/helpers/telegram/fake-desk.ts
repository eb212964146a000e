/**
 * A tiny in-memory DeskPort for the Telegram tests: just enough of the core's rules (link codes, ticket
 * ownership, rate only when solved, reopen with a reason) to see that the adapter asks and renders correctly.
 */
import { DomainError } from '../../../src/core/errors.ts';
import type { Locale } from '../../../src/core/locale.ts';
import type { ThreadTarget, TicketSummary } from '../../../src/core/ports/channel-port.ts';
import type {
  ChatProfile,
  ChatUserRef,
  CreateChatTicketInput,
  DeskPort,
  DeskUser,
  InboxPort,
  PublicComment,
  TicketDetail,
} from '../../../src/core/ports/desk-port.ts';
import { TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../../../src/core/tickets/ticket-types.ts';

export interface FakeTicket {
  number: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  visibility: 'public' | 'private';
  requesterId: string;
  serviceId: string | null;
  createdAt: Date;
  rating: { score: number; comment: string | null } | null;
  comments: (PublicComment & { public: boolean; externalRef?: string })[];
  threads: (ThreadTarget & { locale: Locale })[];
}

const refKey = (r: ChatUserRef) => `${r.platform}|${r.workspaceId}|${r.platformUserId}`;

export class FakeDesk implements DeskPort {
  readonly statuses = TICKET_STATUSES;
  readonly minDescriptionLength = 10;
  async isTicketThread(): Promise<boolean> {
    return (await this.findTicketByThread()) !== null;
  }
  services = [
    { id: 'svc-general', name: 'General' },
    { id: 'svc-billing', name: 'Billing & Payments' },
  ];
  readonly users = new Map<string, DeskUser>();
  readonly links = new Map<string, string>();
  readonly codes = new Map<string, { userId: string; expiresAt: Date; used: boolean }>();
  readonly tickets = new Map<number, FakeTicket>();
  readonly created: CreateChatTicketInput[] = [];
  readonly chatServices = new Map<string, string>();
  readonly dialog = new Map<string, Record<string, unknown>>();
  private readonly sources = new Map<string, number>();
  private nextNumber = 100;
  /** The sync engine's part: told about every new ticket (the harness delivers the confirmation). */
  onCreated: (ticket: FakeTicket) => void = () => {};

  constructor(private readonly publicUrl = 'https://desk.example') {}

  addUser(email: string, name: string, locale: Locale = 'en'): DeskUser {
    const user = { id: `u-${this.users.size + 1}`, email, name, locale };
    this.users.set(user.id, user);
    return user;
  }

  issueCode(userId: string, opts: { expired?: boolean } = {}): string {
    const code = `code${this.codes.size + 1}x${userId.replace(/\W/g, '')}`;
    this.codes.set(code, { userId, expiresAt: new Date(Date.now() + (opts.expired ? -60_000 : 3_600_000)), used: false });
    return code;
  }

  linkDirectly(ref: ChatUserRef, userId: string): void {
    this.links.set(refKey(ref), userId);
  }

  summary(t: FakeTicket): TicketSummary {
    return { number: t.number, subject: t.subject, status: t.status, priority: t.priority, url: `${this.publicUrl}/tickets/${t.number}` };
  }

  private own(ticketNumber: number, userId: string): FakeTicket {
    const t = this.tickets.get(ticketNumber);
    if (!t || t.requesterId !== userId || t.visibility === 'private') throw new DomainError('ticket_not_found', 'no such ticket');
    return t;
  }

  async listServices() {
    return this.services;
  }

  async findLinkedUser(ref: ChatUserRef) {
    const id = this.links.get(refKey(ref));
    return id ? (this.users.get(id) ?? null) : null;
  }

  async linkByEmail(profile: ChatProfile & { email: string }) {
    const user = [...this.users.values()].find((u) => u.email === profile.email) ?? this.addUser(profile.email, profile.displayName);
    this.links.set(refKey(profile), user.id);
    return user;
  }

  async linkWithCode(profile: ChatProfile, code: string) {
    const entry = this.codes.get(code);
    if (!entry) throw new DomainError('link_code_invalid', 'unknown code');
    if (entry.used) throw new DomainError('link_code_used', 'code used');
    if (entry.expiresAt.getTime() < Date.now()) throw new DomainError('link_code_expired', 'code expired');
    entry.used = true;
    this.links.set(refKey(profile), entry.userId);
    return this.users.get(entry.userId)!;
  }

  async createTicket(input: CreateChatTicketInput) {
    this.created.push(input);
    const existing = input.sourceKey ? this.sources.get(input.sourceKey) : undefined;
    if (existing !== undefined) return { ticket: this.summary(this.tickets.get(existing)!), created: false };
    if (!('chatUser' in input.requester)) throw new Error('fake: only chat requesters');
    const requester = await this.findLinkedUser(input.requester.chatUser);
    if (!requester) throw new DomainError('not_registered', 'not linked');
    if ([...input.description.trim()].length < 10) throw new DomainError('description_too_short', 'short', 'description');
    const ticket: FakeTicket = {
      number: ++this.nextNumber,
      subject: input.subject,
      description: input.description,
      status: 'new',
      priority: input.priority ?? 'normal',
      visibility: 'public',
      requesterId: requester.id,
      serviceId: input.serviceId ?? null,
      createdAt: new Date('2024-05-01T12:34:56.000Z'),
      rating: null,
      comments: [],
      threads: [...(input.thread ? [input.thread] : []), ...(input.extraThreads ?? [])],
    };
    this.tickets.set(ticket.number, ticket);
    if (input.sourceKey) this.sources.set(input.sourceKey, ticket.number);
    this.onCreated(ticket);
    return { ticket: this.summary(ticket), created: true };
  }

  async findTicketBySource(sourceKey: string) {
    const n = this.sources.get(sourceKey);
    return n === undefined ? null : this.summary(this.tickets.get(n)!);
  }

  async findTicketByThread() {
    return null;
  }

  async linkThread(ticketNumber: number, thread: ThreadTarget & { locale: Locale }) {
    this.tickets.get(ticketNumber)?.threads.push(thread);
  }

  async addThreadReply() {
    return null;
  }

  async editThreadReply() {}

  async deleteThreadReply() {}

  async listActiveTickets(userId: string) {
    return [...this.tickets.values()]
      .filter((t) => t.requesterId === userId && t.status !== 'closed' && t.visibility === 'public')
      .sort((a, b) => b.number - a.number)
      .map((t) => this.summary(t));
  }

  async getTicketForRequester(ticketNumber: number, userId: string): Promise<TicketDetail | null> {
    const t = this.tickets.get(ticketNumber);
    if (!t || t.requesterId !== userId || t.visibility === 'private') return null;
    const email = this.users.get(t.requesterId)!.email;
    return {
      ...this.summary(t),
      description: t.description,
      requesterEmail: email,
      submitterEmail: email,
      ccEmail: email,
      serviceName: this.services.find((s) => s.id === t.serviceId)?.name ?? null,
      createdAt: t.createdAt,
      rating: t.rating,
    };
  }

  async listPublicComments(ticketNumber: number, userId: string) {
    const t = this.tickets.get(ticketNumber);
    if (!t || t.requesterId !== userId || t.visibility === 'private') return null;
    return t.comments.filter((c) => c.public).map(({ public: _p, externalRef: _e, ...c }) => c);
  }

  async addRequesterComment(input: { via: string; ticketNumber: number; userId: string; body: string; externalRef?: string }) {
    const t = this.own(input.ticketNumber, input.userId);
    if (t.status === 'closed') throw new DomainError('ticket_closed', 'closed');
    if (!input.externalRef || !t.comments.some((c) => c.externalRef === input.externalRef)) {
      t.comments.push({
        id: `c${t.comments.length + 1}`,
        authorName: this.users.get(input.userId)!.name,
        authorIsStaff: false,
        body: input.body,
        createdAt: new Date('2024-05-02T08:00:00.000Z'),
        public: true,
        ...(input.externalRef ? { externalRef: input.externalRef } : {}),
      });
    }
    return this.summary(t);
  }

  addAgentComment(ticketNumber: number, body: string, isPublic: boolean): void {
    this.tickets.get(ticketNumber)!.comments.push({
      id: `c${this.tickets.get(ticketNumber)!.comments.length + 1}`,
      authorName: 'Agent Smith',
      authorIsStaff: true,
      body,
      createdAt: new Date('2024-05-03T09:15:00.000Z'),
      public: isPublic,
    });
  }

  async rate(input: { via: string; ticketNumber: number; userId: string; score: number; comment?: string | null }) {
    const t = this.own(input.ticketNumber, input.userId);
    if (t.rating) throw new DomainError('already_rated', 'rated');
    if (t.status !== 'solved') throw new DomainError('not_solved', 'not solved');
    if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) throw new DomainError('invalid_score', 'score');
    t.rating = { score: input.score, comment: input.comment ?? null };
    t.status = 'closed';
    return this.summary(t);
  }

  async commentRating(input: { ticketNumber: number; userId: string; comment: string }) {
    const t = this.own(input.ticketNumber, input.userId);
    if (!t.rating) throw new DomainError('not_solved', 'no rating');
    t.rating.comment = input.comment;
  }

  async reopen(input: { via: string; ticketNumber: number; userId: string; reason: string }) {
    const t = this.own(input.ticketNumber, input.userId);
    if (t.status !== 'solved') throw new DomainError('not_solved', 'not solved');
    if (input.reason.trim() === '') throw new DomainError('reason_required', 'reason');
    t.status = 'open';
    await this.addRequesterComment({ via: input.via, ticketNumber: t.number, userId: input.userId, body: input.reason });
    return this.summary(t);
  }

  async getChatService(chat: { platform: string; workspaceId: string; chatId: string }) {
    const id = this.chatServices.get(`${chat.platform}|${chat.workspaceId}|${chat.chatId}`);
    return this.services.find((s) => s.id === id) ?? null;
  }

  async setChatService(chat: { platform: string; workspaceId: string; chatId: string }, serviceId: string) {
    if (!this.services.some((s) => s.id === serviceId)) throw new DomainError('service_not_found', 'no service');
    this.chatServices.set(`${chat.platform}|${chat.workspaceId}|${chat.chatId}`, serviceId);
  }

  async getDialogState(ref: ChatUserRef & { chatId: string }) {
    return this.dialog.get(`${refKey(ref)}|${ref.chatId}`) ?? null;
  }

  async setDialogState(ref: ChatUserRef & { chatId: string }, state: Record<string, unknown> | null) {
    const key = `${refKey(ref)}|${ref.chatId}`;
    if (state === null) this.dialog.delete(key);
    else this.dialog.set(key, structuredClone(state));
  }
}

export interface InboxRow {
  id: string;
  platform: string;
  externalId: string;
  payload: unknown;
  receivedAt: Date;
}

/** The durable inbox: one insert per (platform, externalId); a second one is reported as a duplicate. */
export class FakeInbox implements InboxPort {
  readonly rows: InboxRow[] = [];
  /** Awaited inside record(), before the row exists: lets a test hold or fail the insert. */
  gate: (() => Promise<void>) | null = null;

  async record(event: { platform: string; externalId: string; payload: unknown }) {
    if (this.gate) await this.gate();
    const existing = this.rows.find((r) => r.platform === event.platform && r.externalId === event.externalId);
    if (existing) return { id: existing.id, duplicate: true };
    const row = { id: `in-${this.rows.length + 1}`, ...event, payload: structuredClone(event.payload), receivedAt: new Date() };
    this.rows.push(row);
    return { id: row.id, duplicate: false };
  }
}
