/**
 * What the core says, as Lark messages. Agent replies are text messages (agents write prose, and Lark's text limit,
 * 150 KB, is far above a card's 30 KB); everything else is a card, because ephemeral messages and PATCHed messages
 * must be cards. Cards stay under 30 KB however long what people wrote: long texts are cut, long lists shortened.
 */
import type { ChatMessage, TicketSummary } from '../../core/chat/chat-messages.ts';
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';
import { statusName, summaryParams } from '../shared/ticket-text.ts';
import type { LarkOutbound } from './lark-api.ts';
import { card, linkButton, ratingPromptCard, reopenPromptCard, requestFormCard, textBlock, ticketTitle, viewAction, type Card } from './lark-cards.ts';

/**
 * Lark text messages turn `<at user_id="all"></at>` and similar tags into live mentions. A zero-width space after
 * every `<` keeps text from agents and customers literal without changing how it reads.
 */
export const neutralizeText = (text: string) => text.replace(/</g, '<\u200b');

/** Card text budget in characters: at 3 bytes a character (CJK) the whole stays under Lark's 30 KB. */
const CARD_TEXT = 7000;
const cut = (s: string, max: number) => ([...s].length <= max ? s : `${[...s].slice(0, max - 1).join('')}…`);

function info(locale: Locale, title: string, lines: string[], ticket?: TicketSummary): Card {
  return card(title, 'blue', [...lines.map((l) => textBlock(cut(l, CARD_TEXT))), ...(ticket ? [viewAction(locale, ticket)] : [])]);
}

function renderCard(m: Exclude<ChatMessage, { kind: 'agent_reply' }>, locale: Locale): Card {
  const title = t(locale, 'lark:card.bot_title');
  switch (m.kind) {
    case 'ticket_confirmation':
      return card(ticketTitle(locale, m.ticket), 'blue', [textBlock(t(locale, 'ticket.confirmation', summaryParams(locale, m.ticket))), viewAction(locale, m.ticket)]);
    case 'status_changed': {
      const text = t(locale, 'ticket.status_changed', { number: m.ticket.number, from: statusName(locale, m.from), to: statusName(locale, m.to) });
      return card(ticketTitle(locale, m.ticket), m.to === 'solved' ? 'green' : 'turquoise', [textBlock(text), viewAction(locale, m.ticket)]);
    }
    case 'rating_prompt':
      return ratingPromptCard(locale, m.ticket);
    case 'reopen_prompt':
      return reopenPromptCard(locale, m.ticket);
    case 'notice':
      return info(locale, m.ticket ? ticketTitle(locale, m.ticket) : title, [t(locale, m.key, m.params)], m.ticket);
    case 'request_form':
      return requestFormCard(locale, m.draft, m.services);
    case 'request_done': {
      return info(locale, ticketTitle(locale, m.ticket), [t(locale, m.created ? 'ticket.confirmation' : 'chat.request_done', summaryParams(locale, m.ticket))], m.ticket);
    }
    case 'request_exists':
      return m.ticket
        ? info(locale, ticketTitle(locale, m.ticket), [t(locale, 'chat.request_exists', summaryParams(locale, m.ticket))], m.ticket)
        : info(locale, title, [t(locale, 'chat.request_exists_hidden')]);
    case 'ticket_list': {
      if (m.tickets.length === 0) return info(locale, t(locale, 'ticket.list_title'), [t(locale, 'ticket.list_empty')]);
      const items = m.tickets.map((x) => ({ tag: 'div', text: { tag: 'plain_text', content: t(locale, 'ticket.list_item', { ...summaryParams(locale, x), subject: cut(x.subject, 100) }) }, extra: linkButton(t(locale, 'action.view'), x.url) }));
      return card(t(locale, 'ticket.list_title'), 'blue', items);
    }
    case 'ticket_detail': {
      const d = m.ticket;
      const lines = [
        `${t(locale, 'lark:detail.status')}: ${statusName(locale, d.status)} · ${t(locale, 'form.priority')}: ${t(locale, `priority.${d.priority}`)}`,
        ...(d.serviceName ? [`${t(locale, 'form.service')}: ${d.serviceName}`] : []),
        `${t(locale, 'lark:detail.requester')}: ${d.requesterEmail} · ${d.createdAt.slice(0, 10)}`,
        ...(d.description ? [cut(d.description, 4000)] : []),
        ...(d.rating ? [`${t(locale, 'action.rate')}: ${d.rating.score}/5${d.rating.comment ? ` · ${cut(d.rating.comment, 1000)}` : ''}`] : []),
      ];
      return info(locale, ticketTitle(locale, d), lines, d);
    }
    case 'comment_list': {
      // The newest comments that fit, oldest first.
      const shown: string[] = [];
      let left = CARD_TEXT;
      for (const c of [...m.comments].reverse()) {
        const line = `${c.authorName} · ${c.createdAt.slice(0, 16).replace('T', ' ')}\n${cut(c.body, 1000)}`;
        if ([...line].length > left) break;
        left -= [...line].length;
        shown.unshift(line);
      }
      return info(locale, ticketTitle(locale, m.ticket), shown.length ? shown : [t(locale, 'lark:detail.no_comments')], m.ticket);
    }
    case 'follow_up_started':
      return info(locale, ticketTitle(locale, m.ticket), [t(locale, 'chat.follow_up_started', { closed: m.closedNumber, number: m.ticket.number })], m.ticket);
    case 'prompt': {
      const key = m.for === 'comment' ? 'comment.prompt' : m.for === 'rating_comment' ? 'rating.comment_prompt' : 'ticket.reopen_prompt';
      return info(locale, ticketTitle(locale, m.ticket), [t(locale, key, { number: m.ticket.number })], m.ticket);
    }
    case 'registered':
      return info(locale, title, [t(locale, 'chat.registered', { name: m.name, email: m.email })]);
    case 'help':
      return info(locale, title, [t(locale, m.registered ? 'chat.help' : 'chat.help_unregistered'), t(locale, 'lark:help.commands')]);
    case 'service_choice':
      return info(locale, title, [m.services.map((s) => s.name).join('\n')]);
    case 'sign_in_link': {
      const until = `${m.expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
      return card(title, 'blue', [textBlock(t(locale, 'chat.sign_in_link', { until })), { tag: 'action', actions: [linkButton(t(locale, 'lark:sign_in.open'), m.url, 'primary')] }]);
    }
  }
}

export function renderMessage(m: ChatMessage, locale: Locale): LarkOutbound {
  if (m.kind !== 'agent_reply') return { msgType: 'interactive', card: renderCard(m, locale) };
  const head = t(locale, 'ticket.agent_reply', { author: m.authorName, number: m.ticket.number });
  return { msgType: 'text', text: neutralizeText(`${head}\n${m.body}`) };
}

/** The card form of a message, for what only takes cards (ephemeral messages, a card's update). */
export const asCard = (out: LarkOutbound, locale: Locale): Card =>
  out.msgType === 'interactive' ? out.card : card(t(locale, 'lark:card.bot_title'), 'blue', [textBlock(cut(out.text, CARD_TEXT))]);
