/**
 * The modals this channel opens (the request form, Rate, Reopen), the little state they carry in private_metadata
 * (JSON, read back with zod: it returns to us through Slack's clients) and reading what was submitted.
 */
import { z } from 'zod';
import type { DraftFields, TicketAction } from '../../core/chat/chat-events.ts';
import type { ChatMessage, DraftErrors } from '../../core/chat/chat-messages.ts';
import { LOCALES, type Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { parseJson } from '../shared/json-text.ts';
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

type Field = keyof typeof BLOCK;
type Option = { text: Block; value: string };

const option = (text: string, value: string): Option => ({ text: plain(text), value });

/** An input block around its element (a text input or a select), with the field's block and action ids. */
function input(field: Field, label: string, element: Block, optional = false): Block {
  const labelled = { type: 'input', block_id: BLOCK[field], optional, label: plain(label, 2000) };
  return { ...labelled, element: { ...element, action_id: INPUT[field] } };
}

function textInput(o: { initial?: string; multiline?: boolean; max: number; min?: number }): Block {
  const initial = o.initial ? truncate(o.initial, o.max) : '';
  return {
    type: 'plain_text_input',
    multiline: o.multiline ?? false,
    max_length: o.max,
    // Slack's client refuses shorter input before it submits; the core's checkDraft decides again.
    ...(o.min ? { min_length: Math.min(o.min, o.max) } : {}),
    ...(initial !== '' ? { initial_value: initial } : {}),
  };
}

function select(options: Option[], initial?: string | null): Block {
  const chosen = options.find((x) => x.value === initial);
  return { type: 'static_select', options, ...(chosen ? { initial_option: chosen } : {}) };
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

/** A submitted field, trimmed; null when empty. */
const read = (v: ViewSubmission, field: Field) => v.input(BLOCK[field], INPUT[field]);

/**
 * The request form of a draft: subject, description, priority, service (when the catalog has any) and, read-only,
 * whom it is filed as. There is no email to type: the requester is the person, as the help center knows them.
 */
export function requestFormView(form: Extract<ChatMessage, { kind: 'request_form' }>, lang: Locale): View {
  const { draft } = form;
  const description = { initial: draft.description, multiline: true, max: MAX_TEXT_INPUT, min: form.minDescriptionLength };
  const priorities = TICKET_PRIORITIES.map((p) => option(t(lang, `common:priority.${p}`), p));
  const blocks: Block[] = [
    input('subject', t(lang, 'common:form.subject'), textInput({ initial: draft.subject, max: MAX_SUBJECT })),
    input('description', t(lang, 'common:form.description'), textInput(description)),
    input('priority', t(lang, 'common:form.priority'), select(priorities, draft.priority)),
  ];
  if (form.services.length > 0) {
    const services = form.services.slice(0, MAX_OPTIONS).map((s) => option(s.name, s.id));
    blocks.push(input('service', t(lang, 'common:form.service'), select(services, draft.serviceId), true));
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
  const priority = read(v, 'priority');
  return {
    subject: read(v, 'subject') ?? '',
    description: read(v, 'description') ?? '',
    priority: (TICKET_PRIORITIES as readonly string[]).includes(priority ?? '') ? (priority as TicketPriority) : 'normal',
    serviceId: read(v, 'service'),
  };
}

const FIELD_BLOCKS: Record<keyof DraftFields, string> = { subject: BLOCK.subject, description: BLOCK.description, priority: BLOCK.priority, serviceId: BLOCK.service };

/** checkDraft's errors as `response_action: errors` wants them: by block id, in the person's language. */
export function formErrors(errors: DraftErrors, lang: Locale): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, e]) => [FIELD_BLOCKS[field as keyof DraftFields], t(lang, e.key, e.params)]));
}

/** Rate and Reopen: the catalog keys of each modal's title, submit button and prompt. */
const TICKET_MODALS = {
  [CALLBACK.rate]: { title: 'slack:rate.title', submit: 'slack:rate.submit', prompt: 'common:ticket.solved_prompt' },
  [CALLBACK.reopen]: { title: 'common:action.reopen', submit: 'slack:reopen.submit', prompt: 'common:ticket.reopen_prompt' },
};

/** A ticket's modal: its prompt over the inputs. */
function ticketModal(callbackId: keyof typeof TICKET_MODALS, lang: Locale, meta: ActionMeta, inputs: Block[]): View {
  const keys = TICKET_MODALS[callbackId];
  const blocks = [section(escapeMrkdwn(t(lang, keys.prompt, { number: meta.n }))), ...inputs];
  return modal({ callbackId, title: t(lang, keys.title), submit: t(lang, keys.submit), lang, meta, blocks });
}

export function rateView(lang: Locale, meta: ActionMeta): View {
  const scores = [1, 2, 3, 4, 5].map((n) => option(t(lang, `slack:rate.option_${n}`), String(n)));
  const inputs = [
    input('score', t(lang, 'slack:rate.score'), select(scores)),
    input('comment', t(lang, 'slack:rate.comment'), textInput({ multiline: true, max: 2000 }), true),
  ];
  return ticketModal(CALLBACK.rate, lang, meta, inputs);
}

export function reopenView(lang: Locale, meta: ActionMeta): View {
  const inputs = [input('reason', t(lang, 'slack:reopen.reason'), textInput({ multiline: true, max: MAX_TEXT_INPUT }))];
  return ticketModal(CALLBACK.reopen, lang, meta, inputs);
}

/** What a submitted Rate or Reopen modal asks for; null without its score or reason (the score's range is the core's). */
export function submittedAction(v: ViewSubmission): TicketAction | null {
  if (v.callbackId === CALLBACK.rate) {
    const score = read(v, 'score');
    if (score === null || !/^\d{1,3}$/.test(score)) return null;
    return { kind: 'rate', score: Number(score), comment: read(v, 'comment') };
  }
  const reason = read(v, 'reason');
  return v.callbackId === CALLBACK.reopen && reason ? { kind: 'reopen', reason } : null;
}
