/**
 * Slack payloads for tests, built from the documented shapes under test/fixtures/slack/ with the ids of a test
 * filled in. Fixtures are JSON: tests read them as loose records.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FakeView } from '../../fakes/slack/slack-fake-state.ts';

// Fixtures are free-form JSON that tests edit in place.
type Json = any;

const dir = fileURLToPath(new URL('../../fixtures/slack/', import.meta.url));

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8'));
}

let seq = 0;
export function eventId(): string {
  seq += 1;
  return `Ev0TEST${String(seq).padStart(5, '0')}`;
}

export function reactionAdded(p: { channel: string; ts: string; user: string; reaction?: string; eventId?: string }): Json {
  const env = fixture('event-reaction-added');
  env.event_id = p.eventId ?? eventId();
  env.event.user = p.user;
  env.event.reaction = p.reaction ?? 'ticket';
  env.event.item = { type: 'message', channel: p.channel, ts: p.ts };
  return env;
}

export function threadReply(p: { channel: string; user: string; text: string; ts: string; threadTs: string; eventId?: string }): Json {
  const env = fixture('event-message-thread-reply');
  env.event_id = p.eventId ?? eventId();
  Object.assign(env.event, { channel: p.channel, user: p.user, text: p.text, ts: p.ts, event_ts: p.ts, thread_ts: p.threadTs });
  return env;
}

export function fileShare(p: { channel: string; user: string; text: string; ts: string; threadTs: string }): Json {
  const env = fixture('event-message-file-share');
  env.event_id = eventId();
  Object.assign(env.event, { channel: p.channel, user: p.user, text: p.text, ts: p.ts, event_ts: p.ts, thread_ts: p.threadTs });
  return env;
}

export function messageChanged(p: {
  channel: string;
  user: string;
  ts: string;
  threadTs: string;
  text: string;
  previousText: string;
}): Json {
  const env = fixture('event-message-changed');
  env.event_id = eventId();
  env.event.channel = p.channel;
  Object.assign(env.event.message, { user: p.user, ts: p.ts, thread_ts: p.threadTs, text: p.text });
  Object.assign(env.event.previous_message, { user: p.user, ts: p.ts, thread_ts: p.threadTs, text: p.previousText });
  return env;
}

export function messageDeleted(p: { channel: string; user: string; ts: string; threadTs: string }): Json {
  const env = fixture('event-message-deleted');
  env.event_id = eventId();
  env.event.channel = p.channel;
  env.event.deleted_ts = p.ts;
  Object.assign(env.event.previous_message, { user: p.user, ts: p.ts, thread_ts: p.threadTs });
  return env;
}

/** Slack's echo of a message our bot posted. */
export function ownBotMessage(p: { channel: string; ts: string; threadTs: string; text: string }): Json {
  const env = fixture('event-message-own-bot');
  env.event_id = eventId();
  Object.assign(env.event, { channel: p.channel, ts: p.ts, event_ts: p.ts, thread_ts: p.threadTs, text: p.text });
  return env;
}

export function assistCommand(p: { channel: string; user: string; text: string; triggerId: string }): Record<string, string> {
  const fields = fixture('command-assist') as Record<string, string>;
  return { ...fields, channel_id: p.channel, user_id: p.user, text: p.text, trigger_id: p.triggerId };
}

export function blockAction(p: {
  user: string;
  channel: string;
  actionId: string;
  value: string;
  triggerId: string;
  messageTs: string;
  threadTs?: string | null;
  ephemeral?: boolean;
}): Json {
  const body = fixture('block-actions');
  body.user.id = p.user;
  body.trigger_id = p.triggerId;
  body.channel.id = p.channel;
  body.container = {
    type: 'message',
    message_ts: p.messageTs,
    channel_id: p.channel,
    is_ephemeral: p.ephemeral ?? false,
    ...(p.threadTs ? { thread_ts: p.threadTs } : {}),
  };
  body.message.ts = p.messageTs;
  if (p.threadTs) body.message.thread_ts = p.threadTs;
  else delete body.message.thread_ts;
  body.actions[0].action_id = p.actionId;
  body.actions[0].value = p.value;
  return body;
}

/** state.values as Slack sends them: text inputs carry `value`, selects carry `selected_option`. */
export type FormValues = Record<string, Record<string, { type: string; value?: string | null; selected_option?: { value: string } | null }>>;

export function text(value: string | null): { type: string; value: string | null } {
  return { type: 'plain_text_input', value };
}

export function select(value: string | null): { type: string; selected_option: { value: string; text: { type: string; text: string } } | null } {
  return { type: 'static_select', selected_option: value === null ? null : { value, text: { type: 'plain_text', text: value } } };
}

/**
 * The request form's values. The form has no email field: `forgedEmail` adds one anyway, as a client that edits
 * the submission could, to show it is never read.
 */
export function ticketFormValues(p: { subject: string | null; description: string; priority?: string; service?: string | null; forgedEmail?: string }): FormValues {
  return {
    subject_block: { subject_input: text(p.subject) },
    description_block: { description_input: text(p.description) },
    priority_block: { priority_select: select(p.priority ?? 'normal') },
    service_block: { service_select: select(p.service ?? null) },
    ...(p.forgedEmail !== undefined ? { email_block: { email_input: text(p.forgedEmail) } } : {}),
  };
}

/** The view_submission Slack sends when a person submits a modal this app opened (as the fake stored it). */
export function submission(view: FakeView, user: string, values: FormValues): Json {
  const body = fixture('view-submission');
  body.user.id = user;
  body.view.id = view.id;
  body.view.hash = view.hash;
  body.view.callback_id = view.view['callback_id'];
  body.view.private_metadata = view.view['private_metadata'];
  body.view.blocks = view.view['blocks'];
  body.view.state = { values };
  return body;
}
