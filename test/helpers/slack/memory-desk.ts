/**
 * A tiny in-memory DeskPort with just enough of the ticket rules for the Slack tests (dedupe by source key,
 * threads, comments with external refs, rate/reopen only when solved). It also queues what the sync engine would
 * deliver (confirmations, agent replies, status changes), so tests can push those through the adapter.
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
  TicketDetail,
} from '../../../src/core/ports/desk-port.ts';
import { TICKET_STATUSES, type TicketStatus } from '../../../src/core/tickets/ticket-types.ts';

export interface MemoryComment {
  id: string;
  body: string;
  authorId: string;
  externalRef: string | null;
  files: { name: string; url: string }[];
  edited: boolean;
  deleted: boolean;
  history: string[];
}

export interface MemoryTicket {
  summary: TicketSummary;
  description: string;
  requesterId: string;
  submitter: ChatUserRef | null;
  serviceId: string | null;
  sourceKey: string | null;
  sourceUrl: string | null;
  threads: (ThreadTarget & { locale: Locale })[];
  comments: MemoryComment[];
  rating: { score: number; comment: string | null } | null;
  via: string;
}

export interface Outgoing {
  thread: ThreadTarget & { locale: Locale };
  message: RichMessage;
  deliveryKey: string;
}

function refKey(r: ChatUserRef): string {
  return `${r.platform}:${r.workspaceId}:${r.platformUserId}`;
}

function sameThread(a: ThreadTarget, b: ThreadTarget): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.chatId === b.chatId && a.threadRef === b.threadRef;
}

export class MemoryDesk implements DeskPort {
  readonly statuses = TICKET_STATUSES;
  readonly minDescriptionLength = 10;
  async isTicketThread(thread: ThreadTarget): Promise<boolean> {
    return (await this.findTicketByThread(thread)) !== null;
  }
  readonly users = new Map<string, DeskUser>();
  readonly links = new Map<string, string>();
  readonly tickets: MemoryTicket[] = [];
  readonly outbox: Outgoing[] = [];
  readonly dialog = new Map<string, Record<string, unknown>>();
  services = [
    { id: 'svc-general', name: 'General' },
    { id: 'svc-it', name: 'IT' },
  ];
  private seq = 0;

  constructor(private readonly publicUrl: string) {}

  // ---- test helpers --------------------------------------------------------------------------------------------

  ticket(number: number): MemoryTicket {
    const t = this.tickets.find((x) => x.summary.number === number);
    if (!t) throw new Error(`no ticket #${number}`);
    return t;
  }

  /** An agent changes the status; the sync engine would tell the ticket's threads. */
  setStatus(number: number, to: TicketStatus): void {
    const t = this.ticket(number);
    const from = t.summary.status;
    t.summary.status = to;
    for (const thread of t.threads) {
      const message: RichMessage =
        to === 'solved' ? { kind: 'rating_prompt', ticket: { ...t.summary } } : { kind: 'status_changed', ticket: { ...t.summary }, from, to };
      this.queue(thread, message);
    }
  }

  /** An agent's public reply; the sync engine would post it into the ticket's threads. */
  agentReply(number: number, authorName: string, body: string): void {
    const t = this.ticket(number);
    for (const thread of t.threads) this.queue(thread, { kind: 'agent_reply', ticket: { ...t.summary }, authorName, body });
  }

  private queue(thread: ThreadTarget & { locale: Locale }, message: RichMessage): void {
    this.seq += 1;
    this.outbox.push({ thread, message, deliveryKey: `delivery-${this.seq}` });
  }

  // ---- DeskPort ------------------------------------------------------------------------------------------------

  async listServices() {
    return this.services;
  }

  async findLinkedUser(ref: ChatUserRef): Promise<DeskUser | null> {
    const id = this.links.get(refKey(ref));
    return id ? (this.users.get(id) ?? null) : null;
  }

  private userByEmail(email: string, name?: string, locale: Locale = 'en'): DeskUser {
    const found = [...this.users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (found) return found;
    const user: DeskUser = { id: `user-${this.users.size + 1}`, email, name: name ?? email, locale };
    this.users.set(user.id, user);
    return user;
  }

  async linkByEmail(profile: ChatProfile & { email: string }): Promise<DeskUser> {
    const user = this.userByEmail(profile.email, profile.displayName, profile.locale);
    this.links.set(refKey(profile), user.id);
    return user;
  }

  async linkWithCode(): Promise<DeskUser> {
    throw new DomainError('link_code_invalid', 'no codes here');
  }

  async createTicket(input: CreateChatTicketInput): Promise<{ ticket: TicketSummary; created: boolean }> {
    if (input.sourceKey) {
      const existing = this.tickets.find((t) => t.sourceKey === input.sourceKey);
      if (existing) return { ticket: { ...existing.summary }, created: false };
    }
    let requester: DeskUser | null;
    if ('email' in input.requester) requester = this.userByEmail(input.requester.email, input.requester.name);
    else requester = await this.findLinkedUser(input.requester.chatUser);
    if (!requester) throw new DomainError('not_registered', 'not linked');
    const number = this.tickets.length + 1;
    const ticket: MemoryTicket = {
      summary: {
        number,
        subject: input.subject,
        status: 'new',
        priority: input.priority ?? 'normal',
        url: `${this.publicUrl}/tickets/${number}`,
      },
      description: input.description,
      requesterId: requester.id,
      submitter: input.submitter ?? null,
      serviceId: input.serviceId ?? null,
      sourceKey: input.sourceKey ?? null,
      sourceUrl: input.sourceUrl ?? null,
      threads: input.thread ? [input.thread] : [],
      comments: [],
      rating: null,
      via: input.via,
    };
    this.tickets.push(ticket);
    for (const thread of ticket.threads) this.queue(thread, { kind: 'ticket_confirmation', ticket: { ...ticket.summary } });
    return { ticket: { ...ticket.summary }, created: true };
  }

  async findTicketBySource(sourceKey: string): Promise<TicketSummary | null> {
    const t = this.tickets.find((x) => x.sourceKey === sourceKey);
    return t ? { ...t.summary } : null;
  }

  async findTicketByThread(thread: ThreadTarget): Promise<TicketSummary | null> {
    const t = this.tickets.find((x) => x.threads.some((th) => sameThread(th, thread)));
    return t ? { ...t.summary } : null;
  }

  async linkThread(ticketNumber: number, thread: ThreadTarget & { locale: Locale }): Promise<void> {
    const t = this.ticket(ticketNumber);
    if (!t.threads.some((th) => sameThread(th, thread))) t.threads.push(thread);
  }

  private commentByRef(externalRef: string): MemoryComment {
    for (const t of this.tickets) {
      const c = t.comments.find((x) => x.externalRef === externalRef);
      if (c) return c;
    }
    throw new DomainError('comment_not_found', 'unknown external ref');
  }

  async addThreadReply(input: Parameters<DeskPort['addThreadReply']>[0]) {
    const t = this.tickets.find((x) => x.threads.some((th) => sameThread(th, input.thread)));
    if (!t) return null;
    if (!t.comments.some((c) => c.externalRef === input.externalRef)) {
      const author = input.author.email
        ? this.userByEmail(input.author.email, input.author.displayName)
        : await this.findLinkedUser(input.author);
      if (!author) throw new DomainError('not_registered', 'not linked');
      t.comments.push({
        id: `comment-${t.comments.length + 1}`,
        body: input.body,
        authorId: author.id,
        externalRef: input.externalRef,
        files: input.files ?? [],
        edited: false,
        deleted: false,
        history: [],
      });
      if (t.summary.status === 'pending' || t.summary.status === 'solved') t.summary.status = 'open';
    }
    return { ticket: { ...t.summary }, followUpOf: null };
  }

  async editThreadReply(input: { via: string; externalRef: string; body: string }): Promise<void> {
    const c = this.commentByRef(input.externalRef);
    c.history.push(c.body);
    c.body = input.body;
    c.edited = true;
  }

  async deleteThreadReply(input: { via: string; externalRef: string }): Promise<void> {
    this.commentByRef(input.externalRef).deleted = true;
  }

  async listActiveTickets(userId: string): Promise<TicketSummary[]> {
    return this.tickets.filter((t) => t.requesterId === userId && t.summary.status !== 'closed').map((t) => ({ ...t.summary }));
  }

  async getTicketForRequester(): Promise<TicketDetail | null> {
    return null;
  }

  async listPublicComments() {
    return null;
  }

  async addRequesterComment(): Promise<TicketSummary> {
    throw new DomainError('forbidden', 'not used by Slack');
  }

  private ownSolved(ticketNumber: number, userId: string): MemoryTicket {
    const t = this.tickets.find((x) => x.summary.number === ticketNumber);
    if (!t || t.requesterId !== userId) throw new DomainError('ticket_not_found', 'no such ticket');
    if (t.summary.status !== 'solved') throw new DomainError('not_solved', 'not solved');
    return t;
  }

  async rate(input: { via: string; ticketNumber: number; userId: string; score: number; comment?: string | null }) {
    const t = this.ownSolved(input.ticketNumber, input.userId);
    if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) throw new DomainError('invalid_score', 'bad score');
    t.rating = { score: input.score, comment: input.comment ?? null };
    t.summary.status = 'closed';
    return { ...t.summary };
  }

  async commentRating(): Promise<void> {}

  async reopen(input: { via: string; ticketNumber: number; userId: string; reason: string }) {
    const t = this.ownSolved(input.ticketNumber, input.userId);
    if (input.reason.trim() === '') throw new DomainError('reason_required', 'reason required');
    t.comments.push({
      id: `comment-${t.comments.length + 1}`,
      body: input.reason,
      authorId: input.userId,
      externalRef: null,
      files: [],
      edited: false,
      deleted: false,
      history: [],
    });
    t.summary.status = 'open';
    return { ...t.summary };
  }

  async getChatService() {
    return null;
  }

  async setChatService(): Promise<void> {}

  async getDialogState(ref: ChatUserRef & { chatId: string }) {
    return this.dialog.get(`${refKey(ref)}:${ref.chatId}`) ?? null;
  }

  async setDialogState(ref: ChatUserRef & { chatId: string }, state: Record<string, unknown> | null): Promise<void> {
    const key = `${refKey(ref)}:${ref.chatId}`;
    if (state === null) this.dialog.delete(key);
    else this.dialog.set(key, state);
  }
}
