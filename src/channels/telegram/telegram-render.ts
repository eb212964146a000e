/**
 * Renders the core's platform-neutral RichMessage (and the bot's own screens) as Telegram HTML plus an inline
 * keyboard. Every sentence comes from the catalog; every value that came from a person is escaped.
 */
import type { RichMessage, TicketSummary } from '../../core/ports/channel-port.ts';
import type { PublicComment, TicketDetail } from '../../core/ports/desk-port.ts';
import type { Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { encodeCallback, serviceRef, type CallbackAction } from './telegram-callback-data.ts';
import { escapeAttr, escapeHtml, truncate } from './telegram-html.ts';

export interface Button {
  text: string;
  callback_data: string;
}

export interface Rendered {
  html: string;
  keyboard?: Button[][];
}

/** A catalog sentence, escaped for HTML (catalog values are plain text; parameters may be user text). */
export function tx(locale: Locale, key: string, params?: Record<string, string | number>): string {
  return escapeHtml(t(locale, key, params));
}

export function button(text: string, action: CallbackAction): Button {
  return { text: truncate(text, 60), callback_data: encodeCallback(action) };
}

function link(url: string, label: string): string {
  return `<a href="${escapeAttr(url)}">${escapeHtml(label)}</a>`;
}

const status = (locale: Locale, s: string) => t(locale, `status.${s}`);
const priority = (locale: Locale, p: string) => t(locale, `priority.${p}`);

function ticketParams(locale: Locale, ticket: TicketSummary) {
  return { number: ticket.number, subject: ticket.subject, status: status(locale, ticket.status) };
}

export function ratingKeyboard(locale: Locale, ticket: number): Button[][] {
  return [
    [1, 2, 3, 4, 5].map((score) => button(`${score} ⭐`, { kind: 'rate', ticket, score })),
    [button(t(locale, 'action.reopen'), { kind: 'reopen', ticket })],
    [button(t(locale, 'action.view'), { kind: 'detail', ticket })],
  ];
}

export function renderRich(message: RichMessage, locale: Locale): Rendered {
  switch (message.kind) {
    case 'ticket_confirmation': {
      const tk = message.ticket;
      return {
        html: `${tx(locale, 'ticket.confirmation', ticketParams(locale, tk))}\n${link(tk.url, t(locale, 'ticket.link', { number: tk.number }))}`,
      };
    }
    case 'status_changed':
      return {
        html: tx(locale, 'ticket.status_changed', {
          number: message.ticket.number,
          from: status(locale, message.from),
          to: status(locale, message.to),
        }),
      };
    case 'agent_reply':
      return {
        html: `<b>${tx(locale, 'ticket.agent_reply', { author: message.authorName, number: message.ticket.number })}</b>\n${escapeHtml(message.body)}`,
      };
    case 'rating_prompt':
      return {
        html: tx(locale, 'ticket.solved_prompt', { number: message.ticket.number }),
        keyboard: ratingKeyboard(locale, message.ticket.number),
      };
    case 'reopen_prompt':
      return {
        html: tx(locale, 'ticket.reopen_prompt', { number: message.ticket.number }),
        keyboard: [[button(t(locale, 'action.reopen'), { kind: 'reopen', ticket: message.ticket.number })]],
      };
    case 'ticket_list':
      return renderTicketList(message.tickets, locale);
    case 'notice':
      return { html: tx(locale, message.key, message.params) };
  }
}

export function renderTicketList(tickets: TicketSummary[], locale: Locale): Rendered {
  if (tickets.length === 0) return { html: tx(locale, 'ticket.list_empty') };
  const lines = tickets.map((tk) => tx(locale, 'ticket.list_item', ticketParams(locale, tk)));
  return {
    html: `<b>${tx(locale, 'ticket.list_title')}</b>\n${lines.join('\n')}`,
    keyboard: tickets.map((tk) => [button(`#${tk.number} ${tk.subject}`, { kind: 'detail', ticket: tk.number })]),
  };
}

/** "2024-05-01 12:00:00 UTC": exact, and the same for every reader whatever their time zone. */
export function exactTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function renderTicketDetail(tk: TicketDetail, locale: Locale): Rendered {
  const row = (key: string, value: string) => `${tx(locale, key)}: ${escapeHtml(value)}`;
  const lines = [
    `<b>${escapeHtml(`#${tk.number} ${tk.subject}`)}</b>`,
    row('telegram:detail.status', status(locale, tk.status)),
    row('telegram:detail.priority', priority(locale, tk.priority)),
    ...(tk.serviceName ? [row('telegram:detail.service', tk.serviceName)] : []),
    row('telegram:detail.cc_email', tk.ccEmail),
    row('telegram:detail.initiator_email', tk.submitterEmail),
    row('telegram:detail.created', exactTime(tk.createdAt)),
    link(tk.url, t(locale, 'ticket.link', { number: tk.number })),
  ];
  return {
    html: lines.join('\n'),
    keyboard: [
      [button(t(locale, 'telegram:detail.add_comment'), { kind: 'comment', ticket: tk.number })],
      [button(t(locale, 'telegram:detail.read_comments'), { kind: 'comments', ticket: tk.number })],
    ],
  };
}

export function renderComments(ticket: number, comments: PublicComment[], locale: Locale): Rendered {
  if (comments.length === 0) return { html: tx(locale, 'telegram:comments.none', { number: ticket }) };
  const items = comments.map(
    (c) => `<b>${escapeHtml(c.authorName)}</b>, ${escapeHtml(exactTime(c.createdAt))}:\n${escapeHtml(c.body)}`,
  );
  return { html: `<b>${tx(locale, 'telegram:comments.title', { number: ticket })}</b>\n\n${items.join('\n\n')}` };
}

export function serviceKeyboard(
  services: { id: string; name: string }[],
  kind: 'new_service' | 'group_service',
): Button[][] {
  const prefix = kind === 'new_service' ? 4 : 2;
  return services.map((s, i) => [button(s.name, { kind, ref: serviceRef(s, i, prefix) })]);
}

export function priorityKeyboard(locale: Locale): Button[][] {
  const buttons = TICKET_PRIORITIES.map((p) => button(priority(locale, p), { kind: 'new_priority', priority: p }));
  return [buttons.slice(0, 2), buttons.slice(2)];
}

export function menuKeyboard(locale: Locale): Button[][] {
  return [
    [button(t(locale, 'telegram:menu.new'), { kind: 'menu', item: 'new' })],
    [button(t(locale, 'telegram:menu.tickets'), { kind: 'menu', item: 'tickets' })],
    [button(t(locale, 'telegram:menu.help'), { kind: 'menu', item: 'help' })],
  ];
}

export function wizardSummary(
  locale: Locale,
  draft: { serviceName: string | null; description: string; priority?: string },
): string {
  const lines = [
    `<b>${tx(locale, 'telegram:new.summary_title')}</b>`,
    `${tx(locale, 'form.service')}: ${escapeHtml(draft.serviceName ?? t(locale, 'telegram:new.no_service'))}`,
    ...(draft.priority ? [`${tx(locale, 'form.priority')}: ${escapeHtml(priority(locale, draft.priority))}`] : []),
    `${tx(locale, 'form.description')}:`,
    escapeHtml(draft.description),
  ];
  return lines.join('\n');
}
