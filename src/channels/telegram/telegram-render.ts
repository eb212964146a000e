/**
 * What the core says (ChatMessage), as Telegram HTML plus an inline keyboard. Every sentence comes from the catalog;
 * every value that came from a person is escaped. Where Telegram has its own idiom for a core notice (how to
 * register here, how a mention works), the notice is said in it.
 */
import type { InlineKeyboardButton } from 'telegraf/types';
import type { ChatMessage, RequestDraft, TicketSummary } from '../../core/chat/chat-messages.ts';
import { MIN_DESCRIPTION_LENGTH } from '../../core/chat/request-draft.ts';
import type { Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { statusName, summaryParams } from '../shared/ticket-text.ts';
import { encodeButton, type ButtonAction } from './telegram-callback-data.ts';
import { escapeAttr, escapeHtml, truncate } from './telegram-html.ts';

type Button = InlineKeyboardButton.CallbackButton;

export interface Rendered {
  html: string;
  keyboard?: Button[][];
}

/** The core's messages, and the adapter's own confirmation before a ticket goes back to work. */
export type TelegramMessage = ChatMessage | { kind: 'reopen_confirm'; number: number };

export interface RenderOptions {
  locale: Locale;
  /** The bot's username, for the texts that tell people how to reach it. */
  bot: string;
  /** Where it is shown: the person's private chat, a group (for all to read), or a button's alert. */
  where: 'direct' | 'group' | 'alert';
  /** The event happened in a group (a mention), whatever chat the answer goes to. */
  fromGroup: boolean;
  /** The person's name, for answers addressed to them in a group. */
  name: string;
}

/** A refusal is shown as an alert that stays until dismissed, not as a passing toast. */
export const isRefusal = (m: TelegramMessage) => m.kind === 'notice' && /(^|[:.])error\.|_only$/.test(m.key);

function noticeKey(key: string, o: RenderOptions): string {
  if (key === 'common:error.not_registered') return o.where === 'alert' ? 'telegram:register.short' : o.where === 'group' ? 'telegram:group.register_first' : 'telegram:register.how';
  if (key === 'common:error.description_too_short' && o.fromGroup) return 'telegram:group.mention_too_short';
  return key;
}

/** The plain text of a notice for a button's answer (toast or alert). */
export function noticeText(m: Extract<ChatMessage, { kind: 'notice' }>, o: RenderOptions): string {
  return t(o.locale, noticeKey(m.key, { ...o, where: 'alert' }), { bot: o.bot, name: o.name, min: MIN_DESCRIPTION_LENGTH, ...m.params });
}

export function render(m: TelegramMessage, o: RenderOptions): Rendered {
  const { locale } = o;
  const tx = (key: string, params?: Record<string, string | number>) => escapeHtml(t(locale, key, params));
  const button = (text: string, action: ButtonAction): Button => ({ text: truncate(text, 60), callback_data: encodeButton(action) });
  const link = (url: string, label: string) => `<a href="${escapeAttr(url)}">${escapeHtml(label)}</a>`;
  const ticketLink = (tk: TicketSummary) => link(tk.url, t(locale, 'ticket.link', { number: tk.number }));
  const status = (s: string) => statusName(locale, s);
  const priority = (p: string) => t(locale, `priority.${p}`);
  const row = (key: string, value: string) => `${tx(key)}: ${escapeHtml(value)}`;
  const menu = () => (['new', 'tickets', 'help'] as const).map((item) => [button(t(locale, `telegram:menu.${item}`), { kind: 'menu', item })]);
  const ticketButton = (key: string, op: Extract<ButtonAction, { kind: 'ticket' }>['op'], ticket: number) => button(t(locale, key), { kind: 'ticket', op, ticket });

  switch (m.kind) {
    case 'ticket_confirmation':
      return { html: `${tx('ticket.confirmation', summaryParams(locale, m.ticket))}\n${ticketLink(m.ticket)}` };
    case 'status_changed':
      return { html: tx('ticket.status_changed', { number: m.ticket.number, from: status(m.from), to: status(m.to) }) };
    case 'agent_reply':
      return { html: `<b>${tx('ticket.agent_reply', { author: m.authorName, number: m.ticket.number })}</b>\n${escapeHtml(m.body)}` };
    case 'rating_prompt': {
      const n = m.ticket.number;
      return {
        html: tx('ticket.solved_prompt', { number: n }),
        keyboard: [
          [1, 2, 3, 4, 5].map((score) => button(`${score} ⭐`, { kind: 'rate', ticket: n, score })),
          [ticketButton('action.reopen', 'reopen', n)],
          [ticketButton('action.view', 'detail', n)],
        ],
      };
    }
    case 'reopen_prompt':
      return { html: tx('ticket.reopen_prompt', { number: m.ticket.number }), keyboard: [[ticketButton('action.reopen', 'reopen', m.ticket.number)]] };
    case 'reopen_confirm':
      return { html: tx('telegram:reopen.confirm', { number: m.number }), keyboard: [[ticketButton('action.yes', 'reopen_yes', m.number), ticketButton('action.no', 'reopen_no', m.number)]] };
    case 'notice':
      return { html: tx(noticeKey(m.key, o), { bot: o.bot, name: o.name, min: MIN_DESCRIPTION_LENGTH, ...m.params }) };
    case 'request_form':
      return renderStep(m.draft, m.step, m.services);
    case 'request_done':
      return { html: tx('chat.request_done', summaryParams(locale, m.ticket)) };
    case 'request_exists':
      return { html: m.ticket ? tx('chat.request_exists', summaryParams(locale, m.ticket)) : tx('chat.request_exists_hidden') };
    case 'follow_up_started':
      return { html: `${tx('chat.follow_up_started', { closed: m.closedNumber, number: m.ticket.number })}\n${ticketLink(m.ticket)}` };
    case 'ticket_list':
      if (m.tickets.length === 0) return { html: tx('ticket.list_empty') };
      return {
        html: `<b>${tx('ticket.list_title')}</b>\n${m.tickets.map((tk) => tx('ticket.list_item', summaryParams(locale, tk))).join('\n')}`,
        keyboard: m.tickets.map((tk) => [button(`#${tk.number} ${tk.subject}`, { kind: 'ticket', op: 'detail', ticket: tk.number })]),
      };
    case 'ticket_detail': {
      const tk = m.ticket;
      const lines = [
        `<b>${escapeHtml(`#${tk.number} ${tk.subject}`)}</b>`,
        row('telegram:detail.status', status(tk.status)),
        row('telegram:detail.priority', priority(tk.priority)),
        ...(tk.serviceName ? [row('telegram:detail.service', tk.serviceName)] : []),
        row('telegram:detail.requester', tk.requesterEmail),
        row('telegram:detail.created', exactTime(new Date(tk.createdAt))),
        ...(tk.rating ? [`${tx('telegram:detail.rating', { score: tk.rating.score })}${tk.rating.comment ? ` ${escapeHtml(tk.rating.comment)}` : ''}`] : []),
        ticketLink(tk),
        ...(tk.description ? [`\n${escapeHtml(tk.description)}`] : []),
      ];
      return {
        html: lines.join('\n'),
        keyboard: [[ticketButton('telegram:detail.add_comment', 'comment', tk.number)], [ticketButton('telegram:detail.read_comments', 'comments', tk.number)]],
      };
    }
    case 'comment_list': {
      const n = m.ticket.number;
      if (m.comments.length === 0) return { html: tx('telegram:comments.none', { number: n }) };
      const items = m.comments.map((c) => `<b>${escapeHtml(c.authorName)}</b>, ${escapeHtml(exactTime(new Date(c.createdAt)))}:\n${escapeHtml(c.body)}`);
      return { html: `<b>${tx('telegram:comments.title', { number: n })}</b>\n\n${items.join('\n\n')}` };
    }
    case 'prompt': {
      const n = m.ticket.number;
      if (m.for === 'comment') return { html: tx('comment.prompt', { number: n }) };
      if (m.for === 'reopen_reason') return { html: tx('ticket.reopen_prompt', { number: n }) };
      return { html: tx('rating.comment_prompt'), keyboard: [[ticketButton('telegram:rating.skip', 'skip', n)]] };
    }
    case 'registered':
      return { html: `${tx('telegram:register.done', { name: m.name, email: m.email })}\n\n${tx('telegram:menu.title')}`, keyboard: menu() };
    case 'help':
      if (!m.registered) return { html: tx('telegram:register.how', { bot: o.bot }) };
      return { html: tx('telegram:help.text', { bot: o.bot, min: MIN_DESCRIPTION_LENGTH }), keyboard: menu() };
    case 'service_choice': {
      const lead = m.current ? `${tx('telegram:group.config_current', { service: m.current.name })}\n` : '';
      return { html: `${lead}${tx('telegram:group.config_choose')}`, keyboard: m.services.map((s) => [button(s.name, { kind: 'group_service', serviceId: s.id })]) };
    }
    case 'sign_in_link':
      return { html: `${tx('chat.sign_in_link', { until: exactTime(new Date(m.expiresAt)) })}\n${link(m.url, m.url)}` };
  }

  /** One step of a request in a chat without forms: each step's buttons carry the draft's id only. */
  function renderStep(d: RequestDraft, step: 'service' | 'description' | 'priority' | 'confirm', services: { id: string; name: string }[]): Rendered {
    const draft = (a: Omit<Extract<ButtonAction, { kind: 'draft' }>, 'kind' | 'draftId'>) => ({ kind: 'draft' as const, draftId: d.id, ...a });
    const cancel = [button(t(locale, 'action.cancel'), draft({ cancel: true }))];
    const service = services.find((s) => s.id === d.serviceId)?.name ?? null;
    if (step === 'service') {
      return { html: tx('telegram:new.choose_service'), keyboard: [...services.map((s) => [button(s.name, draft({ set: { serviceId: s.id } }))]), cancel] };
    }
    if (step === 'description') {
      const lead = service ? `${row('form.service', service)}\n` : '';
      return { html: `${lead}${tx('telegram:new.describe', { min: MIN_DESCRIPTION_LENGTH })}`, keyboard: [cancel] };
    }
    if (step === 'priority') {
      const buttons = TICKET_PRIORITIES.map((p) => button(priority(p), draft({ set: { priority: p } })));
      return { html: tx('telegram:new.choose_priority'), keyboard: [buttons.slice(0, 2), buttons.slice(2), cancel] };
    }
    const lines = [
      `<b>${tx('telegram:new.summary_title')}</b>`,
      row('form.service', service ?? t(locale, 'telegram:new.no_service')),
      row('form.priority', priority(d.priority)),
      `${tx('form.description')}:`,
      escapeHtml(d.description),
    ];
    return { html: lines.join('\n'), keyboard: [[button(t(locale, 'action.submit'), draft({ submit: true })), cancel[0]!]] };
  }
}

/** "2024-05-01 12:00:00 UTC": exact, and the same for every reader whatever their time zone. */
export function exactTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
