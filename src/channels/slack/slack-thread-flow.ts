/**
 * Two-way sync, the inbound half: people's replies in a ticket's thread become public comments; their edits and
 * deletes follow. Messages of bots, this app's own above all, never come back: Bolt's ignoreSelf drops events
 * authored by our bot user, and every message carrying a bot_id is skipped here.
 */
import type { App } from '@slack/bolt';
import { isDomainError } from '../../core/errors.ts';
import type { Locale } from '../../core/locale.ts';
import { domainErrorText, mentionNames, phaseOf, runDurably, sentence, tellUser, type FlowDeps } from './slack-flow-support.ts';
import { deskUserOf } from './slack-profile.ts';
import { VIA, replyRef, thread } from './slack-ids.ts';
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
  if (!(await deps.desk.isTicketThread(target))) return;
  let locale: Locale = 'en';
  await runDurably(
    deps,
    'thread_reply',
    async () => {
      const profile = await deps.profiles.get(team, user);
      locale = profile.locale;
      await deskUserOf(deps.desk, profile);
      const text = m.text ?? '';
      const result = await deps.desk.addThreadReply({
        via: VIA,
        thread: target,
        author: profile,
        body: slackToPlain(text, await mentionNames(deps, team, text)),
        externalRef: replyRef(team, channel, m.ts),
        files: (m.files ?? []).flatMap((f) => {
          const url = f.permalink ?? f.url_private;
          return url ? [{ name: f.name ?? f.title ?? f.id, url }] : [];
        }),
      });
      // A reply in a closed ticket's thread starts a follow-up; the thread hears nothing of it from the sync engine
      // (its confirmation is published before the core links the thread), so the person who wrote is told here.
      if (result?.followUpOf != null) {
        await tellUser(deps, { user, channel, threadTs: m.thread_ts }, followUpNotice(locale, result.followUpOf, result.ticket));
      }
    },
    (e) => tellUser(deps, { user, channel, threadTs: m.thread_ts }, sentence(domainErrorText(deps.desk, locale, e))),
  );
}

async function onEdit(deps: FlowDeps, team: string, channel: string, raw: unknown): Promise<void> {
  const parsed = messageChangedSchema.safeParse(raw);
  if (!parsed.success) return;
  const { message: m, previous_message: before } = parsed.data;
  if (!isThreadReply(m) || (await fromBot(deps, m))) return;
  // Unfurls and other decorations arrive as message_changed with the same text.
  if (before && (before.text ?? '') === (m.text ?? '')) return;
  if (!(await deps.desk.isTicketThread(thread(team, channel, m.thread_ts)))) return;
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
    if (!(await deps.desk.isTicketThread(thread(team, channel, before.thread_ts)))) return;
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
