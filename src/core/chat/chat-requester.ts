/**
 * What a requester does with their own tickets from a chat (rate, reopen, read, comment, list), registering a chat
 * account with a one-time code, asking for a sign-in link, and a group's service setting. Only the requester acts
 * on a ticket: to anyone else it does not exist (ticket_not_found), and a private ticket does not exist for anyone.
 */
import { DomainError, isDomainError } from '../errors.ts';
import type { TicketView, UserRecord } from '../ports/store-port.ts';
import type { ChatEvent, TicketAction } from './chat-events.ts';
import type { ResolvedPerson } from './chat-identity.ts';
import { notice, type TicketDetail } from './chat-messages.ts';
import { describeDraft } from './chat-requests.ts';
import { NO_REPLIES, type ChatContext, type ChatOutcome, type ReplyBase } from './chat-service.ts';
import { intakeFiles, tooLargeNotices } from './chat-thread.ts';

const ACTIVE = ['new', 'open', 'pending', 'on_hold', 'solved'] as const;

async function registered(who: ResolvedPerson): Promise<UserRecord> {
  const user = await who.user();
  if (!user) throw new DomainError('not_registered', 'this chat account is not linked to a help-center user');
  return user;
}

/** One of the user's own public tickets; anything else is "not found". */
async function ownTicket(ctx: ChatContext, number: number, user: UserRecord): Promise<TicketView> {
  const t = await ctx.deps.store.getTicket(number);
  if (!t || t.requester.id !== user.id || t.visibility !== 'public') throw new DomainError('ticket_not_found', `ticket ${number} does not exist`);
  return t;
}

function detailOf(ctx: ChatContext, t: TicketView): TicketDetail {
  return {
    ...ctx.summary(t),
    description: t.descriptionPublic ? t.description : '',
    requesterEmail: t.requester.email,
    serviceName: t.service?.name ?? null,
    createdAt: t.createdAt.toISOString(),
    rating: t.rating ? { score: t.rating.score, comment: t.rating.comment } : null,
  };
}

async function act(ctx: ChatContext, base: ReplyBase, who: ResolvedPerson, number: number, action: TicketAction, pressed: string | null): Promise<ChatOutcome> {
  const user = await registered(who);
  const me = { id: user.id, role: 'end_user' as const };
  const via = base.place.platform;
  const { tickets } = ctx.deps;
  const forms = ctx.deps.capabilities(via).forms;
  switch (action.kind) {
    case 'rate': {
      const t = await tickets.rate((await ownTicket(ctx, number, user)).number, me, action.score, action.comment, via);
      const replies = [
        ctx.reply(base, notice('common:rating.thanks', { number, score: action.score }, ctx.summary(t)), { brief: true }),
        // The buttons the person pressed are spent: where the platform can, they become the outcome, for all to see.
        ...(pressed ? [ctx.reply(base, notice('common:rating.done_public', { number, score: action.score }, ctx.summary(t)), { to: 'place', replaces: pressed })] : []),
      ];
      if (!forms && action.comment === null) {
        await ctx.dialog.set(who.person, { awaiting: 'rating_comment', ticket: number });
        replies.push(ctx.reply(base, { kind: 'prompt', for: 'rating_comment', ticket: ctx.summary(t) }));
      }
      return { replies };
    }
    case 'rating_comment': {
      await ownTicket(ctx, number, user);
      await tickets.commentRating(number, me, action.comment, via);
      await ctx.dialog.set(who.person, null);
      return { replies: [ctx.reply(base, notice('common:rating.comment_saved', { number }))] };
    }
    case 'skip_rating_comment':
      await ctx.dialog.set(who.person, null);
      return { replies: [ctx.reply(base, notice('common:rating.skipped', { number }), { brief: true, replaces: pressed })] };
    case 'reopen': {
      let t: TicketView;
      try {
        t = await tickets.reopen((await ownTicket(ctx, number, user)).number, me, action.reason, via);
      } catch (e) {
        // A refused reopen must not keep capturing the person's next messages; a missing reason may be typed again.
        if (isDomainError(e) && e.code !== 'reason_required') await ctx.dialog.set(who.person, null);
        throw e;
      }
      await ctx.dialog.set(who.person, null);
      return {
        replies: [
          ctx.reply(base, notice('common:reopen.done', { number }, ctx.summary(t)), { brief: true }),
          ...(pressed ? [ctx.reply(base, notice('common:reopen.done_public', { number }, ctx.summary(t)), { to: 'place', replaces: pressed })] : []),
        ],
      };
    }
    case 'show_detail':
      return { replies: [ctx.reply(base, { kind: 'ticket_detail', ticket: detailOf(ctx, await ownTicket(ctx, number, user)) })] };
    case 'show_comments': {
      const t = await ownTicket(ctx, number, user);
      const comments = (await ctx.deps.store.listComments(t.id, { publicOnly: true }))
        .filter((c) => !c.deletedAt)
        .map((c) => ({ id: c.id, authorName: c.author.name, authorIsStaff: c.author.role !== 'end_user', body: c.body, createdAt: c.createdAt.toISOString() }));
      return { replies: [ctx.reply(base, { kind: 'comment_list', ticket: ctx.summary(t), comments })] };
    }
    case 'ask_comment':
    case 'ask_reopen_reason': {
      const t = await ownTicket(ctx, number, user);
      if (action.kind === 'ask_reopen_reason' && t.status !== 'solved') throw new DomainError('not_solved', 'only a solved ticket can be reopened');
      const awaiting = action.kind === 'ask_comment' ? 'comment' : 'reopen_reason';
      await ctx.dialog.set(who.person, { awaiting, ticket: number });
      return { replies: [ctx.reply(base, { kind: 'prompt', for: awaiting, ticket: ctx.summary(t) })] };
    }
  }
}

/**
 * A message in a direct chat that belongs to no ticket: the answer to what the bot asked for, if it asked;
 * otherwise the help text (which tells an unregistered person how to register).
 */
export async function answerPrompt(ctx: ChatContext, e: Extract<ChatEvent, { type: 'message' }>, who: ResolvedPerson, text: string): Promise<ChatOutcome> {
  const base = { place: e.place, actor: e.author, locale: await who.locale() };
  const state = await ctx.dialog.get(e.author);
  const user = await who.user();
  // A comment may be files alone (a photo without a caption); every other answer needs words.
  const filesOnly = text === '' && e.files.length > 0 && state?.awaiting === 'comment';
  if (!state || !user || (text === '' && !filesOnly)) return { replies: [ctx.reply(base, { kind: 'help', registered: user !== null })] };
  switch (state.awaiting) {
    case 'description':
      return describeDraft(ctx, base, who, state.draftId, text);
    case 'comment': {
      const t = await ownTicket(ctx, state.ticket, user);
      const files = await intakeFiles(ctx, e.place.platform, e.files);
      const written = await ctx.deps.tickets
        .comment(t.number, { id: user.id, role: 'end_user' }, { body: text, public: true, via: e.place.platform, externalRef: ctx.messageRef(e.place, e.messageId), attachments: files.attachments })
        .then(
          () => true,
          (err: unknown) => {
            if ((err as { code?: string }).code !== 'unique_violation') throw err;
            return false;
          },
        )
        .catch(async (err: unknown) => {
          await files.discard();
          throw err;
        });
      if (!written) await files.discard();
      await ctx.dialog.set(e.author, null);
      return { replies: [ctx.reply(base, notice('common:comment.added', { number: t.number }, ctx.summary(t))), ...(written ? tooLargeNotices(ctx, base, files) : [])] };
    }
    case 'rating_comment':
      return act(ctx, base, who, state.ticket, { kind: 'rating_comment', comment: text }, null);
    case 'reopen_reason':
      return act(ctx, base, who, state.ticket, { kind: 'reopen', reason: text }, null);
  }
}

export async function handleRequesterEvent(ctx: ChatContext, e: ChatEvent, who: ResolvedPerson): Promise<ChatOutcome | null> {
  if (e.type === 'message' || e.type === 'message_edited' || e.type === 'message_deleted') return null;
  const base = { place: e.place, actor: e.actor, locale: await who.locale() };
  switch (e.type) {
    case 'ticket_action':
      return act(ctx, base, who, e.ticketNumber, e.action, e.pressedMessageId);
    case 'my_tickets': {
      const user = await registered(who);
      const page = await ctx.deps.store.listTickets({ requesterId: user.id, publicOnly: true, status: [...ACTIVE] }, { limit: 50, cursor: null });
      return { replies: [ctx.reply(base, { kind: 'ticket_list', tickets: page.items.map(ctx.summary) })] };
    }
    case 'help_wanted':
      await ctx.dialog.set(e.actor, null);
      return { replies: [ctx.reply(base, { kind: 'help', registered: (await who.user()) !== null })] };
    case 'registration': {
      // A code typed where others read it is still the person's; but it is only accepted in their direct chat.
      if (!e.place.direct) return { replies: [ctx.reply(base, notice('common:chat.register_direct_only'), { brief: true })] };
      const user = await ctx.deps.directory.redeemLinkCode(e.code);
      await ctx.identity.link(e.actor, user);
      await ctx.dialog.set(e.actor, null);
      return { replies: [ctx.reply(base, { kind: 'registered', name: user.name, email: user.email })] };
    }
    case 'sign_in_wanted': {
      // A sign-in link is a key to the person's tickets: it is only ever given in their direct chat.
      if (!e.place.direct) return { replies: [ctx.reply(base, notice('common:chat.sign_in_direct_only'), { brief: true })] };
      const user = await registered(who);
      if (!ctx.deps.signInLinks) return { replies: [ctx.reply(base, notice('common:chat.sign_in_unavailable'))] };
      const link = user.role === 'end_user' ? await ctx.deps.signInLinks.linkForChatUser(e.actor) : null;
      if (!link) return { replies: [ctx.reply(base, notice('common:chat.sign_in_unavailable'))] };
      return { replies: [ctx.reply(base, { kind: 'sign_in_link', url: link.url, expiresAt: link.expiresAt.toISOString() })] };
    }
    case 'chat_config_wanted': {
      if (!e.byAdmin) return { replies: [ctx.reply(base, notice('common:chat.config_admins_only'), { to: 'place' })] };
      const services = (await ctx.deps.directory.listServices()).map((s) => ({ id: s.id, name: s.name }));
      if (services.length === 0) return { replies: [ctx.reply(base, notice('common:chat.no_services'), { to: 'place' })] };
      const current = await ctx.deps.store.getChatService(e.place.platform, e.place.workspaceId, e.place.chatId);
      return { replies: [ctx.reply(base, { kind: 'service_choice', services, current }, { to: 'place' })] };
    }
    case 'chat_service_chosen': {
      if (!e.byAdmin) return { replies: [ctx.reply(base, notice('common:chat.config_admins_only'), { brief: true })] };
      const service = e.serviceId ? await ctx.deps.store.getService(e.serviceId) : null;
      if (!service) throw new DomainError('service_not_found', 'unknown service');
      await ctx.deps.store.setChatService(e.place.platform, e.place.workspaceId, e.place.chatId, service.id);
      return { replies: [ctx.reply(base, notice('common:chat.config_done', { service: service.name }), { to: 'place', replaces: e.pressedMessageId })] };
    }
    default:
      return NO_REPLIES;
  }
}
