/**
 * The modals this channel opens (the request form, Rate, Reopen), the little state they carry in private_metadata
 * (JSON, read back with zod: it returns to us through Slack's clients) and reading what was submitted.
 */
import { z } from 'zod';
import type { DraftFields } from '../../core/chat/chat-events.ts';
import type { ChatMessage, DraftErrors } from '../../core/chat/chat-messages.ts';
import { LOCALES, type Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import type { Block, View } from './slack-api.ts';
import { BLOCK, CALLBACK, INPUT } from './slack-ids.ts';
import { plain, section } from './slack-render.ts';
import type { ViewSubmission } from './slack-schemas.ts';
import { escapeMrkdwn, truncate } from './slack-text.ts';

/** Slack's caps on inputs: 150 for our subjects, 3,000 for a text input, 100 options a select. */
const MAX_SUBJECT = 150;
const MAX_TEXT_INPUT = 3000;
const MAX_OPTIONS = 100;

const locale = z.enum(LOCALES);
/** The request form carries only the draft's id (and the language it was shown in). */
export const requestMetaSchema = z.object({ d: z.string().min(1).max(100), l: locale });
/** Rate and Reopen: the ticket, where its buttons are (the message they replace), the language. */
export const actionMetaSchema = z.object({ n: z.number().int().positive(), c: z.string().min(1), th: z.string().nullable(), m: z.string().nullable(), l: locale });
export type ActionMeta = z.infer<typeof actionMetaSchema>;

/** The language a modal was shown in (every modal's metadata carries it). */
export function shownIn(metadata: string): Locale {
  return parseJson(z.object({ l: locale }), metadata)?.l ?? 'en';
}

/** A JSON string read against a schema; null when it is not JSON or does not fit. */
export function parseJson<T>(schema: z.ZodType<T>, raw: string | null | undefined): T | null {
  try {
    const r = schema.safeParse(JSON.parse(raw ?? ''));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const option = (text: string, value: string) => ({ text: plain(text), value });

function textInput(o: { blockId: string; actionId: string; label: string; initial?: string; multiline?: boolean; max: number; min?: number; optional?: boolean }): Block {
  const initial = o.initial ? truncate(o.initial, o.max) : '';
  return {
    type: 'input',
    block_id: o.blockId,
    optional: o.optional ?? false,
    label: plain(o.label, 2000),
    element: {
      type: 'plain_text_input',
      action_id: o.actionId,
      multiline: o.multiline ?? false,
      max_length: o.max,
      // Slack's client refuses shorter input before it submits; the core's checkDraft decides again.
      ...(o.min ? { min_length: Math.min(o.min, o.max) } : {}),
      ...(initial !== '' ? { initial_value: initial } : {}),
    },
  };
}

function select(o: { blockId: string; actionId: string; label: string; options: { text: Record<string, unknown>; value: string }[]; initial?: string | null; optional?: boolean }): Block {
  const initial = o.options.find((x) => x.value === o.initial);
  const element = { type: 'static_select', action_id: o.actionId, options: o.options, ...(initial ? { initial_option: initial } : {}) };
  return { type: 'input', block_id: o.blockId, optional: o.optional ?? false, label: plain(o.label), element };
}

function modal(o: { callbackId: string; title: string; submit: string; lang: Locale; meta: unknown; blocks: Block[] }): View {
  return {
    type: 'modal',
    callback_id: o.callbackId,
    title: plain(o.title, 24),
    submit: plain(o.submit, 24),
    close: plain(t(o.lang, 'common:action.cancel'), 24),
    private_metadata: JSON.stringify(o.meta),
    blocks: o.blocks,
  };
}

/**
 * The request form of a draft: subject, description, priority, service (when the catalog has any) and, read-only,
 * whom it is filed as. There is no email to type: the requester is the person, as the help center knows them.
 */
export function requestFormView(form: Extract<ChatMessage, { kind: 'request_form' }>, lang: Locale): View {
  const { draft } = form;
  const blocks: Block[] = [
    textInput({ blockId: BLOCK.subject, actionId: INPUT.subject, label: t(lang, 'common:form.subject'), initial: draft.subject, max: MAX_SUBJECT }),
    textInput({
      blockId: BLOCK.description,
      actionId: INPUT.description,
      label: t(lang, 'common:form.description'),
      initial: draft.description,
      multiline: true,
      max: MAX_TEXT_INPUT,
      min: form.minDescriptionLength,
    }),
    select({
      blockId: BLOCK.priority,
      actionId: INPUT.priority,
      label: t(lang, 'common:form.priority'),
      options: TICKET_PRIORITIES.map((p) => option(t(lang, `common:priority.${p}`), p)),
      initial: draft.priority,
    }),
  ];
  if (form.services.length > 0) {
    const options = form.services.slice(0, MAX_OPTIONS).map((s) => option(s.name, s.id));
    blocks.push(select({ blockId: BLOCK.service, actionId: INPUT.service, label: t(lang, 'common:form.service'), options, initial: draft.serviceId, optional: true }));
  }
  if (draft.requesterEmail) {
    const who = escapeMrkdwn(t(lang, 'slack:form.filed_as', { email: draft.requesterEmail }));
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: who }] });
  }
  const meta = { d: draft.id, l: lang };
  return modal({ callbackId: CALLBACK.requestForm, title: t(lang, 'common:form.title'), submit: t(lang, 'common:action.submit'), lang, meta, blocks });
}

/** The submitted form, as the person filled it in (the core normalises and checks it). */
export function readRequestFields(v: ViewSubmission): DraftFields {
  const priority = v.input(BLOCK.priority, INPUT.priority);
  return {
    subject: v.input(BLOCK.subject, INPUT.subject) ?? '',
    description: v.input(BLOCK.description, INPUT.description) ?? '',
    priority: (TICKET_PRIORITIES as readonly string[]).includes(priority ?? '') ? (priority as TicketPriority) : 'normal',
    serviceId: v.input(BLOCK.service, INPUT.service),
  };
}

const FIELD_BLOCKS: Record<keyof DraftFields, string> = { subject: BLOCK.subject, description: BLOCK.description, priority: BLOCK.priority, serviceId: BLOCK.service };

/** checkDraft's errors as `response_action: errors` wants them: by block id, in the person's language. */
export function formErrors(errors: DraftErrors, lang: Locale): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, e]) => [FIELD_BLOCKS[field as keyof DraftFields], t(lang, e.key, e.params)]));
}

export function rateView(lang: Locale, meta: ActionMeta): View {
  const scores = [1, 2, 3, 4, 5].map((n) => option(t(lang, `slack:rate.option_${n}`), String(n)));
  return modal({
    callbackId: CALLBACK.rate,
    title: t(lang, 'slack:rate.title'),
    submit: t(lang, 'slack:rate.submit'),
    lang,
    meta,
    blocks: [
      section(escapeMrkdwn(t(lang, 'common:ticket.solved_prompt', { number: meta.n }))),
      select({ blockId: BLOCK.score, actionId: INPUT.score, label: t(lang, 'slack:rate.score'), options: scores }),
      textInput({ blockId: BLOCK.comment, actionId: INPUT.comment, label: t(lang, 'slack:rate.comment'), multiline: true, max: 2000, optional: true }),
    ],
  });
}

export function reopenView(lang: Locale, meta: ActionMeta): View {
  return modal({
    callbackId: CALLBACK.reopen,
    title: t(lang, 'common:action.reopen'),
    submit: t(lang, 'slack:reopen.submit'),
    lang,
    meta,
    blocks: [
      section(escapeMrkdwn(t(lang, 'common:ticket.reopen_prompt', { number: meta.n }))),
      textInput({ blockId: BLOCK.reason, actionId: INPUT.reason, label: t(lang, 'slack:reopen.reason'), multiline: true, max: MAX_TEXT_INPUT }),
    ],
  });
}

/** The score and comment of a submitted Rate modal; null score when none was chosen (whether it is valid is the core's call). */
export function readRating(v: ViewSubmission): { score: number | null; comment: string | null } {
  const raw = v.input(BLOCK.score, INPUT.score);
  return { score: raw !== null && /^\d{1,3}$/.test(raw) ? Number(raw) : null, comment: v.input(BLOCK.comment, INPUT.comment) };
}

export function readReason(v: ViewSubmission): string | null {
  return v.input(BLOCK.reason, INPUT.reason);
}
