/**
 * Lark message cards (card JSON 1.0, which ephemeral cards and form containers both support). Text that came from
 * people (subjects, names, descriptions) only ever goes into `plain_text`, so it cannot smuggle in mentions or links.
 */
import type { Locale } from '../../core/locale.ts';
import type { TicketSummary } from '../../core/ports/channel-port.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import type { CreateTicketValue } from './lark-schemas.ts';

export type Card = Record<string, unknown>;

/** Lark's input component accepts at most 1000 characters. */
export const INPUT_MAX = 1000;

export const plain = (content: string) => ({ tag: 'plain_text', content });
export const textBlock = (content: string) => ({ tag: 'div', text: plain(content) });
const errorLine = (content: string) => ({ tag: 'markdown', content: `<font color='red'>${content}</font>` });

export function linkButton(text: string, url: string, type: 'default' | 'primary' = 'default') {
  return { tag: 'button', text: plain(text), type, url };
}

export function card(title: string, template: string, elements: unknown[], extra: Card = {}): Card {
  // update_multi makes the card shared, the only kind a bot may PATCH later (e.g. after a rating).
  return { config: { wide_screen_mode: true, update_multi: true }, header: { title: plain(title), template }, elements, ...extra };
}

export function ticketTitle(locale: Locale, ticket: TicketSummary): string {
  return `${t(locale, 'lark:card.ticket_title', { number: ticket.number })} · ${ticket.subject}`;
}

export function viewAction(locale: Locale, ticket: TicketSummary) {
  return { tag: 'action', actions: [linkButton(t(locale, 'ticket.link', { number: ticket.number }), ticket.url, 'primary')] };
}

export const statusLabel = (locale: Locale, status: string) => t(locale, `status.${status}`);

export interface RequestFormState {
  subject: string;
  description: string;
  priority: TicketPriority;
  serviceId: string | null;
  email: string;
}

/** `form` is an error that belongs to no single field (e.g. the core refused for another reason). */
export type FormField = 'subject' | 'description' | 'email' | 'form';
export type FormErrors = Partial<Record<FormField, string>>;

export const NO_SERVICE = 'none';

function input(name: string, label: string, placeholder: string, value: string, extra: Record<string, unknown> = {}) {
  return {
    tag: 'input',
    name,
    label: plain(label),
    label_position: 'top',
    placeholder: plain(placeholder),
    max_length: INPUT_MAX,
    ...(value ? { default_value: value.slice(0, INPUT_MAX) } : {}),
    ...extra,
  };
}

function select(name: string, options: { value: string; label: string }[], initial: string) {
  return {
    tag: 'select_static',
    name,
    initial_option: initial,
    options: options.map((o) => ({ text: plain(o.label), value: o.value })),
  };
}

/** The request form. `openIds` is set for the delayed-update API, which needs it on non-shared 1.0 cards. */
export function requestFormCard(
  locale: Locale,
  state: RequestFormState,
  services: { id: string; name: string }[],
  value: CreateTicketValue,
  errors: FormErrors = {},
  openIds?: string[],
): Card {
  const err = (f: FormField) => (errors[f] ? [errorLine(errors[f])] : []);
  const serviceOptions = [
    { value: NO_SERVICE, label: t(locale, 'lark:form.service_none') },
    ...services.map((s) => ({ value: s.id, label: s.name })),
  ];
  const form = {
    tag: 'form',
    name: 'request_form',
    elements: [
      ...err('form'),
      input('subject', t(locale, 'form.subject'), t(locale, 'lark:form.subject_placeholder'), state.subject),
      ...err('subject'),
      input('description', t(locale, 'form.description'), t(locale, 'lark:form.description_placeholder'), state.description, {
        input_type: 'multiline_text',
        rows: 4,
      }),
      ...err('description'),
      textBlock(t(locale, 'form.priority')),
      select(
        'priority',
        TICKET_PRIORITIES.map((p) => ({ value: p, label: t(locale, `priority.${p}`) })),
        state.priority,
      ),
      textBlock(t(locale, 'form.service')),
      select('service', serviceOptions, state.serviceId ?? NO_SERVICE),
      input('email', t(locale, 'form.email'), t(locale, 'lark:form.email_placeholder'), state.email),
      ...err('email'),
      { tag: 'button', name: 'submit', action_type: 'form_submit', type: 'primary', text: plain(t(locale, 'action.submit')), value },
    ],
  };
  return {
    config: { wide_screen_mode: true, update_multi: false },
    header: { title: plain(t(locale, 'form.title')), template: 'blue' },
    elements: [textBlock(t(locale, 'lark:form.hint')), form],
    ...(openIds ? { open_ids: openIds } : {}),
  };
}

/** What replaces the form once it was accepted, while the ticket is created in the background. */
export function submittedCard(locale: Locale, subject: string, openIds?: string[]): Card {
  return {
    config: { wide_screen_mode: true, update_multi: false },
    header: { title: plain(t(locale, 'form.title')), template: 'green' },
    elements: [textBlock(t(locale, 'lark:form.submitted', { subject }))],
    ...(openIds ? { open_ids: openIds } : {}),
  };
}

function reopenForm(locale: Locale, ticket: TicketSummary) {
  return {
    tag: 'form',
    name: 'reopen_form',
    elements: [
      input('reason', t(locale, 'lark:reopen.reason_label'), t(locale, 'ticket.reopen_prompt', { number: ticket.number }), '', {
        input_type: 'multiline_text',
        rows: 2,
      }),
      {
        tag: 'button',
        name: 'reopen',
        action_type: 'form_submit',
        type: 'default',
        text: plain(t(locale, 'action.reopen')),
        value: { op: 'reopen', n: String(ticket.number), loc: locale },
      },
    ],
  };
}

/** Rate 1-5 with an optional comment, Reopen with a reason, and a link to the request. */
export function ratingPromptCard(locale: Locale, ticket: TicketSummary): Card {
  const rateForm = {
    tag: 'form',
    name: 'rate_form',
    elements: [
      input('comment', t(locale, 'lark:rating.comment_label'), t(locale, 'rating.comment_prompt'), ''),
      ...[1, 2, 3, 4, 5].map((s) => ({
        tag: 'button',
        name: `rate_${s}`,
        action_type: 'form_submit',
        type: s >= 4 ? 'primary' : 'default',
        text: plain(t(locale, 'lark:rating.score', { score: s })),
        value: { op: 'rate', n: String(ticket.number), s: String(s), loc: locale },
      })),
    ],
  };
  return card(ticketTitle(locale, ticket), 'green', [
    textBlock(t(locale, 'ticket.solved_prompt', { number: ticket.number })),
    { tag: 'hr' },
    rateForm,
    { tag: 'hr' },
    reopenForm(locale, ticket),
    viewAction(locale, ticket),
  ]);
}

export function reopenPromptCard(locale: Locale, ticket: TicketSummary): Card {
  return card(ticketTitle(locale, ticket), 'orange', [
    textBlock(t(locale, 'ticket.reopen_prompt', { number: ticket.number })),
    reopenForm(locale, ticket),
    viewAction(locale, ticket),
  ]);
}

/** The rating card once it was used: the outcome, and no buttons left to press again. */
export function resolvedCard(locale: Locale, ticket: TicketSummary, sentence: string): Card {
  return card(ticketTitle(locale, ticket), 'grey', [textBlock(sentence), viewAction(locale, ticket)]);
}

export type Toast = { type: 'success' | 'info' | 'warning' | 'error'; content: string };

/**
 * The synchronous answer to a card callback. card.action.trigger takes `{toast, card:{type:'raw', data}}`; the
 * legacy card request URL takes the new card itself (or `{}` to leave it as is).
 */
export function cardResponse(legacy: boolean, toast: Toast | null, newCard: Card | null): Record<string, unknown> {
  if (legacy) return newCard ?? {};
  return { ...(toast ? { toast } : {}), ...(newCard ? { card: { type: 'raw', data: newCard } } : {}) };
}
