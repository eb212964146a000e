/**
 * The help center from the requester's side: their tickets, one ticket's public conversation, and what they may do
 * on it (reply, rate a solved ticket, reopen it with a reason), their chat accounts and preferences. The visibility
 * rules live here, once, for every way an end user reaches their tickets (the web pages today, the conversation
 * engine's chats next): an end user sees and acts on public tickets they requested, never a private ticket, never
 * an internal note, never the description of a ticket that was private.
 *
 * Organizations do not share tickets: a colleague's ticket is not in "My activity" and answers as unknown. That is
 * the safe default (people in one organization may not want each other to read their requests); sharing would be a
 * rule added to `visibleTo`, the one place that decides.
 */
import { DomainError } from '../errors.ts';
import { LOCALES } from '../locale.ts';
import type { ChatAccount, RequesterPreferences, RequesterRepo } from '../ports/help-center-port.ts';
import type { AttachmentView, CommentView, Page, Store, TicketView } from '../ports/store-port.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import type { TicketStatus } from '../tickets/ticket-types.ts';

export const MAX_REPLY_LENGTH = 20_000;
export const MAX_QUERY_LENGTH = 200;

/** A ticket as its requester sees it: nothing about agents' work on it (assignee, priority, private notes). */
export interface RequesterTicket {
  number: number;
  subject: string;
  status: TicketStatus;
  via: string;
  serviceName: string | null;
  /** Null when the description is an internal note (the ticket was private once). */
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  rating: { score: number; comment: string | null } | null;
}

export interface RequesterComment {
  id: string;
  body: string;
  authorName: string;
  /** Written by support (an agent) rather than by the requester. */
  fromSupport: boolean;
  via: string;
  attachments: AttachmentView[];
  createdAt: Date;
}

export interface RequesterServiceDeps {
  store: Pick<Store, 'getTicket' | 'listComments'>;
  repo: RequesterRepo;
  tickets: Pick<TicketService, 'comment' | 'rate' | 'reopen'>;
  createLinkCode: (userId: string) => Promise<{ code: string; expiresAt: Date }>;
}

const notFound = (number: number) => new DomainError('ticket_not_found', `ticket ${number} does not exist`);

/** The one rule: the requester, on a public ticket. */
export function visibleTo(t: TicketView, userId: string): boolean {
  return t.requester.id === userId && t.visibility === 'public';
}

function asRequesterTicket(t: TicketView): RequesterTicket {
  return {
    number: t.number,
    subject: t.subject,
    status: t.status,
    via: t.via,
    serviceName: t.service?.name ?? null,
    description: t.descriptionPublic ? t.description : null,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    rating: t.rating ? { score: t.rating.score, comment: t.rating.comment } : null,
  };
}

function asRequesterComment(c: CommentView): RequesterComment {
  return {
    id: c.id,
    body: c.body,
    authorName: c.author.name,
    fromSupport: c.author.role !== 'end_user',
    via: c.via,
    attachments: c.attachments,
    createdAt: c.createdAt,
  };
}

export function createRequesterService(deps: RequesterServiceDeps) {
  const { store, repo, tickets } = deps;

  async function own(userId: string, number: number): Promise<TicketView> {
    const t = await store.getTicket(number);
    // Another person's ticket and a private one answer exactly as a number that does not exist.
    if (!t || !visibleTo(t, userId)) throw notFound(number);
    return t;
  }

  const actor = (userId: string) => ({ id: userId, role: 'end_user' as const });

  return {
    async myTickets(userId: string, opts: { query?: string | null; cursor?: string | null; limit?: number } = {}): Promise<Page<RequesterTicket>> {
      const query = opts.query?.trim().slice(0, MAX_QUERY_LENGTH) || null;
      const page = await repo.listRequesterTickets(userId, query, { limit: Math.min(Math.max(opts.limit ?? 25, 1), 100), cursor: opts.cursor ?? null });
      return { items: page.items.filter((t) => visibleTo(t, userId)).map(asRequesterTicket), nextCursor: page.nextCursor };
    },

    async myTicket(userId: string, number: number): Promise<{ ticket: RequesterTicket; comments: RequesterComment[] }> {
      const t = await own(userId, number);
      const comments = await store.listComments(t.id, { publicOnly: true });
      // A reply deleted in its chat is gone for the reader too (agents still see it, struck through).
      return { ticket: asRequesterTicket(t), comments: comments.filter((c) => c.public && !c.deletedAt).map(asRequesterComment) };
    },

    /** A public comment by the requester. On a solved ticket it reopens it; on a closed one it starts a follow-up. */
    async reply(userId: string, number: number, body: string, via: string, attachmentIds: string[] = []): Promise<{ ticket: RequesterTicket; followUp: RequesterTicket | null }> {
      const text = body.trim();
      if (!text) throw new DomainError('validation_failed', 'write a message first', 'body');
      if (text.length > MAX_REPLY_LENGTH) throw new DomainError('validation_failed', `at most ${MAX_REPLY_LENGTH} characters`, 'body');
      await own(userId, number);
      const r = await tickets.comment(number, actor(userId), { body: text, public: true, via, ...(attachmentIds.length ? { attachmentIds } : {}) });
      return { ticket: asRequesterTicket(r.ticket), followUp: r.followUp ? asRequesterTicket(r.followUp) : null };
    },

    /** Rates a solved ticket 1-5, with an optional comment; the rating closes it. */
    async rate(userId: string, number: number, score: number, comment: string | null, via: string): Promise<RequesterTicket> {
      if (!Number.isInteger(score) || score < 1 || score > 5) throw new DomainError('invalid_score', 'the score is 1 to 5', 'score');
      await own(userId, number);
      const c = comment?.trim().slice(0, MAX_REPLY_LENGTH) || null;
      return asRequesterTicket(await tickets.rate(number, actor(userId), score, c, via));
    },

    /** Reopens a solved ticket; the reason becomes the requester's public comment. */
    async reopen(userId: string, number: number, reason: string, via: string): Promise<RequesterTicket> {
      const text = reason.trim();
      if (text.length > MAX_REPLY_LENGTH) throw new DomainError('validation_failed', `at most ${MAX_REPLY_LENGTH} characters`, 'reason');
      await own(userId, number);
      return asRequesterTicket(await tickets.reopen(number, actor(userId), text, via));
    },

    chatAccounts: (userId: string): Promise<ChatAccount[]> => repo.listChatAccounts(userId),

    /** A one-time code that links a chat account to this user (the bot accepts it; e.g. `/start <code>`). */
    newChatLinkCode: (userId: string) => deps.createLinkCode(userId),

    async unlinkChatAccount(userId: string, accountId: string): Promise<ChatAccount> {
      const gone = await repo.unlinkChatAccount(userId, accountId);
      if (!gone) throw new DomainError('not_found', 'no such chat account of yours');
      return gone;
    },

    async preferences(userId: string): Promise<RequesterPreferences> {
      const p = await repo.getPreferences(userId);
      if (!p) throw new DomainError('user_not_found', `user ${userId} does not exist`);
      return p;
    },

    async setPreferences(userId: string, patch: { locale?: string; emailReplies?: boolean }): Promise<void> {
      if (patch.locale !== undefined && !(LOCALES as readonly string[]).includes(patch.locale))
        throw new DomainError('validation_failed', `the language is one of ${LOCALES.join(', ')}`, 'locale');
      await repo.setPreferences(userId, patch);
    },
  };
}

export type RequesterService = ReturnType<typeof createRequesterService>;
