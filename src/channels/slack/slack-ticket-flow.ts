/**
 * Creating tickets: the ticket reaction on a message (an ephemeral "Submit request" button, then the form) and
 * /assist (the form at once). The form's submit is validated in the request, recorded, and creates the ticket in the
 * worker; the confirmation reaches the thread through the sync engine (adapter.post of ticket_confirmation).
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';
import {
  domainErrorText,
  mentionNames,
  phaseOf,
  recordThenAck,
  runDurably,
  sentence,
  servicesForForm,
  tellUser,
  whoIs,
  type FlowDeps,
} from './slack-flow-support.ts';
import { slackErrorCode, toChannelSendError } from './slack-errors.ts';
import { readTicketForm, type TicketForm } from './slack-form.ts';
import { ACTION, BLOCK, CALLBACK, VIA, chatUser, sourceKey, thread } from './slack-ids.ts';
import { loggable } from './slack-receiver.ts';
import { section } from './slack-render.ts';
import {
  blockActionsSchema,
  eventCallbackSchema,
  eventTeam,
  interactionTeam,
  reactionAddedSchema,
  slashCommandSchema,
  viewSubmissionSchema,
  viewTeam,
  type SlackMessage,
  type ViewSubmission,
} from './slack-schemas.ts';
import { escapedChunks, escapeMrkdwn, firstLine, quote, slackToPlain } from './slack-text.ts';
import {
  existingTicketNotice,
  parseJson,
  reactionButtonSchema,
  reactionPrompt,
  ticketFormMetaSchema,
  ticketFormView,
  type TicketFormMeta,
} from './slack-views.ts';

export const ASSIST_COMMAND = '/assist';

/** "ticket" also matches skin-tone variants such as "ticket::skin-tone-2". */
export function isTicketReaction(reaction: string, emoji: string): boolean {
  return reaction === emoji || reaction.startsWith(`${emoji}::`);
}

/** The reacted message: conversations.history sees only top-level messages, replies live in their thread. */
async function readMessage(deps: FlowDeps, channel: string, ts: string): Promise<SlackMessage | null> {
  const top = await deps.api.history(channel, { latest: ts, inclusive: true, limit: 1 });
  const found = top.find((m) => m.ts === ts);
  if (found) return found;
  const thread = await deps.api.replies(channel, ts, { limit: 1 });
  return thread.find((m) => m.ts === ts) ?? null;
}

async function onReaction(deps: FlowDeps, team: string, user: string, channel: string, ts: string): Promise<void> {
  let locale: Locale = 'en';
  let threadTs: string | null = null;
  await runDurably(
    deps,
    'reaction',
    async () => {
      locale = (await deps.profiles.get(team, user)).locale;
      const message = await readMessage(deps, channel, ts);
      threadTs = message ? (message.thread_ts ?? message.ts) : null;
      const existing = await deps.desk.findTicketBySource(sourceKey(team, channel, ts));
      if (existing) {
        await tellUser(deps, { user, channel, threadTs }, existingTicketNotice(locale, existing));
        return;
      }
      if (!message) {
        deps.logger.info('slack: the reacted message is gone');
        return;
      }
      const me = await deps.identity();
      if (message.bot_id === me.botId || message.user === me.botUserId) return;
      const raw = message.text ?? '';
      const text = slackToPlain(raw, await mentionNames(deps, team, raw));
      const files = (message.files ?? []).map((f) => `${f.name ?? f.title ?? f.id}: ${f.permalink ?? f.url_private ?? ''}`);
      const description = [text, ...files].filter((s) => s.trim() !== '').join('\n');
      const prompt = reactionPrompt(locale, {
        c: channel,
        ts,
        th: message.thread_ts ?? message.ts,
        s: firstLine(text, 150),
        d: description,
      });
      await deps.api.postEphemeral({ channel, user, threadTs: message.thread_ts ?? message.ts, ...prompt });
    },
    (e) => tellUser(deps, { user, channel, threadTs }, sentence(domainErrorText(deps.desk, locale, e))),
  );
}

async function openForm(
  deps: FlowDeps,
  input: { triggerId: string; who: { locale: Locale; email: string | null }; meta: TicketFormMeta; subject: string; description: string },
): Promise<void> {
  const view = ticketFormView({
    locale: input.who.locale,
    meta: input.meta,
    prefill: { subject: input.subject, description: input.description, email: input.who.email },
    services: await servicesForForm(deps),
    minDescriptionLength: deps.desk.minDescriptionLength,
  });
  await deps.api.openView(input.triggerId, view);
}

const assistStateSchema = z.object({ assistView: z.string(), channel: z.string(), ts: z.string() });

/**
 * Posts the /assist request into its conversation (its thread becomes the ticket's), once per submitted view even
 * when the worker retries: the posted ts is kept in the dialog state until the ticket exists.
 */
async function postAssistRequest(
  deps: FlowDeps,
  p: { team: string; user: string; channel: string; viewId: string; locale: Locale; form: TicketForm },
): Promise<{ channel: string; ts: string; stateRef: Parameters<FlowDeps['desk']['setDialogState']>[0] }> {
  const stateRef = { ...chatUser(p.team, p.user), chatId: p.channel };
  const saved = assistStateSchema.safeParse(await deps.desk.getDialogState(stateRef));
  if (saved.success && saved.data.assistView === p.viewId) return { channel: saved.data.channel, ts: saved.data.ts, stateRef };
  const header = t(p.locale, 'slack:assist.request', { user: `<@${p.user}>`, subject: escapeMrkdwn(p.form.subject) });
  const message = {
    text: header,
    blocks: [
      section(header),
      ...escapedChunks(p.form.description, 1500)
        .filter((c) => c.trim() !== '')
        .map((c) => section(quote(c))),
    ].slice(0, 50),
  };
  let posted: { channel: string; ts: string };
  try {
    posted = await deps.api.postMessage({ channel: p.channel, ...message });
  } catch (e) {
    // A busy or failing Slack is retried by the worker; only a conversation the bot cannot post into is avoided.
    if (slackErrorCode(e) === null || toChannelSendError(e).kind !== 'permanent') throw e;
    // /assist works anywhere, the bot is not everywhere: then the request lives in the person's chat with the app.
    deps.logger.info({ err: loggable(e) }, 'slack: cannot post the request where /assist ran; using the direct chat');
    posted = await deps.api.postMessage({ channel: p.user, ...message });
  }
  await deps.desk.setDialogState(stateRef, { assistView: p.viewId, channel: posted.channel, ts: posted.ts });
  return { ...posted, stateRef };
}

async function permalinkOrNull(deps: FlowDeps, channel: string, ts: string): Promise<string | null> {
  try {
    return await deps.api.permalink(channel, ts);
  } catch (e) {
    deps.logger.warn({ err: loggable(e) }, 'slack: no permalink for the source message');
    return null;
  }
}

async function createFromForm(deps: FlowDeps, body: ViewSubmission, meta: TicketFormMeta, form: TicketForm): Promise<void> {
  const team = viewTeam(body);
  const user = body.user.id;
  const locale = meta.l;
  const where = { user, channel: meta.c, threadTs: meta.m === 'r' ? meta.th : null };
  await runDurably(
    deps,
    'ticket_form',
    async () => {
      const profile = await deps.profiles.get(team, user);
      if (profile.email) await deps.desk.linkByEmail({ ...profile, email: profile.email });
      const sameAsProfile = profile.email !== null && profile.email.toLowerCase() === form.email.toLowerCase();
      const common = {
        via: VIA,
        requester: sameAsProfile ? { email: form.email, name: profile.displayName } : { email: form.email },
        submitter: chatUser(team, user),
        subject: form.subject,
        description: form.description,
        priority: form.priority,
        serviceId: form.serviceId,
      };
      if (meta.m === 'r') {
        const result = await deps.desk.createTicket({
          ...common,
          thread: { ...thread(team, meta.c, meta.th), locale },
          sourceUrl: await permalinkOrNull(deps, meta.c, meta.ts),
          sourceKey: sourceKey(team, meta.c, meta.ts),
        });
        if (!result.created) await tellUser(deps, where, existingTicketNotice(locale, result.ticket));
        return;
      }
      const posted = await postAssistRequest(deps, { team, user, channel: meta.c, viewId: body.view.id, locale, form });
      await deps.desk.createTicket({
        ...common,
        thread: { ...thread(team, posted.channel, posted.ts), locale },
        sourceUrl: await permalinkOrNull(deps, posted.channel, posted.ts),
        sourceKey: sourceKey(team, posted.channel, posted.ts),
      });
      await deps.desk.setDialogState(posted.stateRef, null);
    },
    (e) => tellUser(deps, where, sentence(domainErrorText(deps.desk, locale, e))),
  );
}

export function registerTicketFlow(app: App, deps: FlowDeps): void {
  app.event('reaction_added', async ({ body, context }) => {
    if (phaseOf(context) !== 'durable') return;
    const envelope = eventCallbackSchema.safeParse(body);
    if (!envelope.success) return;
    const ev = reactionAddedSchema.safeParse(envelope.data.event);
    if (!ev.success || !isTicketReaction(ev.data.reaction, deps.ticketEmoji)) return;
    const { item } = ev.data;
    if (item.type !== 'message' || !item.channel || !item.ts) return;
    await onReaction(deps, eventTeam(envelope.data), ev.data.user, item.channel, item.ts);
  });

  app.action(ACTION.openTicketForm, async ({ body, ack }) => {
    const parsed = blockActionsSchema.safeParse(body);
    const value = parsed.success ? parseJson(reactionButtonSchema, parsed.data.actions[0]?.value) : null;
    if (!parsed.success || !value) return ack();
    try {
      const who = await whoIs(deps, interactionTeam(parsed.data), parsed.data.user.id);
      await openForm(deps, {
        triggerId: parsed.data.trigger_id,
        who,
        meta: { m: 'r', c: value.c, ts: value.ts, th: value.th, l: who.locale },
        subject: value.s,
        description: value.d,
      });
    } catch (e) {
      deps.logger.warn({ err: loggable(e) }, 'slack: could not open the request form');
    }
    await ack();
  });

  app.command(ASSIST_COMMAND, async ({ body, ack }) => {
    const parsed = slashCommandSchema.safeParse(body);
    if (!parsed.success) return ack();
    const cmd = parsed.data;
    const who = await whoIs(deps, cmd.team_id, cmd.user_id);
    try {
      await openForm(deps, {
        triggerId: cmd.trigger_id,
        who,
        meta: { m: 'a', c: cmd.channel_id, l: who.locale },
        subject: '',
        description: slackToPlain(cmd.text.trim()),
      });
      await ack();
    } catch (e) {
      deps.logger.warn({ err: loggable(e) }, 'slack: could not open the request form');
      await ack({ response_type: 'ephemeral', text: t(who.locale, 'common:error.generic') });
    }
  });

  app.view(CALLBACK.ticketForm, async ({ body, ack, context }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? parseJson(ticketFormMetaSchema, parsed.data.view.private_metadata) : null;
    if (!parsed.success || !meta) {
      deps.logger.warn('slack: unreadable request form submission');
      return ack();
    }
    const read = readTicketForm(parsed.data, meta.l, deps.desk.minDescriptionLength);
    if (phaseOf(context) === 'request') {
      if (!read.ok) return ack({ response_action: 'errors', errors: read.errors });
      return recordThenAck(deps, parsed.data, viewTeam(parsed.data), (r) => ack(r), meta.l, BLOCK.subject);
    }
    // Stored submissions passed this check before they were recorded.
    if (read.ok) await createFromForm(deps, parsed.data, meta, read.form);
  });
}
