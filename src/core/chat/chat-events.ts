/**
 * The inbound vocabulary every chat adapter speaks: what happened in a chat, said once for all platforms. An adapter
 * verifies and parses its platform's payload into these events; the chat service (chat-service.ts) decides what
 * they mean. Nothing here names a platform: `platform` is data the adapter fills in.
 */
import type { Locale } from '../locale.ts';
import type { TicketPriority } from '../tickets/ticket-types.ts';
import type { StoredDraft } from '../ports/draft-repo.ts';

/** A chat account on a platform. */
export interface ChatUserRef {
  platform: string;
  workspaceId: string;
  platformUserId: string;
}

/** What the platform says about a person, looked up only when the core needs it. */
export interface ChatProfile extends ChatUserRef {
  displayName: string;
  /** An email the platform vouches for (a workspace profile); never one the person typed. */
  verifiedEmail: string | null;
  /** The person's language as the platform reports it, or null when it does not. */
  locale: Locale | null;
}

/** A person who did something. `profile()` may cost a platform call, so the core asks only when it must. */
export interface ChatPerson extends ChatUserRef {
  profile(): Promise<ChatProfile>;
  /**
   * The person is known only by the address their message claims (`platformUserId` is that email address, e.g.
   * a mail's sender), which the platform does not vouch for: they are the help-center user with that address (an
   * end user, made if new), no chat account is linked, and their message is the requester's words only on a
   * ticket whose requester has that address (anywhere else it is an internal note marked unverified).
   */
  byAddress?: boolean;
}

/** Where something happened. */
export interface ChatPlace {
  platform: string;
  workspaceId: string;
  chatId: string;
  /**
   * The thread it happened in (the platform's id of the thread's root message); null outside a thread. For a
   * request, the thread the ticket will live in: the source message's thread, or the source as a new thread's root.
   */
  threadRef: string | null;
  /** A direct chat between the person and the bot. */
  direct: boolean;
}

/** A file that came with a message. */
export interface ChatFile {
  name: string;
  /** The platform's own link, when it has one people could open. */
  url: string | null;
  /** The platform's id of the file, for fetching it with the bot's credentials. */
  platformFileId?: string | null;
  size?: number | null;
  contentType?: string | null;
  /**
   * What the adapter needs besides platformFileId to fetch the file later with the bot's credentials (opaque to
   * the core, e.g. the message a platform files it under, or its authenticated download URL). Plain strings only:
   * it is stored with the attachment row until the download job has run.
   */
  fetchRef?: Record<string, string> | null;
  /** The bytes themselves, for channels whose events carry them (a MIME part of an inbound mail). */
  content?: Uint8Array | null;
}

/** What a person fills in when asking for help. */
export interface DraftFields {
  subject: string;
  description: string;
  priority: TicketPriority;
  serviceId: string | null;
}

/** The message a request was made from. */
export interface SourceMessage {
  /** Unique within the workspace, like a message event's. */
  messageId: string;
  /** The text as a person sees it (mentions resolved, markup removed). */
  text: string;
  files: ChatFile[];
  /** A link to it on the platform (a permalink), when there is one. */
  url: string | null;
}

export type TicketAction =
  | { kind: 'rate'; score: number; comment: string | null }
  | { kind: 'reopen'; reason: string }
  /** The optional comment sent after a score (channels without forms ask for it separately). */
  | { kind: 'rating_comment'; comment: string }
  | { kind: 'skip_rating_comment' }
  | { kind: 'show_detail' }
  | { kind: 'show_comments' }
  /** Channels without forms: "add a comment" / "return to work" ask for the text next. */
  | { kind: 'ask_comment' }
  | { kind: 'ask_reopen_reason' };

export type ChatEvent =
  | {
      /** A person's message: in a ticket's thread, under one of the bot's messages, or an answer to a prompt. */
      type: 'message';
      place: ChatPlace;
      /** Unique within the workspace (the adapter decides how, e.g. chat and timestamp). */
      messageId: string;
      author: ChatPerson;
      /** As a person sees it: mentions resolved to names, platform markup removed. */
      text: string;
      files: ChatFile[];
      mentionsBot: boolean;
      /** Ids of the bot's own messages this message replies to, nearest first. */
      repliesTo: string[];
    }
  | { type: 'message_edited'; place: ChatPlace; messageId: string; author: ChatPerson; text: string }
  | { type: 'message_deleted'; place: ChatPlace; messageId: string }
  | {
      /** Someone asks for help about a message (a reaction, a mention, a command). */
      type: 'request_wanted';
      place: ChatPlace;
      actor: ChatPerson;
      source: SourceMessage | null;
      /** Create the ticket at once from the source (channels without forms), instead of offering a form. */
      submitNow: boolean;
    }
  | {
      type: 'request_submitted';
      place: ChatPlace;
      actor: ChatPerson;
      draftId: string;
      fields: DraftFields;
      /** The message the request now lives under, when the adapter posted one at submit (and the draft had none). */
      source?: SourceMessage | null;
      /**
       * The draft as the chat service's `drafts.read` gave it to the adapter while parsing this event (null: none
       * it may submit), so that it is not read twice; absent, the core reads it.
       */
      draft?: StoredDraft | null;
    }
  | {
      /** Channels without forms fill a draft step by step. */
      type: 'draft_changed';
      place: ChatPlace;
      actor: ChatPerson;
      draftId: string | null;
      set: Partial<DraftFields>;
      submit: boolean;
      cancel: boolean;
      /** The bot message holding the step's buttons, replaced by the next step. */
      stepMessageId: string | null;
    }
  | { type: 'ticket_action'; place: ChatPlace; actor: ChatPerson; ticketNumber: number; action: TicketAction; pressedMessageId: string | null }
  | { type: 'my_tickets'; place: ChatPlace; actor: ChatPerson }
  /** Someone asks what the bot can do (a help command): it also abandons whatever the bot was waiting for. */
  | { type: 'help_wanted'; place: ChatPlace; actor: ChatPerson }
  | { type: 'registration'; place: ChatPlace; actor: ChatPerson; code: string }
  | { type: 'sign_in_wanted'; place: ChatPlace; actor: ChatPerson }
  | {
      /** A group's service, chosen by someone the platform says administers the chat (or not). */
      type: 'chat_service_chosen';
      place: ChatPlace;
      actor: ChatPerson;
      serviceId: string | null;
      byAdmin: boolean;
      pressedMessageId: string | null;
    }
  | { type: 'chat_config_wanted'; place: ChatPlace; actor: ChatPerson; byAdmin: boolean };

export type ChatEventType = ChatEvent['type'];
