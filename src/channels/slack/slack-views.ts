/**
 * The modals and ephemeral prompts this channel opens, and the small state they carry (button values and
 * private_metadata are JSON strings, parsed back with zod: they return to us through Slack's clients).
 */
import { z } from 'zod';
import type { TicketSummary } from '../../core/ports/channel-port.ts';
import { LOCALES, type Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import type { Block, View } from './slack-api.ts';
import { ACTION, BLOCK, CALLBACK, INPUT } from './slack-ids.ts';
import { button, fallbackText, plain, section, ticketLink, type RenderedMessage } from './slack-render.ts';
import { escapeMrkdwn, quote, truncate } from './slack-text.ts';

/** Slack's caps on what we put into views and buttons. */
const MAX_BUTTON_VALUE = 2000;
const MAX_SUBJECT = 150;
const MAX_DESCRIPTION = 3000;
const MAX_OPTIONS = 100;

const localeSchema = z.enum(LOCALES);

/** What the "Submit request" button under a reacted message remembers (its value, at most 2,000 characters). */
export const reactionButtonSchema = z.object({
  c: z.string().min(1),
  ts: z.string().min(1),
  th: z.string().min(1),
  s: z.string(),
  d: z.string(),
});
export type ReactionButton = z.infer<typeof reactionButtonSchema>;

/** private_metadata of the ticket form: where the request came from. */
export const ticketFormMetaSchema = z.discriminatedUnion('m', [
  // from a reaction: the source message and its thread
  z.object({ m: z.literal('r'), c: z.string().min(1), ts: z.string().min(1), th: z.string().min(1), l: localeSchema }),
  // from /assist: the conversation to post the request into
  z.object({ m: z.literal('a'), c: z.string().min(1), l: localeSchema }),
]);
export type TicketFormMeta = z.infer<typeof ticketFormMetaSchema>;

/** private_metadata of the rate and reopen modals. */
export const ticketActionMetaSchema = z.object({
  n: z.number().int().positive(),
  c: z.string().min(1),
  th: z.string().nullable(),
  l: localeSchema,
});
export type TicketActionMeta = z.infer<typeof ticketActionMetaSchema>;

/** Parses a JSON string against a schema; null when it is not JSON or does not fit. */
export function parseJson<T>(schema: z.ZodType<T>, raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Packs the prefill into a button value, shortening the description until it fits. */
export function encodeReactionButton(v: ReactionButton): string {
  let d = truncate(v.d, MAX_DESCRIPTION);
  let value = JSON.stringify({ ...v, s: truncate(v.s, MAX_SUBJECT), d });
  while (value.length > MAX_BUTTON_VALUE && d.length > 0) {
    d = truncate(d, Math.max(0, [...d].length - (value.length - MAX_BUTTON_VALUE) - 1));
    value = JSON.stringify({ ...v, s: truncate(v.s, MAX_SUBJECT), d });
  }
  return value;
}

/** The ephemeral shown to the person who reacted: the message's start and a "Submit request" button. */
export function reactionPrompt(locale: Locale, v: ReactionButton): RenderedMessage {
  const prompt = t(locale, 'slack:reaction.prompt');
  const blocks: Block[] = [section(escapeMrkdwn(prompt))];
  if (v.s !== '') blocks.push(section(quote(escapeMrkdwn(v.s))));
  blocks.push({
    type: 'actions',
    block_id: 'reaction_prompt',
    elements: [
      button({
        actionId: ACTION.openTicketForm,
        text: t(locale, 'common:action.submit'),
        value: encodeReactionButton(v),
        style: 'primary',
      }),
    ],
  });
  return { text: fallbackText(prompt), blocks };
}

/** The ephemeral shown when the reacted message already started a ticket. */
export function existingTicketNotice(locale: Locale, ticket: TicketSummary): RenderedMessage {
  const sentence = t(locale, 'slack:reaction.exists', {
    number: ticket.number,
    subject: ticket.subject,
    status: t(locale, `common:status.${ticket.status}`),
  });
  return { text: `${fallbackText(sentence)} ${ticket.url}`, blocks: [section(`${escapeMrkdwn(sentence)}\n${ticketLink(locale, ticket)}`)] };
}

/** Told to the person whose reply in a closed ticket's thread started a follow-up request. */
export function followUpNotice(locale: Locale, closedNumber: number, ticket: TicketSummary): RenderedMessage {
  const sentence = t(locale, 'slack:thread.follow_up', {
    closed: closedNumber,
    number: ticket.number,
    subject: ticket.subject,
    status: t(locale, `common:status.${ticket.status}`),
  });
  return { text: `${fallbackText(sentence)} ${ticket.url}`, blocks: [section(`${escapeMrkdwn(sentence)}\n${ticketLink(locale, ticket)}`)] };
}

function option(text: string, value: string): Record<string, unknown> {
  return { text: plain(text), value };
}

function textInput(opts: {
  blockId: string;
  actionId: string;
  label: string;
  initial?: string;
  multiline?: boolean;
  maxLength: number;
  /** Slack's client refuses shorter input before it submits; the server checks again (slack-form.ts). */
  minLength?: number;
  optional?: boolean;
  hint?: string;
}): Block {
  const initial = opts.initial ? truncate(opts.initial, opts.maxLength) : '';
  return {
    type: 'input',
    block_id: opts.blockId,
    optional: opts.optional ?? false,
    label: plain(opts.label, 2000),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: opts.actionId,
      multiline: opts.multiline ?? false,
      max_length: opts.maxLength,
      ...(opts.minLength ? { min_length: Math.min(opts.minLength, opts.maxLength) } : {}),
      ...(initial !== '' ? { initial_value: initial } : {}),
    },
  };
}

function modal(opts: { callbackId: string; title: string; submit: string; locale: Locale; meta: unknown; blocks: Block[] }): View {
  return {
    type: 'modal',
    callback_id: opts.callbackId,
    title: plain(opts.title, 24),
    submit: plain(opts.submit, 24),
    close: plain(t(opts.locale, 'common:action.cancel'), 24),
    private_metadata: JSON.stringify(opts.meta),
    blocks: opts.blocks,
  };
}

export interface TicketFormPrefill {
  subject: string;
  description: string;
  email: string | null;
  priority?: TicketPriority;
}

/** The request form: subject, description, priority, service (when the catalog has any) and the reporter's email. */
export function ticketFormView(opts: {
  locale: Locale;
  meta: TicketFormMeta;
  prefill: TicketFormPrefill;
  services: { id: string; name: string }[];
  /** The core's minimum (DeskPort.minDescriptionLength). */
  minDescriptionLength?: number;
}): View {
  const { locale, prefill } = opts;
  const priorities = TICKET_PRIORITIES.map((p) => option(t(locale, `common:priority.${p}`), p));
  const initialPriority = prefill.priority ?? 'normal';
  const blocks: Block[] = [
    textInput({
      blockId: BLOCK.subject,
      actionId: INPUT.subject,
      label: t(locale, 'common:form.subject'),
      initial: prefill.subject,
      maxLength: MAX_SUBJECT,
    }),
    textInput({
      blockId: BLOCK.description,
      actionId: INPUT.description,
      label: t(locale, 'common:form.description'),
      initial: prefill.description,
      multiline: true,
      maxLength: MAX_DESCRIPTION,
      ...(opts.minDescriptionLength ? { minLength: opts.minDescriptionLength } : {}),
    }),
    {
      type: 'input',
      block_id: BLOCK.priority,
      label: plain(t(locale, 'common:form.priority')),
      element: {
        type: 'static_select',
        action_id: INPUT.priority,
        placeholder: plain(t(locale, 'slack:form.priority_placeholder')),
        options: priorities,
        initial_option: option(t(locale, `common:priority.${initialPriority}`), initialPriority),
      },
    },
  ];
  if (opts.services.length > 0) {
    blocks.push({
      type: 'input',
      block_id: BLOCK.service,
      optional: true,
      label: plain(t(locale, 'common:form.service')),
      element: {
        type: 'static_select',
        action_id: INPUT.service,
        placeholder: plain(t(locale, 'slack:form.service_placeholder')),
        options: opts.services.slice(0, MAX_OPTIONS).map((s) => option(s.name, s.id)),
      },
    });
  }
  blocks.push(
    textInput({
      blockId: BLOCK.email,
      actionId: INPUT.email,
      label: t(locale, 'common:form.email'),
      initial: prefill.email ?? '',
      maxLength: 254,
      hint: t(locale, 'slack:form.email_hint'),
    }),
  );
  return modal({
    callbackId: CALLBACK.ticketForm,
    title: t(locale, 'common:form.title'),
    submit: t(locale, 'common:action.submit'),
    locale,
    meta: opts.meta,
    blocks,
  });
}

export function rateView(locale: Locale, meta: TicketActionMeta): View {
  const scores = [1, 2, 3, 4, 5].map((n) => option(t(locale, `slack:rate.option_${n}`), String(n)));
  return modal({
    callbackId: CALLBACK.rate,
    title: t(locale, 'slack:rate.title'),
    submit: t(locale, 'slack:rate.submit'),
    locale,
    meta,
    blocks: [
      section(escapeMrkdwn(t(locale, 'common:ticket.solved_prompt', { number: meta.n }))),
      {
        type: 'input',
        block_id: BLOCK.score,
        label: plain(t(locale, 'slack:rate.score')),
        element: { type: 'static_select', action_id: INPUT.score, options: scores },
      },
      textInput({
        blockId: BLOCK.comment,
        actionId: INPUT.comment,
        label: t(locale, 'slack:rate.comment'),
        multiline: true,
        maxLength: 2000,
        optional: true,
      }),
    ],
  });
}

export function reopenView(locale: Locale, meta: TicketActionMeta): View {
  return modal({
    callbackId: CALLBACK.reopen,
    title: t(locale, 'common:action.reopen'),
    submit: t(locale, 'slack:reopen.submit'),
    locale,
    meta,
    blocks: [
      section(escapeMrkdwn(t(locale, 'common:ticket.reopen_prompt', { number: meta.n }))),
      textInput({
        blockId: BLOCK.reason,
        actionId: INPUT.reason,
        label: t(locale, 'slack:reopen.reason'),
        multiline: true,
        maxLength: 3000,
      }),
    ],
  });
}
