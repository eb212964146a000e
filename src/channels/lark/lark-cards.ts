/**
 * Lark message cards (card JSON 1.0, which ephemeral cards and form containers both support) and the synchronous
 * answer to a card callback. Text that came from people (subjects, names, descriptions) only ever goes into
 * `plain_text`, so it cannot smuggle in mentions or links.
 */
import type { DraftErrors, RequestDraft, ServiceChoice, TicketSummary } from '../../core/chat/chat-messages.ts';
import type { Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';

export type Card = Record<string, unknown>;

/** Lark's input component holds at most 1000 characters. */
export const INPUT_MAX = 1000;
/** The service select's "not specified". */
export const NO_SERVICE = 'none';

export const plain = (content: string) => ({ tag: 'plain_text', content });
export const textBlock = (content: string) => ({ tag: 'div', text: plain(content) });
/** Only catalog sentences (with numbers) go here: markdown would render a person's text as markup. */
const errorLine = (content: string) => ({ tag: 'markdown', content: `<font color='red'>${content}</font>` });
export const linkButton = (text: string, url: string, type: 'default' | 'primary' = 'default') => ({ tag: 'button', text: plain(text), type, url });

/** A card everyone in the chat sees the same; `update_multi` makes it one the bot may PATCH later (after a rating). */
export function card(title: string, template: string, elements: unknown[], shared = true): Card {
  return { config: { wide_screen_mode: true, update_multi: shared }, header: { title: plain(title), template }, elements };
}

export const ticketTitle = (locale: Locale, ticket: TicketSummary) => `${t(locale, 'lark:card.ticket_title', { number: ticket.number })} · ${ticket.subject}`;
export const viewAction = (locale: Locale, ticket: TicketSummary) => ({ tag: 'action', actions: [linkButton(t(locale, 'ticket.link', { number: ticket.number }), ticket.url, 'primary')] });

function input(name: string, label: string, placeholder: string, value: string, extra: Record<string, unknown> = {}) {
  return { tag: 'input', name, label: plain(label), label_position: 'top', placeholder: plain(placeholder), max_length: INPUT_MAX, ...(value ? { default_value: value.slice(0, INPUT_MAX) } : {}), ...extra };
}

function select(name: string, options: { value: string; label: string }[], initial: string) {
  return { tag: 'select_static', name, initial_option: initial, options: options.map((o) => ({ text: plain(o.label), value: o.value })) };
}

const submitButton = (name: string, label: string, value: Record<string, string>, type = 'primary') => ({ tag: 'button', name, action_type: 'form_submit', type, text: plain(label), value });

/**
 * The request form: only the draft's id travels in the button; who the request is filed as is shown, not asked.
 * `errors` come from the core's checkDraft.
 */
export function requestFormCard(locale: Locale, draft: RequestDraft, services: ServiceChoice[], errors: DraftErrors = {}): Card {
  const err = (f: keyof DraftErrors) => (errors[f] ? [errorLine(t(locale, errors[f].key, errors[f].params))] : []);
  const serviceOptions = [{ value: NO_SERVICE, label: t(locale, 'lark:form.service_none') }, ...services.map((s) => ({ value: s.id, label: s.name }))];
  const form = {
    tag: 'form',
    name: 'request_form',
    elements: [
      input('subject', t(locale, 'form.subject'), t(locale, 'lark:form.subject_placeholder'), draft.subject),
      ...err('subject'),
      input('description', t(locale, 'form.description'), t(locale, 'lark:form.description_placeholder'), draft.description, { input_type: 'multiline_text', rows: 4 }),
      ...err('description'),
      textBlock(t(locale, 'form.priority')),
      select('priority', TICKET_PRIORITIES.map((p) => ({ value: p, label: t(locale, `priority.${p}`) })), draft.priority),
      ...err('priority'),
      textBlock(t(locale, 'form.service')),
      select('service', serviceOptions, draft.serviceId && services.some((s) => s.id === draft.serviceId) ? draft.serviceId : NO_SERVICE),
      ...err('serviceId'),
      textBlock(draft.requesterEmail ? t(locale, 'lark:form.filed_as', { email: draft.requesterEmail }) : t(locale, 'error.not_registered')),
      submitButton('submit', t(locale, 'action.submit'), { op: 'submit', d: draft.id, loc: locale }),
    ],
  };
  return card(t(locale, 'form.title'), 'blue', [textBlock(t(locale, 'lark:form.hint')), form], false);
}

/** What replaces the form once Lark's request was accepted, while the worker files it. */
export const submittedCard = (locale: Locale, subject: string) => card(t(locale, 'form.title'), 'green', [textBlock(t(locale, 'lark:form.submitted', { subject }))], false);

function reopenForm(locale: Locale, ticket: TicketSummary) {
  const label = t(locale, 'lark:reopen.reason_label');
  const reason = input('reason', label, t(locale, 'ticket.reopen_prompt', { number: ticket.number }), '', { input_type: 'multiline_text', rows: 2 });
  return { tag: 'form', name: 'reopen_form', elements: [reason, submitButton('reopen', t(locale, 'action.reopen'), { op: 'reopen', n: String(ticket.number), loc: locale }, 'default')] };
}

/** Rate 1-5 with an optional comment, Return to work with a reason, and a link to the request. */
export function ratingPromptCard(locale: Locale, ticket: TicketSummary): Card {
  const scores = [1, 2, 3, 4, 5].map((s) =>
    submitButton(`rate_${s}`, t(locale, 'lark:rating.score', { score: s }), { op: 'rate', n: String(ticket.number), s: String(s), loc: locale }, s >= 4 ? 'primary' : 'default'),
  );
  const rateForm = { tag: 'form', name: 'rate_form', elements: [input('comment', t(locale, 'lark:rating.comment_label'), t(locale, 'rating.comment_prompt'), ''), ...scores] };
  return card(ticketTitle(locale, ticket), 'green', [
    textBlock(t(locale, 'ticket.solved_prompt', { number: ticket.number })),
    { tag: 'hr' },
    rateForm,
    { tag: 'hr' },
    reopenForm(locale, ticket),
    viewAction(locale, ticket),
  ]);
}

export const reopenPromptCard = (locale: Locale, ticket: TicketSummary) =>
  card(ticketTitle(locale, ticket), 'orange', [textBlock(t(locale, 'ticket.reopen_prompt', { number: ticket.number })), reopenForm(locale, ticket), viewAction(locale, ticket)]);

export type Toast = { type: 'success' | 'info' | 'warning' | 'error'; content: string };

/**
 * The synchronous answer to a card callback. card.action.trigger takes `{toast, card:{type:'raw', data}}`; the
 * legacy card request URL takes the new card itself (or `{}` to leave it as is).
 */
export function cardResponse(legacy: boolean, toast: Toast | null, newCard: Card | null = null): Record<string, unknown> {
  if (legacy) return newCard ?? {};
  return { ...(toast ? { toast } : {}), ...(newCard ? { card: { type: 'raw', data: newCard } } : {}) };
}
