/**
 * Two-way sync, the inbound half: people's replies in a ticket's thread become public comments; their edits and
 * deletes follow. In the app's direct chat a ticket announced there has no thread of its own (the notification is a
 * top-level bot message), so a reply threaded under any of the bot's messages of that ticket is a comment on it.
 * Messages of bots, this app's own above all, never come back: Bolt's ignoreSelf drops events authored by our bot
 * user, and every message carrying a bot_id is skipped here.
 */
import type { App } from '@slack/bolt';
import { DomainError, isDomainError } from '../../core/errors.ts';
import type { Locale } from '../../core/locale.ts';
import type { TicketSummary } from '../../core/ports/channel-port.ts';
import { domainErrorText, mentionNames, phaseOf, runDurably, sentence, tellUser, type FlowDeps } from './slack-flow-support.ts';
import { deskUserOf } from './slack-profile.ts';
import { PLATFORM, VIA, replyRef, thread } from './slack-ids.ts';
import {
  eventCallbackSchema,
  eventTeam,
  messageChangedSchema,
  messageDeletedSchema,
  messageEventSchema,
  type SlackMessage,
} from './slack-schemas.ts';
import { slackToPlain } from './slack-text.ts';
import { followUpNotice } from './slack-views.ts';

/** Subtypes that are still a person's message: a file share, a reply also sent to the channel. */
const PERSON_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

function isThreadReply<T extends Pick<SlackMessage, 'ts' | 'thread_ts'>>(m: T): m is T & { thread_ts: string } {
  return typeof m.thread_ts === 'string' && m.thread_ts !== m.ts;
}

async function fromBot(deps: FlowDeps, m: Pick<SlackMessage, 'bot_id' | 'user'>): Promise<boolean> {
  if (m.bot_id || !m.user) return true;
  return m.user === (await deps.identity()).botUserId;
}

/** The app's direct chat with a person (Slack's `channel_type: im`, conversation ids D…). */
function isDirectChat(channel: string, channelType: unknown): boolean {
  return channelType === 'im' || /^D[A-Z0-9]+$/.test(channel);
}

/**
 * Which ticket a thread reply belongs to: a ticket's own thread (any ticket, private ones included, so nothing a
 * customer writes there is lost), or, in the direct chat, the public ticket whose delivery posted the message the
 * reply threads under. Null for ordinary chatter, decided without asking Slack who wrote it.
 */
type ReplyHome = { kind: 'thread' } | { kind: 'notification'; ticket: TicketSummary } | null;

async function homeOf(deps: FlowDeps, team: string, channel: string, channelType: unknown, threadTs: string): Promise<ReplyHome> {
  if (await deps.desk.isTicketThread(thread(team, channel, threadTs))) return { kind: 'thread' };
  if (!isDirectChat(channel, channelType) || !deps.desk.findTicketByBotMessage) return null;
  const ticket = await deps.desk.findTicketByBotMessage({ platform: PLATFORM, workspaceId: team, messageId: threadTs });
  return ticket ? { kind: 'notification', ticket } : null;
}

type SharedFile = { name: string; url: string };

function filesOf(m: SlackMessage): SharedFile[] {
  return (m.files ?? []).flatMap((f) => {
    const url = f.permalink ?? f.url_private;
    return url ? [{ name: f.name ?? f.title ?? f.id, url }] : [];
  });
}

/** A requester's comment carries no attachments, so files shared under a notification are kept as links in the text. */
function withFileLinks(body: string, files: SharedFile[]): string {
  return files.length === 0 ? body : [body, ...files.map((f) => `${f.name}: ${f.url}`)].filter((x) => x !== '').join('\n');
}

/** Ignores a core refusal that only means "this message was never synced" (edits and deletes of other threads). */
async function ignoringRefusals(run: () => Promise<void>, deps: FlowDeps, what: string): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    deps.logger.info({ code: e.code, what }, 'slack: the core did not apply a thread change');
  }
}

async function onReply(deps: FlowDeps, team: string, channel: string, raw: unknown): Promise<void> {
  const parsed = messageEventSchema.safeParse(raw);
  if (!parsed.success) return;
  const m = parsed.data;
  if (!isThreadReply(m) || (await fromBot(deps, m)) || !m.user) return;
  const user = m.user;
  const target = thread(team, channel, m.thread_ts);
  // Most threads in a workspace are not tickets; skip them before asking Slack who wrote the reply.
  const home = await homeOf(deps, team, channel, m['channel_type'], m.thread_ts);
  if (!home) return;
  const to = { user, channel, threadTs: m.thread_ts };
  let locale: Locale = 'en';
  await runDurably(
    deps,
    'thread_reply',
    async () => {
      const profile = await deps.profiles.get(team, user);
      locale = profile.locale;
      const author = await deskUserOf(deps.desk, profile);
      const text = m.text ?? '';
      const body = slackToPlain(text, await mentionNames(deps, team, text));
      const externalRef = replyRef(team, channel, m.ts);
      if (home.kind === 'notification') {
        if (!author) throw new DomainError('not_registered', 'this chat account is not linked to a help-center user');
        const ticket = await deps.desk.addRequesterComment({
          via: VIA,
          ticketNumber: home.ticket.number,
          userId: author.id,
          body: withFileLinks(body, filesOf(m)),
          externalRef,
        });
        // On a closed ticket the comment starts a follow-up: the person is shown its number.
        if (ticket.number !== home.ticket.number) await tellUser(deps, to, followUpNotice(locale, home.ticket.number, ticket));
        return;
      }
      const result = await deps.desk.addThreadReply({ via: VIA, thread: target, author: profile, body, externalRef, files: filesOf(m) });
      // A reply in a closed ticket's thread starts a follow-up in this thread (the sync engine delivers its
      // confirmation here); the person who wrote is also shown which request their message started.
      if (result?.followUpOf != null) await tellUser(deps, to, followUpNotice(locale, result.followUpOf, result.ticket));
    },
    (e) => tellUser(deps, to, sentence(domainErrorText(deps.desk, locale, e))),
  );
}

async function onEdit(deps: FlowDeps, team: string, channel: string, raw: unknown): Promise<void> {
  const parsed = messageChangedSchema.safeParse(raw);
  if (!parsed.success) return;
  const { message: m, previous_message: before } = parsed.data;
  if (!isThreadReply(m) || (await fromBot(deps, m))) return;
  // Unfurls and other decorations arrive as message_changed with the same text.
  if (before && (before.text ?? '') === (m.text ?? '')) return;
  if (!(await homeOf(deps, team, channel, parsed.data['channel_type'], m.thread_ts))) return;
  const text = m.text ?? '';
  const body = slackToPlain(text, await mentionNames(deps, team, text));
  await ignoringRefusals(
    () => deps.desk.editThreadReply({ via: VIA, externalRef: replyRef(team, channel, m.ts), body }),
    deps,
    'edit',
  );
}

async function onDelete(deps: FlowDeps, team: string, channel: string, raw: unknown): Promise<void> {
  const parsed = messageDeletedSchema.safeParse(raw);
  if (!parsed.success) return;
  const before = parsed.data.previous_message;
  if (before) {
    if (!isThreadReply(before) || (await fromBot(deps, before))) return;
    if (!(await homeOf(deps, team, channel, parsed.data['channel_type'], before.thread_ts))) return;
  }
  await ignoringRefusals(
    () => deps.desk.deleteThreadReply({ via: VIA, externalRef: replyRef(team, channel, parsed.data.deleted_ts) }),
    deps,
    'delete',
  );
}

export function registerThreadFlow(app: App, deps: FlowDeps): void {
  app.event('message', async ({ body, context }) => {
    if (phaseOf(context) !== 'durable') return;
    const envelope = eventCallbackSchema.safeParse(body);
    if (!envelope.success) return;
    const team = eventTeam(envelope.data);
    const event = envelope.data.event;
    const channel = typeof event['channel'] === 'string' ? event['channel'] : null;
    if (!channel) return;
    const subtype = event['subtype'];
    if (subtype === 'message_changed') return onEdit(deps, team, channel, event);
    if (subtype === 'message_deleted') return onDelete(deps, team, channel, event);
    if (subtype !== undefined && subtype !== null && !(typeof subtype === 'string' && PERSON_SUBTYPES.has(subtype))) return;
    return onReply(deps, team, channel, event);
  });
}
