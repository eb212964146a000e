/**
 * The conversation engine: every chat event of every channel is handled here, once. Adapters parse their
 * platform's payloads into ChatEvents (chat-events.ts) and render the answers (ChatReply) in their own idiom; who
 * the person is, which ticket a message belongs to, who may reopen or rate, when a follow-up starts, what a draft
 * needs and which refusal to show are decided here and nowhere else.
 *
 * A refusal of the core (a DomainError) becomes a coded notice to the person who acted; anything else is thrown,
 * so the inbox retries the event (every effect below is idempotent: comments carry their platform message, tickets
 * their source, drafts their id).
 */
import { isDomainError, type DomainError } from '../errors.ts';
import type { Locale } from '../locale.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import type { DraftRepo } from '../ports/draft-repo.ts';
import type { DialogKey, Store, TicketView } from '../ports/store-port.ts';
import { ticketUrl } from '../tickets/ticket-links.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import type { ChatEvent, ChatPlace, ChatUserRef, DraftFields } from './chat-events.ts';
import { createChatIdentity, type ChatIdentity, type ResolvedPerson } from './chat-identity.ts';
import { notice, type ChatMessage, type TicketSummary } from './chat-messages.ts';
import { handleThreadEvent } from './chat-thread.ts';
import { checkRequest, createDraftDesk, handleRequestEvent } from './chat-requests.ts';
import { handleRequesterEvent } from './chat-requester.ts';
import { MIN_DESCRIPTION_LENGTH } from './request-draft.ts';
import { storable } from '../text-rules.ts';
import type { AttachmentIntake } from '../attachments/attachment-intake.ts';

/** One answer: to the person who acted (privately where the platform can), or to everyone in the place. */
export interface ChatReply {
  to: 'actor' | 'place';
  place: ChatPlace;
  /** The person who acted; null for events without one. */
  actor: ChatUserRef | null;
  locale: Locale;
  message: ChatMessage;
  /** An earlier bot message this one takes the place of (the step or buttons the person answered), where the platform can edit. */
  replaces: string | null;
  /** Short enough to be a button's answer (a toast, an alert) where the platform has one. */
  brief: boolean;
}

export interface ChatOutcome {
  replies: ChatReply[];
}

/** What a channel can do, as far as the conversation is concerned. */
export interface ChatCapabilities {
  /** Forms (modals, cards) carry a request's fields and a rating's comment at once; without them the core asks step by step. */
  forms: boolean;
  /** A ticket asked for in a group is also followed in the requester's direct chat with the bot. */
  directCopies: boolean;
}

export interface ChatServiceDeps {
  store: Pick<
    Store,
    | 'findIdentity'
    | 'upsertIdentity'
    | 'getTicket'
    | 'findTicketBySourceKey'
    | 'findTicketsByThread'
    | 'findTicketsByThreadRef'
    | 'findTicketByDeliveredMessage'
    | 'listTickets'
    | 'listComments'
    | 'getChatService'
    | 'setChatService'
    | 'getService'
    | 'getDialogState'
    | 'setDialogState'
  >;
  drafts: DraftRepo;
  tickets: Pick<TicketService, 'create' | 'comment' | 'rate' | 'commentRating' | 'reopen' | 'editExternalComment' | 'deleteExternalComment'>;
  directory: Pick<DirectoryService, 'findOrCreateEndUser' | 'redeemLinkCode' | 'listServices'>;
  /**
   * One-time sign-in links to the customer help center for a linked customer's chat account (null: the account
   * is no customer's; absent: the bot says it cannot give one).
   */
  signInLinks?: { linkForChatUser(ref: ChatUserRef): Promise<{ url: string; expiresAt: Date } | null> };
  publicUrl: string;
  capabilities(platform: string): ChatCapabilities;
  /** What a message's files become (absent: pending rows for the worker, the default limit). */
  attachments?: AttachmentIntake;
  clock?: () => Date;
}

/** What the handler modules share. */
export interface ChatContext {
  deps: ChatServiceDeps;
  identity: ChatIdentity;
  now(): Date;
  summary(t: TicketView): TicketSummary;
  /** `<platform>:<workspace>:<message>`: the key of a platform message across the help center. */
  messageRef(place: Pick<ChatPlace, 'platform' | 'workspaceId'>, messageId: string): string;
  reply(who: ReplyBase, message: ChatMessage, opts?: { to?: 'actor' | 'place'; replaces?: string | null; brief?: boolean }): ChatReply;
  dialog: DialogStates;
}

export interface ReplyBase {
  place: ChatPlace;
  actor: ChatUserRef | null;
  locale: Locale;
}

/** What the bot waits for from a person in their direct chat (channels without forms). */
export type Awaiting =
  | { awaiting: 'description'; draftId: string }
  | { awaiting: 'comment' | 'rating_comment' | 'reopen_reason'; ticket: number };

export interface DialogStates {
  get(who: ChatUserRef): Promise<Awaiting | null>;
  set(who: ChatUserRef, state: Awaiting | null): Promise<void>;
  /** The key of a person's state, for a write that ends it together with others (a submitted draft's). */
  key(who: ChatUserRef): DialogKey;
}

const DIALOG_TTL_MS = 24 * 3600_000;
export const DRAFT_TTL_MS = 24 * 3600_000;

function parseAwaiting(raw: Record<string, unknown> | null): Awaiting | null {
  if (!raw) return null;
  if (raw['awaiting'] === 'description' && typeof raw['draftId'] === 'string') return { awaiting: 'description', draftId: raw['draftId'] };
  const a = raw['awaiting'];
  if ((a === 'comment' || a === 'rating_comment' || a === 'reopen_reason') && Number.isInteger(raw['ticket']))
    return { awaiting: a, ticket: raw['ticket'] as number };
  return null;
}

export const NO_REPLIES: ChatOutcome = { replies: [] };

export function createChatService(deps: ChatServiceDeps) {
  const now = deps.clock ?? (() => new Date());
  const identity = createChatIdentity(deps);
  // Dialogs continue in the direct chat whichever chat a button was pressed in: one state per person.
  // Only the reference's fields: a ChatPerson also carries its profile() function, which no repository can take.
  const dialogKey = (who: ChatUserRef): DialogKey => ({ platform: who.platform, workspaceId: who.workspaceId, platformUserId: who.platformUserId, chatId: '' });
  const ctx: ChatContext = {
    deps,
    identity,
    now,
    summary: (t) => ({ number: t.number, subject: t.subject, status: t.status, priority: t.priority, url: ticketUrl(deps.publicUrl, t.number) }),
    messageRef: (place, messageId) => `${place.platform}:${place.workspaceId}:${messageId}`,
    reply: (who, message, opts = {}) => ({
      to: opts.to ?? 'actor',
      place: who.place,
      // Only the reference: answers are stored as JSON until told, and a ChatPerson carries its profile() function.
      actor: who.actor ? { platform: who.actor.platform, workspaceId: who.actor.workspaceId, platformUserId: who.actor.platformUserId } : null,
      locale: who.locale,
      message,
      replaces: opts.replaces ?? null,
      brief: opts.brief ?? false,
    }),
    dialog: {
      get: async (who) => parseAwaiting(await deps.store.getDialogState(dialogKey(who), new Date(now().getTime() - DIALOG_TTL_MS))),
      set: (who, state) => deps.store.setDialogState(dialogKey(who), state),
      key: dialogKey,
    },
  };

  function refusal(base: ReplyBase, e: DomainError): ChatOutcome {
    return { replies: [ctx.reply(base, notice(`common:error.${e.code}`, { min: MIN_DESCRIPTION_LENGTH }), { brief: true })] };
  }

  function actorOf(event: ChatEvent): ResolvedPerson | null {
    if (event.type === 'message' || event.type === 'message_edited') return identity.resolve(event.author);
    if (event.type === 'message_deleted') return null;
    return identity.resolve(event.actor);
  }

  return {
    /** Handles one event; returns what to tell whom. */
    async handle(platformEvent: ChatEvent): Promise<ChatOutcome> {
      // What PostgreSQL cannot hold (NUL, lone surrogates) becomes U+FFFD, whatever the adapter read it from.
      const event = storable(platformEvent);
      const who = actorOf(event);
      try {
        return (
          (await handleThreadEvent(ctx, event, who)) ??
          (await handleRequestEvent(ctx, event, who!)) ??
          (await handleRequesterEvent(ctx, event, who!)) ??
          NO_REPLIES
        );
      } catch (e) {
        if (!isDomainError(e) || !who) throw e;
        return refusal({ place: event.place, actor: who.person, locale: await who.locale() }, e);
      }
    },

    /** The catalog a form offers. */
    listServices: async () => (await deps.directory.listServices()).map((s) => ({ id: s.id, name: s.name })),

    /** A submitted form's errors by field (checkDraft), e.g. to show them in the form before it closes. */
    checkRequest: (fields: DraftFields) => checkRequest(ctx, fields),

    /** Request-time drafts, for forms that must open within the platform's deadline (a modal, a card). */
    drafts: createDraftDesk(ctx),

    minDescriptionLength: MIN_DESCRIPTION_LENGTH,
  };
}

export type ChatService = ReturnType<typeof createChatService>;
