/**
 * Zod schemas of the Slack payloads this channel reads (Events API, slash commands, interactivity). Loose objects:
 * Slack adds fields freely, we only pin what we use.
 */
import { z } from 'zod';

export const urlVerificationSchema = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1).max(1000),
});

export const eventCallbackSchema = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().min(1),
  event_id: z.string().min(1).max(200),
  event: z.looseObject({ type: z.string() }),
  authorizations: z.array(z.looseObject({ team_id: z.string().nullish() })).nullish(),
});
export type EventCallback = z.infer<typeof eventCallbackSchema>;

/** The conversation an event happens in (reactions carry it under `item`), for ordering; undefined when none. */
export function eventConversationKey(body: EventCallback): string | undefined {
  const e = body.event as { channel?: unknown; item?: { channel?: unknown } };
  const channel = typeof e.channel === 'string' ? e.channel : typeof e.item?.channel === 'string' ? e.item.channel : undefined;
  return channel ? `${eventTeam(body)}:${channel}` : undefined;
}

/** The workspace the app is installed in (what Bolt authorizes against), falling back to the event's team. */
export function eventTeam(body: EventCallback): string {
  return body.authorizations?.[0]?.team_id ?? body.team_id;
}

export const reactionAddedSchema = z.looseObject({
  type: z.literal('reaction_added'),
  user: z.string().min(1),
  reaction: z.string().min(1),
  item_user: z.string().nullish(),
  item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
});

export const slackFileSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  permalink: z.string().nullish(),
  url_private: z.string().nullish(),
});

/** A message as it appears in events, histories and `message_changed.message`. */
export const slackMessageSchema = z.looseObject({
  type: z.literal('message').optional(),
  subtype: z.string().nullish(),
  user: z.string().nullish(),
  bot_id: z.string().nullish(),
  text: z.string().nullish(),
  ts: z.string().min(1),
  thread_ts: z.string().nullish(),
  files: z.array(slackFileSchema).nullish(),
  metadata: z
    .looseObject({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).nullish() })
    .nullish(),
});
export type SlackMessage = z.infer<typeof slackMessageSchema>;

export const messageEventSchema = slackMessageSchema.extend({
  type: z.literal('message'),
  channel: z.string().min(1),
});

export const messageChangedSchema = z.looseObject({
  type: z.literal('message'),
  subtype: z.literal('message_changed'),
  channel: z.string().min(1),
  message: slackMessageSchema,
  previous_message: slackMessageSchema.nullish(),
});

export const messageDeletedSchema = z.looseObject({
  type: z.literal('message'),
  subtype: z.literal('message_deleted'),
  channel: z.string().min(1),
  deleted_ts: z.string().min(1),
  previous_message: slackMessageSchema.nullish(),
});

export const slashCommandSchema = z.looseObject({
  command: z.string().min(1),
  team_id: z.string().min(1),
  channel_id: z.string().min(1),
  user_id: z.string().min(1),
  text: z.string().default(''),
  trigger_id: z.string().min(1),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;

const teamRef = z.looseObject({ id: z.string() }).nullish();
const userRef = z.looseObject({ id: z.string().min(1), team_id: z.string().nullish() });

export const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  team: teamRef,
  user: userRef,
  trigger_id: z.string().min(1),
  container: z
    .looseObject({
      type: z.string(),
      channel_id: z.string().nullish(),
      message_ts: z.string().nullish(),
      thread_ts: z.string().nullish(),
      is_ephemeral: z.boolean().nullish(),
    })
    .nullish(),
  channel: z.looseObject({ id: z.string() }).nullish(),
  message: z.looseObject({ ts: z.string(), thread_ts: z.string().nullish() }).nullish(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().nullish() })).min(1),
});
export type BlockActions = z.infer<typeof blockActionsSchema>;

const stateValue = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: z.looseObject({ value: z.string() }).nullish(),
});

export const viewSubmissionSchema = z.looseObject({
  type: z.literal('view_submission'),
  team: teamRef,
  user: userRef,
  view: z.looseObject({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string().max(3000).default(''),
    app_installed_team_id: z.string().nullish(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

/** The workspace of an interactive payload, as Bolt resolves it. */
export function interactionTeam(body: { team?: { id: string } | null; user: { team_id?: string | null } }): string {
  return body.team?.id ?? body.user.team_id ?? '';
}

export function viewTeam(body: ViewSubmission): string {
  return body.view.app_installed_team_id ?? interactionTeam(body);
}

/** Reads one input of a submitted view: a text value or a selected option's value, trimmed; null when empty. */
export function stateInput(body: ViewSubmission, blockId: string, actionId: string): string | null {
  const v = body.view.state.values[blockId]?.[actionId];
  const raw = v?.value ?? v?.selected_option?.value ?? null;
  const trimmed = raw?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
