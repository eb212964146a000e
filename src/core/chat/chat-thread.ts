/**
 * Messages in a ticket's thread (or under one of the bot's messages of a ticket), and their edits and deletes.
 *
 * - The requester's message is their public comment: it reopens a pending or solved ticket, and on a closed one it
 *   starts a follow-up that lives where the message was written.
 * - Anyone else's message is a comment too (like a CC's), but never reopens and never starts a follow-up in the
 *   requester's name: on a closed ticket they are told to open a request of their own.
 * - On a ticket made private the message is kept as an internal note and nothing is said back.
 * - A message in a direct chat that belongs to no ticket answers what the bot asked for, if anything (see
 *   chat-requester.ts), else the person gets the help text.
 * - A message that mentions the bot in a group and belongs to no ticket asks for help about itself, in the thread it
 *   was written in (adapters cannot tell a ticket's thread from any other).
 */
import { isStaff } from '../tickets/ticket-types.ts';
import type { TicketView, UserRecord } from '../ports/store-port.ts';
import type { ChatEvent, ChatFile, ChatPlace } from './chat-events.ts';
import type { ResolvedPerson } from './chat-identity.ts';
import { notice } from './chat-messages.ts';
import { answerPrompt } from './chat-requester.ts';
import { handleRequestEvent } from './chat-requests.ts';
import { NO_REPLIES, type ChatContext, type ChatOutcome, type ChatReply, type ReplyBase } from './chat-service.ts';
import { cleanText } from './request-draft.ts';
import { defaultIntake, megabytes, type FileIntake } from '../attachments/attachment-intake.ts';

type MessageEvent = Extract<ChatEvent, { type: 'message' }>;

/** A thread as the store keys it; a chat without threads is the empty thread. */
export function threadKey(place: Pick<ChatPlace, 'platform' | 'workspaceId' | 'chatId'>, threadRef: string | null) {
  return { platform: place.platform, workspaceId: place.workspaceId, chatId: place.chatId, threadRef: threadRef ?? '' };
}

/** What a message's files become with its comment (see ../attachments/attachment-intake.ts). */
export async function intakeFiles(ctx: ChatContext, platform: string, files: ChatFile[]): Promise<FileIntake> {
  return (ctx.deps.attachments ?? defaultIntake).intake(platform, files);
}

/** Files too large to keep, as the person who sent them is told. */
export function tooLargeNotices(ctx: ChatContext, base: ReplyBase, intake: FileIntake): ChatReply[] {
  return intake.attachments
    .filter((a) => a.state === 'too_large')
    .map((a) => ctx.reply(base, notice('common:chat.file_too_large', { name: a.name, max: megabytes(intake.maxBytes) })));
}

/**
 * The ticket a message belongs to: the thread's (newest, when a follow-up shares it), else the bot message's it
 * answers. A person known only by their address writes from a chat that is that address; a message of theirs that
 * names a ticket's thread (its token) from another address is found by the thread ref alone.
 */
async function ticketOf(ctx: ChatContext, place: ChatPlace, repliesTo: string[], byAddress: boolean): Promise<TicketView | null> {
  const { store } = ctx.deps;
  const newestOf = (found: TicketView[]) => found.sort((a, b) => b.number - a.number)[0];
  if (place.threadRef !== null) {
    const newest = newestOf(await store.findTicketsByThread(threadKey(place, place.threadRef)));
    if (newest) return newest;
    if (byAddress && place.threadRef !== '') {
      const named = newestOf(await store.findTicketsByThreadRef(place.platform, place.workspaceId, place.threadRef));
      if (named) return named;
    }
  }
  for (const id of repliesTo) {
    const t = await store.findTicketByDeliveredMessage(place.platform, place.workspaceId, id);
    if (t) return t;
  }
  return null;
}

async function onMessage(ctx: ChatContext, e: MessageEvent, who: ResolvedPerson): Promise<ChatOutcome> {
  const body = cleanText(e.text);
  if (body === '' && e.files.length === 0) return NO_REPLIES;
  const ticket = await ticketOf(ctx, e.place, e.repliesTo, e.author.byAddress === true);
  if (!ticket) {
    if (e.place.direct) return answerPrompt(ctx, e, who, body);
    if (!e.mentionsBot) return NO_REPLIES;
    const source = { messageId: e.messageId, text: e.text, files: e.files, url: null };
    // Channels without forms take the mention's text as the request at once, as they do for any mention.
    const submitNow = !ctx.deps.capabilities(e.place.platform).forms;
    return (await handleRequestEvent(ctx, { type: 'request_wanted', place: e.place, actor: e.author, source, submitNow }, who)) ?? NO_REPLIES;
  }

  const base = { place: e.place, actor: e.author, locale: await who.locale() };
  const user = await who.user();
  if (!user) return { replies: [ctx.reply(base, notice('common:error.not_registered'))] };
  const byRequester = user.id === ticket.requester.id;
  if (e.author.byAddress && (!byRequester || isStaff(user.role))) return unverifiedNote(ctx, e, ticket, user, body);
  if (ticket.status === 'closed' && ticket.visibility !== 'public') return NO_REPLIES;
  if (ticket.status === 'closed' && (!byRequester || isStaff(user.role))) {
    // Only the requester follows a closed request up; anyone else is shown how to ask for themselves.
    return { replies: [ctx.reply(base, notice('common:chat.closed_for_others', { number: ticket.number }, ctx.summary(ticket)))] };
  }
  const here = threadKey(e.place, e.place.threadRef);
  const kept = await keepComment(ctx, e, ticket.number, user, {
    body,
    public: true,
    // A follow-up lives where its first message was written; an agent's own message is not echoed back here.
    followUpThreads: [{ ...here, locale: base.locale }],
    origin: here,
  });
  if (!kept) return NO_REPLIES;
  const { r, files } = kept;
  const refused = tooLargeNotices(ctx, base, files);
  if (r.followUp) return { replies: [ctx.reply(base, { kind: 'follow_up_started', closedNumber: ticket.number, ticket: ctx.summary(r.followUp) }), ...refused] };
  return { replies: refused };
}

type CommentCall = ChatContext['deps']['tickets']['comment'];
type ChatCommentInput = Omit<Parameters<CommentCall>[2], 'via' | 'externalRef' | 'attachments'>;

/**
 * A chat message kept as a comment with its files. A platform re-delivery of a message that is already a comment
 * adds nothing (null); whatever fails, the files taken in for it are let go.
 */
async function keepComment(
  ctx: ChatContext,
  e: MessageEvent,
  number: number,
  user: { id: string; role: UserRecord['role'] },
  input: ChatCommentInput,
): Promise<{ r: Awaited<ReturnType<CommentCall>>; files: FileIntake } | null> {
  const files = await intakeFiles(ctx, e.place.platform, e.files);
  const r = await ctx.deps.tickets
    .comment(number, { id: user.id, role: user.role }, { ...input, via: e.place.platform, externalRef: ctx.messageRef(e.place, e.messageId), attachments: files.attachments })
    .catch(async (err: unknown) => {
      await files.discard();
      if ((err as { code?: string }).code === 'unique_violation') return null;
      throw err;
    });
  return r ? { r, files } : null;
}

/**
 * A message about a ticket from an address that is not its requester's (a forwarded notification, a colleague, a
 * forged sender; an agent's address too, since anyone can write it): never the requester's words and never an
 * agent's reply. It is kept as an internal note by the address's user, marked unverified with the address, for
 * agents to judge; on a closed ticket it is not kept (the raw message stays in the inbox). Nothing is said back:
 * an answer to an address nobody vouched for would be mail to whoever was forged.
 */
async function unverifiedNote(
  ctx: ChatContext,
  e: MessageEvent,
  ticket: TicketView,
  user: { id: string; role: UserRecord['role']; email: string },
  body: string,
): Promise<ChatOutcome> {
  if (ticket.status === 'closed') return NO_REPLIES;
  await keepComment(ctx, e, ticket.number, user, { body: `${UNVERIFIED_MARK} ${user.email}\n\n${body}`, public: false, unverified: true });
  return NO_REPLIES;
}

/** The first line of an unverified sender's note, for agents (stored with the note, so in one language). */
export const UNVERIFIED_MARK = '[unverified sender]';

export async function handleThreadEvent(ctx: ChatContext, e: ChatEvent, who: ResolvedPerson | null): Promise<ChatOutcome | null> {
  switch (e.type) {
    case 'message':
      return onMessage(ctx, e, who!);
    case 'message_edited': {
      // Only a synced comment has this ref; anything else was never a comment and nothing happens.
      const body = cleanText(e.text);
      if (body !== '') await ctx.deps.tickets.editExternalComment(ctx.messageRef(e.place, e.messageId), body, e.place.platform);
      return NO_REPLIES;
    }
    case 'message_deleted':
      await ctx.deps.tickets.deleteExternalComment(ctx.messageRef(e.place, e.messageId), e.place.platform);
      return NO_REPLIES;
    default:
      return null;
  }
}
