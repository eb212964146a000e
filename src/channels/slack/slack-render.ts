/** Renders the platform-neutral RichMessages as Slack messages: a plain `text` fallback plus Block Kit blocks. */
import type { RichMessage, TicketSummary } from '../../core/ports/channel-port.ts';
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';
import type { Block } from './slack-api.ts';
import { ACTION } from './slack-ids.ts';
import { escapedChunks, escapeMrkdwn, quote, truncate } from './slack-text.ts';

export interface RenderedMessage {
  text: string;
  blocks: Block[];
}

/** Slack's caps: 50 blocks a message, 3,000 characters a section, 40,000 characters of text. */
export const MAX_BLOCKS = 50;
export const MAX_SECTION = 3000;
export const MAX_TEXT = 40_000;

/**
 * A message's top-level `text` (what notifications and screen readers show). Slack parses it like mrkdwn, so the
 * customer's or agent's own `<!channel>` or `<https://evil|bank>` would become a real mention or a disguised link:
 * it is escaped like the blocks, and cut at Slack's length limit without breaking an escape.
 */
export function fallbackText(plainText: string): string {
  return escapedChunks(plainText, MAX_TEXT)[0] ?? '';
}

export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

export function plain(text: string, max = 75): Record<string, unknown> {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

export function button(opts: {
  actionId: string;
  text: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}): Block {
  return {
    type: 'button',
    action_id: opts.actionId,
    text: plain(opts.text),
    ...(opts.value !== undefined ? { value: opts.value } : {}),
    ...(opts.url !== undefined ? { url: opts.url } : {}),
    ...(opts.style !== undefined ? { style: opts.style } : {}),
  };
}

function status(locale: Locale, s: TicketSummary['status']): string {
  return t(locale, `common:status.${s}`);
}

/** "<url|Open request #12>": the ticket's link as Slack shows it. */
export function ticketLink(locale: Locale, ticket: TicketSummary): string {
  return `<${ticket.url}|${escapeMrkdwn(t(locale, 'common:ticket.link', { number: ticket.number }))}>`;
}

function viewButton(locale: Locale, ticket: TicketSummary): Block {
  return button({ actionId: ACTION.view, text: t(locale, 'common:action.view'), url: ticket.url });
}

/** A sentence followed by the ticket's link, as one section. */
function sentenceWithLink(locale: Locale, sentence: string, ticket: TicketSummary): RenderedMessage {
  return {
    text: `${fallbackText(sentence)} ${ticket.url}`,
    blocks: [section(`${escapeMrkdwn(sentence)}\n${ticketLink(locale, ticket)}`)],
  };
}

function fitBlocks(blocks: Block[]): Block[] {
  return blocks.length <= MAX_BLOCKS ? blocks : blocks.slice(0, MAX_BLOCKS);
}

export function renderRichMessage(message: RichMessage, locale: Locale): RenderedMessage {
  switch (message.kind) {
    case 'ticket_confirmation': {
      const { ticket } = message;
      const sentence = t(locale, 'common:ticket.confirmation', {
        number: ticket.number,
        subject: ticket.subject,
        status: status(locale, ticket.status),
      });
      return sentenceWithLink(locale, sentence, ticket);
    }
    case 'status_changed': {
      const { ticket } = message;
      const sentence = t(locale, 'common:ticket.status_changed', {
        number: ticket.number,
        from: status(locale, message.from),
        to: status(locale, message.to),
      });
      return sentenceWithLink(locale, sentence, ticket);
    }
    case 'agent_reply': {
      const { ticket } = message;
      const header = t(locale, 'common:ticket.agent_reply', { author: message.authorName, number: ticket.number });
      // Each quoted chunk gains one ">" per line, so leave room for them within a section's 3,000 characters.
      const body = escapedChunks(message.body.trimEnd(), MAX_SECTION / 2).map((c) => section(quote(c)));
      const blocks = [section(escapeMrkdwn(header)), ...body];
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ticketLink(locale, ticket) }] });
      return { text: fallbackText(`${header}\n${message.body}`), blocks: fitBlocks(blocks) };
    }
    case 'rating_prompt': {
      const { ticket } = message;
      const sentence = t(locale, 'common:ticket.solved_prompt', { number: ticket.number });
      const value = String(ticket.number);
      return {
        text: fallbackText(sentence),
        blocks: [
          section(escapeMrkdwn(sentence)),
          {
            type: 'actions',
            block_id: `rating_${ticket.number}`,
            elements: [
              button({ actionId: ACTION.rate, text: t(locale, 'common:action.rate'), value, style: 'primary' }),
              button({ actionId: ACTION.reopen, text: t(locale, 'common:action.reopen'), value }),
              viewButton(locale, ticket),
            ],
          },
        ],
      };
    }
    case 'reopen_prompt': {
      const { ticket } = message;
      const sentence = t(locale, 'common:ticket.reopen_prompt', { number: ticket.number });
      return {
        text: fallbackText(sentence),
        blocks: [
          section(escapeMrkdwn(sentence)),
          {
            type: 'actions',
            block_id: `reopen_${ticket.number}`,
            elements: [
              button({ actionId: ACTION.reopen, text: t(locale, 'common:action.reopen'), value: String(ticket.number) }),
              viewButton(locale, ticket),
            ],
          },
        ],
      };
    }
    case 'ticket_list': {
      if (message.tickets.length === 0) {
        const empty = t(locale, 'common:ticket.list_empty');
        return { text: fallbackText(empty), blocks: [section(escapeMrkdwn(empty))] };
      }
      const title = t(locale, 'common:ticket.list_title');
      const lines = message.tickets.map((tk) =>
        t(locale, 'common:ticket.list_item', { number: tk.number, subject: tk.subject, status: status(locale, tk.status) }),
      );
      const linked = message.tickets.map((tk, i) => `• <${tk.url}|${escapeMrkdwn(lines[i] ?? '')}>`);
      const sections: Block[] = [section(escapeMrkdwn(title))];
      let current = '';
      for (const line of linked) {
        if (current !== '' && current.length + line.length + 1 > MAX_SECTION) {
          sections.push(section(current));
          current = '';
        }
        current = current === '' ? line : `${current}\n${line}`;
      }
      if (current !== '') sections.push(section(current));
      return { text: fallbackText([title, ...lines].join('\n')), blocks: fitBlocks(sections) };
    }
    case 'notice': {
      const text = t(locale, message.key, message.params);
      return { text: fallbackText(text), blocks: escapedChunks(text, MAX_SECTION).map(section).slice(0, MAX_BLOCKS) };
    }
  }
}
