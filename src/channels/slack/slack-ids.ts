/** Names this channel gives Slack (action ids, view callback ids, block ids) and the ids it builds from Slack's. */
import type { ThreadTarget } from '../../core/ports/channel-port.ts';
import type { ChatUserRef } from '../../core/ports/desk-port.ts';

export const PLATFORM = 'slack';
/** The `via` of everything that arrives through this channel. */
export const VIA = 'slack';

export const ACTION = {
  openTicketForm: 'slack_ticket_open',
  rate: 'slack_rate',
  reopen: 'slack_reopen',
  /** URL buttons still send block_actions; they only need an ack. */
  view: 'slack_view',
} as const;

export const CALLBACK = {
  ticketForm: 'slack_ticket_form',
  rate: 'slack_rate_form',
  reopen: 'slack_reopen_form',
} as const;

export const BLOCK = {
  subject: 'subject_block',
  description: 'description_block',
  priority: 'priority_block',
  service: 'service_block',
  email: 'email_block',
  score: 'score_block',
  comment: 'comment_block',
  reason: 'reason_block',
} as const;

export const INPUT = {
  subject: 'subject_input',
  description: 'description_input',
  priority: 'priority_select',
  service: 'service_select',
  email: 'email_input',
  score: 'score_select',
  comment: 'comment_input',
  reason: 'reason_input',
} as const;

/** Metadata event type of every message the sync engine delivers, so findDelivered can recognise it. */
export const DELIVERY_EVENT_TYPE = 'ticket_delivery';

/** Identifies a source message across retries and reactions: "slack:<team>:<channel>:<ts>". */
export function sourceKey(team: string, channel: string, ts: string): string {
  return `${PLATFORM}:${team}:${channel}:${ts}`;
}

/** The externalRef of a synced thread reply; the same shape as a source key, so edits and deletes find it. */
export const replyRef = sourceKey;

export function thread(team: string, channel: string, threadTs: string | null): ThreadTarget {
  return { platform: PLATFORM, workspaceId: team, chatId: channel, threadRef: threadTs };
}

export function chatUser(team: string, user: string): ChatUserRef {
  return { platform: PLATFORM, workspaceId: team, platformUserId: user };
}
