/**
 * The DeskPort every chat adapter talks to, built on the ticket and directory services. It knows chat accounts,
 * threads and source messages, but no platform: `platform` and `via` are data the adapters pass in.
 */
import { DomainError } from '../errors.ts';
import { toLocale } from '../locale.ts';
import type { ThreadTarget, TicketSummary } from '../ports/channel-port.ts';
import type { ChatProfile, ChatUserRef, DeskPort, DeskUser, TicketDetail } from '../ports/desk-port.ts';
import type { Store, TicketView, UserRecord } from '../ports/store-port.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { storable } from '../text-rules.ts';
import { TICKET_STATUSES } from '../tickets/ticket-types.ts';
import type { TicketService } from '../tickets/ticket-service.ts';

const DIALOG_TTL_MS = 24 * 3600_000;
/** A chat request needs a description a person can act on. */
export const MIN_DESCRIPTION_LENGTH = 10;
const ACTIVE = ['new', 'open', 'pending', 'on_hold', 'solved'] as const;

export interface ChatDeskDeps {
  store: Store;
  tickets: TicketService;
  directory: DirectoryService;
  publicUrl: string;
  clock?: () => Date;
}

export function ticketUrl(publicUrl: string, number: number): string {
  return `${publicUrl}/tickets/${number}`;
}

/** The same port, every call's arguments made storable first (see text-rules.ts). */
function storableArguments<T extends object>(port: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(port))
    out[name] = typeof member === 'function' ? (...args: unknown[]) => member(...args.map((a) => storable(a))) : member;
  return out as T;
}

export function createChatDesk(deps: ChatDeskDeps): DeskPort {
  const { store, tickets, directory } = deps;
  const now = deps.clock ?? (() => new Date());

  const summary = (t: TicketView): TicketSummary => ({
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    url: ticketUrl(deps.publicUrl, t.number),
  });
  const deskUser = (u: UserRecord): DeskUser => ({ id: u.id, email: u.email, name: u.name, locale: toLocale(u.locale) });
  const threadKey = (th: ThreadTarget) => ({
    platform: th.platform,
    workspaceId: th.workspaceId,
    chatId: th.chatId,
    threadRef: th.threadRef ?? '',
  });

  async function linkedOrThrow(ref: ChatUserRef): Promise<UserRecord> {
    const u = await store.findIdentity(ref.platform, ref.workspaceId, ref.platformUserId);
    if (!u) throw new DomainError('not_registered', 'this chat account is not linked to a help-center user');
    return u;
  }

  async function ownTicket(number: number, userId: string): Promise<TicketView | null> {
    const t = await store.getTicket(number);
    return t && t.requester.id === userId && t.visibility === 'public' ? t : null;
  }

  /** A thread can hold a closed ticket and its follow-up: the newest one is the live one. */
  async function ticketOfThread(thread: ThreadTarget): Promise<TicketView | null> {
    const found = await store.findTicketsByThread(threadKey(thread));
    return found.sort((a, b) => b.number - a.number)[0] ?? null;
  }
  async function publicTicketOfThread(thread: ThreadTarget): Promise<TicketView | null> {
    const t = await ticketOfThread(thread);
    return t && t.visibility === 'public' ? t : null;
  }

  // Chat text arrives as the platform sent it, from events and from the platform's API alike (a message read
  // back, a profile's name, a file's name); what PostgreSQL cannot hold is replaced here, on the way in.
  return storableArguments<DeskPort>({
    statuses: TICKET_STATUSES,
    minDescriptionLength: MIN_DESCRIPTION_LENGTH,

    listServices: async () => (await directory.listServices()).map((s) => ({ id: s.id, name: s.name })),

    async findLinkedUser(ref) {
      const u = await store.findIdentity(ref.platform, ref.workspaceId, ref.platformUserId);
      return u ? deskUser(u) : null;
    },

    async linkByEmail(profile) {
      const linked = await store.findIdentity(profile.platform, profile.workspaceId, profile.platformUserId);
      if (linked) return deskUser(linked);
      const user = await directory.findOrCreateEndUser(profile.email, profile.displayName, profile.locale);
      await store.upsertIdentity({ ...profile, userId: user.id, locale: profile.locale });
      return deskUser(user);
    },

    async linkWithCode(profile, code) {
      const user = await directory.redeemLinkCode(code);
      await store.upsertIdentity({ ...profile, userId: user.id, locale: profile.locale });
      return deskUser(user);
    },

    async createTicket(input) {
      if (input.description.trim().length < MIN_DESCRIPTION_LENGTH)
        throw new DomainError('description_too_short', `describe the problem in at least ${MIN_DESCRIPTION_LENGTH} characters`, 'description');
      const requester =
        'email' in input.requester
          ? await directory.findOrCreateEndUser(input.requester.email, input.requester.name ?? '', input.thread?.locale)
          : await linkedOrThrow(input.requester.chatUser);
      const submitter = input.submitter ? ((await store.findIdentity(input.submitter.platform, input.submitter.workspaceId, input.submitter.platformUserId)) ?? requester) : requester;
      const threads = [input.thread, ...(input.extraThreads ?? [])].filter((x): x is NonNullable<typeof x> => Boolean(x));
      const { ticket, created } = await tickets.create({
        subject: input.subject,
        description: input.description,
        via: input.via,
        submitter: { id: submitter.id, role: submitter.role },
        requesterId: requester.id,
        priority: input.priority,
        serviceId: input.serviceId ?? null,
        sourceUrl: input.sourceUrl ?? null,
        sourceKey: input.sourceKey ?? null,
        threads: threads.map((th) => ({ ...threadKey(th), locale: th.locale })),
      });
      return { ticket: summary(ticket), created };
    },

    async findTicketBySource(sourceKey) {
      const t = await store.findTicketBySourceKey(sourceKey);
      return t && t.visibility === 'public' ? summary(t) : null;
    },

    async findTicketByBotMessage(ref) {
      const t = await store.findTicketByDeliveredMessage(ref.platform, ref.workspaceId, ref.messageId);
      return t && t.visibility === 'public' ? summary(t) : null;
    },

    isTicketThread: async (thread) => (await ticketOfThread(thread)) !== null,

    async findTicketByThread(thread) {
      const t = await publicTicketOfThread(thread);
      return t ? summary(t) : null;
    },

    async linkThread(ticketNumber, thread) {
      await tickets.linkThread(ticketNumber, { ...threadKey(thread), locale: thread.locale }, thread.platform);
    },

    async addThreadReply(input) {
      const t = await ticketOfThread(input.thread);
      if (!t) return null;
      const author =
        (await store.findIdentity(input.author.platform, input.author.workspaceId, input.author.platformUserId)) ??
        (input.author.email ? await linkAndGet(input.author as ChatProfile & { email: string }) : null);
      if (!author) throw new DomainError('not_registered', 'this chat account is not linked to a help-center user');
      const r = await tickets.comment(t.number, { id: author.id, role: author.role }, {
        body: input.body,
        public: true,
        via: input.via,
        externalRef: input.externalRef,
        attachments: input.files ?? [],
        // On a closed ticket the message starts a follow-up that lives in this same thread.
        followUpThreads: [{ ...threadKey(input.thread), locale: input.author.locale }],
      }).catch(async (e: unknown) => {
        // A platform re-delivery of a message that is already a comment adds nothing.
        if ((e as { code?: string }).code === 'unique_violation') return null;
        throw e;
      });
      // On a ticket made private the rules keep the message as an internal comment; the chat learns nothing of it.
      if (t.visibility === 'private' && !r?.followUp) return null;
      if (!r) return { ticket: summary(t), followUpOf: null };
      if (r.followUp) return { ticket: summary(r.followUp), followUpOf: t.number };
      return { ticket: summary(r.ticket), followUpOf: null };
    },

    async editThreadReply(input) {
      await tickets.editExternalComment(input.externalRef, input.body, input.via);
    },

    async deleteThreadReply(input) {
      await tickets.deleteExternalComment(input.externalRef, input.via);
    },

    async listActiveTickets(userId) {
      const page = await store.listTickets({ requesterId: userId, publicOnly: true, status: [...ACTIVE] }, { limit: 50, cursor: null });
      return page.items.map(summary);
    },

    async getTicketForRequester(ticketNumber, userId): Promise<TicketDetail | null> {
      const t = await ownTicket(ticketNumber, userId);
      if (!t) return null;
      return {
        ...summary(t),
        description: t.descriptionPublic ? t.description : '',
        requesterEmail: t.requester.email,
        submitterEmail: t.submitter.email,
        ccEmail: t.requester.email,
        serviceName: t.service?.name ?? null,
        createdAt: t.createdAt,
        rating: t.rating ? { score: t.rating.score, comment: t.rating.comment } : null,
      };
    },

    async listPublicComments(ticketNumber, userId) {
      const t = await ownTicket(ticketNumber, userId);
      if (!t) return null;
      const comments = await store.listComments(t.id, { publicOnly: true });
      return comments
        .filter((c) => !c.deletedAt)
        .map((c) => ({ id: c.id, authorName: c.author.name, authorIsStaff: c.author.role !== 'end_user', body: c.body, createdAt: c.createdAt }));
    },

    async addRequesterComment(input) {
      const t = await ownTicket(input.ticketNumber, input.userId);
      if (!t) throw new DomainError('ticket_not_found', `ticket ${input.ticketNumber} does not exist`);
      const r = await tickets
        .comment(t.number, { id: t.requester.id, role: 'end_user' }, { body: input.body, public: true, via: input.via, externalRef: input.externalRef ?? null })
        .catch((e: unknown) => {
          // A re-run of the same platform message (after a crash) adds nothing.
          if ((e as { code?: string }).code === 'unique_violation') return null;
          throw e;
        });
      if (!r) return summary((await store.getTicket(t.number))!);
      return summary(r.followUp ?? r.ticket);
    },

    async rate(input) {
      const t = await ownTicket(input.ticketNumber, input.userId);
      if (!t) throw new DomainError('ticket_not_found', `ticket ${input.ticketNumber} does not exist`);
      return summary(await tickets.rate(t.number, { id: input.userId, role: 'end_user' }, input.score, input.comment ?? null, input.via));
    },

    async commentRating(input) {
      await tickets.commentRating(input.ticketNumber, { id: input.userId, role: 'end_user' }, input.comment, input.via ?? 'api');
    },

    async reopen(input) {
      const t = await ownTicket(input.ticketNumber, input.userId);
      if (!t) throw new DomainError('ticket_not_found', `ticket ${input.ticketNumber} does not exist`);
      return summary(await tickets.reopen(t.number, { id: input.userId, role: 'end_user' }, input.reason, input.via));
    },

    getChatService: (chat) => store.getChatService(chat.platform, chat.workspaceId, chat.chatId),

    async setChatService(chat, serviceId) {
      const s = await store.getService(serviceId);
      if (!s) throw new DomainError('service_not_found', 'unknown service');
      await store.setChatService(chat.platform, chat.workspaceId, chat.chatId, serviceId);
    },

    getDialogState: (ref) => store.getDialogState(ref, new Date(now().getTime() - DIALOG_TTL_MS)),
    setDialogState: (ref, state) => store.setDialogState(ref, state),
  });

  async function linkAndGet(profile: ChatProfile & { email: string }): Promise<UserRecord> {
    const user = await directory.findOrCreateEndUser(profile.email, profile.displayName, profile.locale);
    await store.upsertIdentity({ ...profile, userId: user.id, locale: profile.locale });
    return user;
  }
}
