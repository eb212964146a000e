/** Names this channel gives Slack (action, view callback and block ids) and the ids it builds from Slack's. */
import type { ChatPlace } from '../../core/chat/chat-events.ts';

export const PLATFORM = 'slack';

export const ACTION = {
  openForm: 'slack_ticket_open',
  rate: 'slack_rate',
  reopen: 'slack_reopen',
  /** URL buttons still send block_actions; they only need an answer. */
  view: 'slack_view',
} as const;

export const CALLBACK = {
  requestForm: 'slack_ticket_form',
  rate: 'slack_rate_form',
  reopen: 'slack_reopen_form',
} as const;

export const BLOCK = {
  subject: 'subject_block',
  description: 'description_block',
  priority: 'priority_block',
  service: 'service_block',
  score: 'score_block',
  comment: 'comment_block',
  reason: 'reason_block',
} as const;

export const INPUT = {
  subject: 'subject_input',
  description: 'description_input',
  priority: 'priority_select',
  service: 'service_select',
  score: 'score_select',
  comment: 'comment_input',
  reason: 'reason_input',
} as const;

/** Metadata event type of every message the sync engine delivers, so findDelivered can recognise it. */
export const DELIVERY_EVENT_TYPE = 'ticket_delivery';
/** Metadata event type of a request posted for /assist, so a retry finds it instead of posting it again. */
export const REQUEST_EVENT_TYPE = 'ticket_request';

/** A Slack message across the help center: a ts is unique only within its conversation. */
export function messageId(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

/** The app's direct chat with a person (conversation ids D…). */
export function isDirectChat(channel: string): boolean {
  return /^D[A-Z0-9_]+$/.test(channel);
}

/** A place in a workspace: a conversation (or a person, for their direct chat) and a thread in it. */
export function slackPlace(team: string, chatId: string, threadRef: string | null, direct = isDirectChat(chatId)): ChatPlace {
  return { platform: PLATFORM, workspaceId: team, chatId, threadRef, direct };
}

/** Slack user ids (U…, or W… on Enterprise Grid), as opposed to conversation ids (C…, G…, D…). */
export function isUserId(id: string): boolean {
  return /^[UW][A-Z0-9_]+$/.test(id);
}

/** Slack's own bot user writes system notices ("you were removed from #x"); they are nobody's words. */
export const SLACKBOT = 'USLACKBOT';
