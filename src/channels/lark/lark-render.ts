/**
 * RichMessage -> Lark message. Agent replies and notices are text messages (Lark's text limit is far above its card
 * limit, and agents write prose); everything with buttons is a card.
 */
import type { Locale } from '../../core/locale.ts';
import type { RichMessage } from '../../core/ports/channel-port.ts';
import { t } from '../../i18n/catalog.ts';
import type { LarkOutbound } from './lark-api.ts';
import {
  card,
  linkButton,
  ratingPromptCard,
  reopenPromptCard,
  statusLabel,
  textBlock,
  ticketTitle,
  viewAction,
} from './lark-cards.ts';

/**
 * Lark text messages turn `<at user_id="all"></at>` and similar tags into live mentions. A zero-width space after
 * every `<` keeps text from agents and customers literal without changing how it reads.
 */
export function neutralizeText(text: string): string {
  return text.replace(/</g, '<\u200b');
}

export function renderRichMessage(message: RichMessage, locale: Locale): LarkOutbound {
  switch (message.kind) {
    case 'ticket_confirmation': {
      const { ticket } = message;
      return {
        msgType: 'interactive',
        card: card(ticketTitle(locale, ticket), 'blue', [
          textBlock(
            t(locale, 'ticket.confirmation', {
              number: ticket.number,
              subject: ticket.subject,
              status: statusLabel(locale, ticket.status),
            }),
          ),
          viewAction(locale, ticket),
        ]),
      };
    }
    case 'status_changed': {
      const { ticket } = message;
      return {
        msgType: 'interactive',
        card: card(ticketTitle(locale, ticket), message.to === 'solved' ? 'green' : 'turquoise', [
          textBlock(
            t(locale, 'ticket.status_changed', {
              number: ticket.number,
              from: statusLabel(locale, message.from),
              to: statusLabel(locale, message.to),
            }),
          ),
          viewAction(locale, ticket),
        ]),
      };
    }
    case 'agent_reply': {
      const head = t(locale, 'ticket.agent_reply', { author: message.authorName, number: message.ticket.number });
      return { msgType: 'text', text: neutralizeText(`${head}\n${message.body}`) };
    }
    case 'rating_prompt':
      return { msgType: 'interactive', card: ratingPromptCard(locale, message.ticket) };
    case 'reopen_prompt':
      return { msgType: 'interactive', card: reopenPromptCard(locale, message.ticket) };
    case 'ticket_list': {
      const items =
        message.tickets.length === 0
          ? [textBlock(t(locale, 'ticket.list_empty'))]
          : message.tickets.map((ticket) => ({
              tag: 'div',
              text: {
                tag: 'plain_text',
                content: t(locale, 'ticket.list_item', {
                  number: ticket.number,
                  subject: ticket.subject,
                  status: statusLabel(locale, ticket.status),
                }),
              },
              extra: linkButton(t(locale, 'action.view'), ticket.url),
            }));
      return { msgType: 'interactive', card: card(t(locale, 'ticket.list_title'), 'blue', items) };
    }
    case 'notice':
      return { msgType: 'text', text: neutralizeText(t(locale, message.key, message.params)) };
  }
}
