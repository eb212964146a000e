/**
 * A recorded Slack payload (an Events API event, or a submitted modal) in the shared vocabulary: platform facts
 * only, who, where, what text as a person sees it, which files, which bot message it answers. The chat service
 * decides what they mean.
 *
 * Slack facts this relies on: a message outside a thread and outside the app's direct chat answers nothing the bot
 * said (channels have no reply-to but threads), so it is not an event; bots' messages (this app's own above all,
 * Slackbot's notices) are nobody's words; an edit that leaves the text as it was is an unfurl.
 */
import type { ChatEvent, ChatFile, ChatPlace, SourceMessage } from '../../core/chat/chat-events.ts';
import type { ChatService } from '../../core/chat/chat-service.ts';
import { chatWordEvent } from '../../core/chat/chat-words.ts';
import type { InboundEnvelope } from '../../core/ports/channel-port.ts';
import type { Logger } from 'pino';
import { parseJson } from '../shared/json-text.ts';
import { isPermanent, orWhenPermanent, type SlackApi } from './slack-api.ts';
import { postAssistRequest } from './slack-assist.ts';
import { CALLBACK, isDirectChat, messageId, SLACKBOT, slackPlace } from './slack-ids.ts';
import type { SlackPeople } from './slack-profile.ts';
import {
  eventCallbackSchema,
  messageChangedSchema,
  messageDeletedSchema,
  messageEventSchema,
  reactionAddedSchema,
  viewSubmissionSchema,
  type SlackMessage,
  type ViewSubmission,
} from './slack-schemas.ts';
import { actionMetaSchema, readRequestFields, requestMetaSchema, submittedAction } from './slack-views.ts';
import { visibleText } from './slack-text.ts';

/** Who the app is in the workspace (auth.test). */
export type BotIdentity = Awaited<ReturnType<SlackApi['authTest']>>;

export interface SlackParseDeps {
  api: SlackApi;
  people: SlackPeople;
  identity(): Promise<BotIdentity>;
  chat: Pick<ChatService, 'drafts'>;
  ticketEmoji: string;
  logger: Logger;
}

/** Subtypes that are still a person's message: a file share, a reply also sent to the channel. */
const PERSON_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

/** "ticket" also matches skin-tone variants such as "ticket::skin-tone-2". */
export function isTicketReaction(reaction: string, emoji: string): boolean {
  return reaction === emoji || reaction.startsWith(`${emoji}::`);
}

const isReply = (m: Pick<SlackMessage, 'ts' | 'threadTs'>): m is { ts: string; threadTs: string } => m.threadTs !== null && m.threadTs !== m.ts;

export function createSlackParser(deps: SlackParseDeps): (envelope: InboundEnvelope) => Promise<ChatEvent[]> {
  const { api, people } = deps;

  /** Where a message was written; null for a top-level message in a channel (see above). */
  function placeOf(team: string, channel: string, channelType: string | null, m: Pick<SlackMessage, 'ts' | 'threadTs'>): ChatPlace | null {
    const direct = channelType === 'im' || isDirectChat(channel);
    const threadRef = isReply(m) ? m.threadTs : null;
    return direct || threadRef ? slackPlace(team, channel, threadRef, direct) : null;
  }

  async function fromBot(m: Pick<SlackMessage, 'botId' | 'user'>): Promise<boolean> {
    return m.botId !== null || m.user === null || m.user === SLACKBOT || m.user === (await deps.identity()).botUserId;
  }

  async function textOf(team: string, m: SlackMessage): Promise<string> {
    return visibleText(m, await people.names(team, [m.text, ...m.attachments.filter((a) => a.shared).map((a) => a.text)]));
  }

  /** The reacted message: histories hold only top-level messages, a reply is read from its thread. */
  async function readMessage(channel: string, ts: string): Promise<SlackMessage | null> {
    try {
      const top = (await api.messages(channel, { latest: ts, inclusive: true, limit: 1 })).find((m) => m.ts === ts);
      return top ?? (await api.messages(channel, { thread: ts, limit: 1 })).find((m) => m.ts === ts) ?? null;
    } catch (e) {
      // A message we may not read (gone, or a conversation without the bot) is nothing to ask about.
      if (!isPermanent(e)) throw e;
      deps.logger.info({ err: (e as Error).message }, 'slack: the reacted message cannot be read');
      return null;
    }
  }

  /**
   * Slack Connect stubs carry only a file's id: files.info says its name, size, type and download URL (runs in the
   * worker, like every parse). A file the bot may not read stays a stub (fetching it then says so).
   */
  function resolveFiles(files: ChatFile[]): Promise<ChatFile[]> {
    return Promise.all(
      files.map((f) => {
        const stub = f.fetchRef?.['info'] ? f.platformFileId : null;
        return stub ? orWhenPermanent(api.fileInfo(stub), f) : f;
      }),
    );
  }

  const permalink = (channel: string, ts: string) => orWhenPermanent(api.permalink(channel, ts), null);

  async function onReaction(team: string, raw: unknown): Promise<ChatEvent[]> {
    const r = reactionAddedSchema.safeParse(raw);
    if (!r.success || !isTicketReaction(r.data.reaction, deps.ticketEmoji) || r.data.itemType !== 'message' || !r.data.channel || !r.data.ts) return [];
    const { channel, ts, user } = r.data;
    const m = await readMessage(channel, ts);
    if (!m || (m.botId !== null && m.botId === (await deps.identity()).botId)) return [];
    const source: SourceMessage = { messageId: messageId(channel, m.ts), text: await textOf(team, m), files: await resolveFiles(m.files), url: await permalink(channel, m.ts) };
    // The ticket lives in the message's thread: the one it is in, or its own.
    const place = slackPlace(team, channel, m.threadTs ?? m.ts);
    return [{ type: 'request_wanted', place, actor: people.person(team, user), source, submitNow: false }];
  }

  async function onMessage(team: string, raw: Record<string, unknown>): Promise<ChatEvent[]> {
    const subtype = typeof raw['subtype'] === 'string' ? raw['subtype'] : null;
    if (subtype === 'message_changed') return onEdit(team, raw);
    if (subtype === 'message_deleted') return onDelete(team, raw);
    const parsed = messageEventSchema.safeParse(raw);
    if (!parsed.success || (subtype !== null && !PERSON_SUBTYPES.has(subtype))) return [];
    const m = parsed.data;
    const place = placeOf(team, m.channel, m.channelType, m);
    if (!place || (await fromBot(m))) return [];
    const actor = people.person(team, m.user!);
    // The chat words count in the direct chat itself, not in a thread there.
    const word = place.direct && place.threadRef === null ? chatWordEvent(m.text, { place, actor }) : null;
    if (word) return [word];
    const me = await deps.identity();
    // In the direct chat the bot's notifications are top-level messages: a thread under one answers it.
    const answers = isReply(m) && (place.direct || m.parentUserId === me.botUserId) ? [m.threadTs] : [];
    const text = await textOf(team, m);
    return [{ type: 'message', place, messageId: messageId(m.channel, m.ts), author: actor, text, files: await resolveFiles(m.files), mentionsBot: m.text.includes(`<@${me.botUserId}>`), repliesTo: answers }];
  }

  async function onEdit(team: string, raw: unknown): Promise<ChatEvent[]> {
    const e = messageChangedSchema.safeParse(raw);
    if (!e.success || !e.data.message) return [];
    const { message: m, previous } = e.data;
    // Unfurls and other decorations arrive as message_changed with the same text.
    if (previous && previous.text === m.text && previous.attachments.filter((a) => a.shared).length === m.attachments.filter((a) => a.shared).length) return [];
    const place = placeOf(team, e.data.channel, e.data.channelType, m.threadTs ? m : { ...m, threadTs: previous?.threadTs ?? null });
    if (!place || (await fromBot(m))) return [];
    return [{ type: 'message_edited', place, messageId: messageId(e.data.channel, m.ts), author: people.person(team, m.user!), text: await textOf(team, m) }];
  }

  async function onDelete(team: string, raw: unknown): Promise<ChatEvent[]> {
    const e = messageDeletedSchema.safeParse(raw);
    if (!e.success) return [];
    const { previous, channel } = e.data;
    const place = placeOf(team, channel, e.data.channelType, { ts: e.data.deletedTs, threadTs: previous?.threadTs ?? null });
    if (!place || (previous && (await fromBot(previous)))) return [];
    return [{ type: 'message_deleted', place, messageId: messageId(channel, e.data.deletedTs) }];
  }

  /** A modal submitted and recorded (its fields were checked before the modal closed). */
  async function onSubmission(v: ViewSubmission, env: InboundEnvelope): Promise<ChatEvent[]> {
    const actor = people.person(v.team, v.user);
    if (v.callbackId === CALLBACK.requestForm) {
      const meta = parseJson(requestMetaSchema, v.metadata);
      if (!meta) return [];
      const fields = readRequestFields(v);
      const draft = await deps.chat.drafts.read(meta.d, actor);
      // Gone or someone else's: the core says so, in the person's direct chat.
      const place = draft?.place ?? slackPlace(v.team, v.user, null, true);
      if (!draft || draft.source || draft.ticketNumber !== null) return [{ type: 'request_submitted', place, actor, draftId: meta.d, fields, draft }];
      const posted = await postAssistRequest(api, {
        draftId: draft.id, channel: draft.place.chatId, user: v.user, subject: fields.subject, description: fields.description, locale: meta.l, submittedAt: env.receivedAt,
      });
      const here = slackPlace(place.workspaceId, posted.channel, posted.ts);
      const source: SourceMessage = { messageId: messageId(posted.channel, posted.ts), text: fields.description, files: [], url: await permalink(posted.channel, posted.ts) };
      return [{ type: 'request_submitted', place: here, actor, draftId: draft.id, fields, source, draft }];
    }
    const meta = parseJson(actionMetaSchema, v.metadata);
    const action = submittedAction(v);
    if (!meta || !action) return [];
    const place = slackPlace(v.team, meta.c, meta.th);
    return [{ type: 'ticket_action', place, actor, ticketNumber: meta.n, pressedMessageId: meta.m, action }];
  }

  return async function parse(env) {
    const body = env.payload as { type?: unknown } | null;
    if (body?.type === 'view_submission') {
      const v = viewSubmissionSchema.safeParse(body);
      return v.success ? onSubmission(v.data, env) : [];
    }
    const e = eventCallbackSchema.safeParse(body);
    if (!e.success) return [];
    if (e.data.event.type === 'reaction_added') return onReaction(e.data.team, e.data.event);
    if (e.data.event.type === 'message') return onMessage(e.data.team, e.data.event);
    return [];
  };
}
