/**
 * Zod schemas of the Slack payloads this channel reads (Events API, slash commands, interactivity, Web API
 * answers), each decoded into named fields at the edge: nothing past this file reads a wire key. Loose objects:
 * Slack adds fields freely, we pin only what we use.
 */
import { z } from 'zod';
import type { ChatFile } from '../../core/chat/chat-events.ts';

const str = z.string().nullish();

export const urlVerificationSchema = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) });

export const eventCallbackSchema = z
  .looseObject({
    type: z.literal('event_callback'),
    team_id: z.string().min(1),
    // Every event Slack sends has one (it is how retries are recognised); old payloads replayed may not.
    event_id: z.string().min(1).max(200).nullish(),
    event: z.looseObject({ type: z.string() }),
    authorizations: z.array(z.looseObject({ team_id: str })).nullish(),
  })
  .transform((b) => {
    const e = b.event as { channel?: unknown; item?: { channel?: unknown } };
    const channel = typeof e.channel === 'string' ? e.channel : typeof e.item?.channel === 'string' ? e.item.channel : null;
    // The workspace the app is installed in (what Slack authorized), falling back to the event's team.
    return { eventId: b.event_id ?? null, team: b.authorizations?.[0]?.team_id ?? b.team_id, channel, event: b.event };
  });

/**
 * A message's file. `fetchRef.download` is its authenticated download URL (url_private_download, else url_private);
 * a Slack Connect stub (`file_access: "check_file_info"`) carries its id only, and `fetchRef.info` says to ask
 * files.info first.
 */
const fileSchema = z
  .looseObject({
    id: z.string(),
    name: str,
    title: str,
    permalink: str,
    url_private: str,
    url_private_download: str,
    size: z.number().nullish(),
    mimetype: str,
    file_access: str,
  })
  .transform((f): ChatFile => {
    const download = f.url_private_download ?? f.url_private ?? null;
    const fetchRef: Record<string, string> = f.file_access === 'check_file_info' || !download ? { info: '1' } : { download };
    return {
      name: f.name ?? f.title ?? 'file',
      url: f.permalink ?? f.url_private ?? null,
      platformFileId: f.id,
      size: f.size ?? null,
      contentType: f.mimetype ?? null,
      fetchRef,
    };
  });

/** A forwarded or shared message shows as an attachment (`is_share`); other attachments are link previews. */
const attachmentSchema = z
  .looseObject({ is_share: z.boolean().nullish(), author_name: str, text: str })
  .transform((a) => ({ shared: a.is_share === true, author: a.author_name ?? null, text: a.text ?? '' }));

const messageShape = {
  user: str,
  bot_id: str,
  text: str,
  ts: z.string().min(1),
  thread_ts: str,
  parent_user_id: str,
  files: z.array(fileSchema).nullish(),
  attachments: z.array(attachmentSchema).nullish(),
  metadata: z.looseObject({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).nullish() }).nullish(),
};

function decodeMessage(m: z.infer<z.ZodObject<typeof messageShape>>) {
  return {
    ts: m.ts,
    threadTs: m.thread_ts ?? null,
    user: m.user ?? null,
    botId: m.bot_id ?? null,
    parentUserId: m.parent_user_id ?? null,
    text: m.text ?? '',
    files: m.files ?? [],
    attachments: m.attachments ?? [],
    metadata: m.metadata ? { eventType: m.metadata.event_type, payload: m.metadata.event_payload ?? {} } : null,
  };
}

/** A message as events, histories and `message_changed` carry it. */
const slackMessageSchema = z.looseObject(messageShape).transform(decodeMessage);
export type SlackMessage = z.output<typeof slackMessageSchema>;

const inChannel = { channel: z.string().min(1), channel_type: str };
function decodeChannel(e: { channel: string; channel_type?: string | null }) {
  return { channel: e.channel, channelType: e.channel_type ?? null };
}

export const messageEventSchema = z
  .looseObject({ ...messageShape, ...inChannel })
  .transform((e) => ({ ...decodeMessage(e), ...decodeChannel(e) }));

export const messageChangedSchema = z
  .looseObject({
    ...inChannel,
    subtype: z.literal('message_changed'),
    // Some senders leave the edited message's ts out; it is the previous message's.
    message: z.looseObject({ ...messageShape, ts: z.string().min(1).optional() }),
    previous_message: slackMessageSchema.nullish(),
  })
  .transform((e) => {
    const ts = e.message.ts ?? e.previous_message?.ts;
    const message = ts ? decodeMessage({ ...e.message, ts }) : null;
    return { ...decodeChannel(e), message, previous: e.previous_message ?? null };
  });

export const messageDeletedSchema = z
  .looseObject({ ...inChannel, subtype: z.literal('message_deleted'), deleted_ts: z.string().min(1), previous_message: slackMessageSchema.nullish() })
  .transform((e) => ({ ...decodeChannel(e), deletedTs: e.deleted_ts, previous: e.previous_message ?? null }));

export const reactionAddedSchema = z
  .looseObject({
    type: z.literal('reaction_added'),
    user: z.string().min(1),
    reaction: z.string().min(1),
    item: z.looseObject({ type: z.string(), channel: str, ts: str }),
  })
  .transform((r) => ({ user: r.user, reaction: r.reaction, itemType: r.item.type, channel: r.item.channel ?? null, ts: r.item.ts ?? null }));

export const slashCommandSchema = z
  .looseObject({
    command: z.string().min(1),
    team_id: z.string().min(1),
    channel_id: z.string().min(1),
    user_id: z.string().min(1),
    text: z.string().default(''),
    trigger_id: z.string().min(1),
  })
  .transform((c) => ({ command: c.command, team: c.team_id, channel: c.channel_id, user: c.user_id, text: c.text, triggerId: c.trigger_id }));

const teamRef = z.looseObject({ id: z.string() }).nullish();
const userRef = z.looseObject({ id: z.string().min(1), team_id: str });

export const blockActionsSchema = z
  .looseObject({
    type: z.literal('block_actions'),
    team: teamRef,
    user: userRef,
    trigger_id: z.string().min(1),
    container: z.looseObject({ channel_id: str, message_ts: str, thread_ts: str }).nullish(),
    channel: z.looseObject({ id: z.string() }).nullish(),
    message: z.looseObject({ ts: z.string(), thread_ts: str }).nullish(),
    actions: z.array(z.looseObject({ action_id: z.string(), value: str })).min(1),
  })
  .transform((b) => ({
    team: b.team?.id ?? b.user.team_id ?? '',
    user: b.user.id,
    triggerId: b.trigger_id,
    channel: b.container?.channel_id ?? b.channel?.id ?? null,
    messageTs: b.message?.ts ?? b.container?.message_ts ?? null,
    threadTs: b.message?.thread_ts ?? b.container?.thread_ts ?? null,
    actionId: b.actions[0]!.action_id,
    value: b.actions[0]!.value ?? '',
  }));

const stateValue = z.looseObject({ value: str, selected_option: z.looseObject({ value: z.string() }).nullish() });

export const viewSubmissionSchema = z
  .looseObject({
    type: z.literal('view_submission'),
    team: teamRef,
    user: userRef,
    view: z.looseObject({
      id: z.string().min(1),
      callback_id: z.string(),
      private_metadata: z.string().max(3000).default(''),
      app_installed_team_id: str,
      state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
    }),
  })
  .transform((v) => ({
    team: v.view.app_installed_team_id ?? v.team?.id ?? v.user.team_id ?? '',
    user: v.user.id,
    viewId: v.view.id,
    callbackId: v.view.callback_id,
    metadata: v.view.private_metadata,
    /** Each input, trimmed (a text's value or a selected option's), null when empty, by block and action id. */
    input(blockId: string, actionId: string): string | null {
      const s = v.view.state.values[blockId]?.[actionId];
      const raw = (s?.value ?? s?.selected_option?.value ?? '').trim();
      return raw === '' ? null : raw;
    },
  }));
export type ViewSubmission = z.output<typeof viewSubmissionSchema>;

// ---- Web API answers ----------------------------------------------------------------------------------------

export const authTestSchema = z
  .looseObject({ user_id: z.string().min(1), bot_id: z.string().min(1), team_id: z.string().min(1) })
  .transform((r) => ({ botUserId: r.user_id, botId: r.bot_id, teamId: r.team_id }));
export const postedSchema = z.looseObject({ channel: z.string().min(1), ts: z.string().min(1) });
export const fileInfoSchema = z.looseObject({ file: fileSchema });
export const uploadUrlSchema = z.looseObject({ upload_url: z.string().min(1), file_id: z.string().min(1) }).transform((r) => ({ uploadUrl: r.upload_url, fileId: r.file_id }));
export const completedUploadSchema = z.looseObject({ files: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });
export const permalinkSchema = z.looseObject({ permalink: z.string().min(1) });
export const openedSchema = z.looseObject({ channel: z.looseObject({ id: z.string().min(1) }) });
export const messagesSchema = z.looseObject({ messages: z.array(slackMessageSchema).default([]) });
export const userInfoSchema = z
  .looseObject({
    user: z.looseObject({
      id: z.string(),
      name: str,
      real_name: str,
      locale: str,
      profile: z.looseObject({ email: str, display_name: str, real_name: str }).nullish(),
    }),
  })
  .transform(({ user: u }) => ({
    displayName: u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || u.id,
    email: u.profile?.email ?? null,
    locale: u.locale ?? null,
  }));
