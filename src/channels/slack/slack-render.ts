/**
 * What the core says, as Slack messages: a plain `text` fallback (what notifications and screen readers show)
 * plus Block Kit blocks, within Slack's limits. Everything a person or an agent typed is escaped, in the blocks and
 * in the fallback alike: Slack parses both as mrkdwn, so a typed `<!channel>` would otherwise become a mention.
 */
import type { ChatMessage, TicketSummary } from '../../core/chat/chat-messages.ts';
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';
import type { Block, Content } from './slack-api.ts';
import { ACTION } from './slack-ids.ts';
import { escapedChunks, escapeMrkdwn, quote, truncate } from './slack-text.ts';

/** Slack's caps: 50 blocks a message, 3,000 characters a section, 40,000 characters of text. */
export const MAX_BLOCKS = 50;
export const MAX_SECTION = 3000;
export const MAX_TEXT = 40_000;

/** Escaped and cut at `max` characters without breaking an escape. */
const escapeCut = (text: string, max: number) => escapedChunks(text, max)[0] ?? '';
const fallbackText = (plainText: string) => escapeCut(plainText, MAX_TEXT);

export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

export function plain(text: string, max = 75): Record<string, unknown> {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

export function button(o: { actionId: string; text: string; value?: string; url?: string; style?: 'primary' }): Block {
  return { type: 'button', action_id: o.actionId, text: plain(o.text), ...(o.value !== undefined ? { value: o.value } : {}), ...(o.url ? { url: o.url } : {}), ...(o.style ? { style: o.style } : {}) };
}

const status = (locale: Locale, s: TicketSummary['status']) => t(locale, `common:status.${s}`);
/** The parameters of the sentences that name a ticket. */
const about = (locale: Locale, tk: TicketSummary) => ({ number: tk.number, subject: tk.subject, status: status(locale, tk.status) });

/** "<url|Open request #12>": the ticket's link as Slack shows it. */
function ticketLink(locale: Locale, ticket: TicketSummary): string {
  return `<${ticket.url}|${escapeMrkdwn(t(locale, 'common:ticket.link', { number: ticket.number }))}>`;
}

const linkContext = (locale: Locale, ticket: TicketSummary): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: ticketLink(locale, ticket) }] });
const viewButton = (locale: Locale, ticket: TicketSummary) => button({ actionId: ACTION.view, text: t(locale, 'common:action.view'), url: ticket.url });

/** A sentence, in as many sections as it needs. */
function sentence(text: string, ticket?: { locale: Locale; ticket: TicketSummary }): Content {
  const blocks = escapedChunks(text, MAX_SECTION).map(section).slice(0, MAX_BLOCKS - 1);
  return { text: fallbackText(text), blocks: ticket ? [...blocks, linkContext(ticket.locale, ticket.ticket)] : blocks };
}

/** A sentence followed by the ticket's link, in one section; the fallback ends with the bare URL. */
function sentenceWithLink(locale: Locale, text: string, ticket: TicketSummary): Content {
  return { text: `${fallbackText(text)} ${ticket.url}`, blocks: [section(`${escapeMrkdwn(text)}\n${ticketLink(locale, ticket)}`)] };
}

/** mrkdwn lines (each well under a section) packed into as few sections as fit, under a title. */
function listing(title: string, lines: string[], fallbackLines: string[]): Content {
  const packed = lines.length > 0 ? escapedChunks(lines.join('\n'), MAX_SECTION, (mrkdwn) => mrkdwn) : [];
  const blocks = [escapeCut(title, MAX_SECTION), ...packed].map(section).slice(0, MAX_BLOCKS);
  return { text: fallbackText([title, ...fallbackLines].join('\n')), blocks };
}

/** A sentence over a row of buttons (and what else goes between them). */
function withButtons(text: string, blockId: string, elements: Block[], between: Block[] = []): Content {
  const row = { type: 'actions', block_id: blockId, elements };
  return { text: fallbackText(text), blocks: [section(escapeMrkdwn(text)), ...between, row] };
}

/** Body text quoted line by line; each chunk gains one ">" per line, so leave room for them in a section. */
export const quoted = (body: string): Block[] =>
  escapedChunks(body.trimEnd(), MAX_SECTION / 2).filter((c) => c.trim() !== '').map((c) => section(quote(c)));

/**
 * The Slack message for `m`; null for what Slack shows by itself: a created request's confirmation reaches its
 * thread through the sync engine, and the modal that filed it has already closed.
 */
export function renderMessage(m: ChatMessage, locale: Locale, ticketEmoji = 'ticket'): Content | null {
  switch (m.kind) {
    case 'ticket_confirmation':
      return sentenceWithLink(locale, t(locale, 'common:ticket.confirmation', about(locale, m.ticket)), m.ticket);
    case 'status_changed':
      return sentenceWithLink(locale, t(locale, 'common:ticket.status_changed', { number: m.ticket.number, from: status(locale, m.from), to: status(locale, m.to) }), m.ticket);
    case 'agent_reply': {
      const header = t(locale, 'common:ticket.agent_reply', { author: m.authorName, number: m.ticket.number });
      const blocks = [section(escapeMrkdwn(header)), ...quoted(m.body)].slice(0, MAX_BLOCKS - 1);
      return { text: fallbackText(`${header}\n${m.body}`), blocks: [...blocks, linkContext(locale, m.ticket)] };
    }
    case 'rating_prompt':
    case 'reopen_prompt': {
      // Both offer Reopen and View; the rating prompt leads with Rate.
      const rating = m.kind === 'rating_prompt';
      const value = String(m.ticket.number);
      const buttons = [
        ...(rating ? [button({ actionId: ACTION.rate, text: t(locale, 'common:action.rate'), value, style: 'primary' })] : []),
        button({ actionId: ACTION.reopen, text: t(locale, 'common:action.reopen'), value }),
        viewButton(locale, m.ticket),
      ];
      const text = t(locale, rating ? 'common:ticket.solved_prompt' : 'common:ticket.reopen_prompt', { number: m.ticket.number });
      return withButtons(text, `${rating ? 'rating' : 'reopen'}_${m.ticket.number}`, buttons);
    }
    case 'notice':
      return sentence(t(locale, m.key, m.params), m.ticket ? { locale, ticket: m.ticket } : undefined);
    case 'request_form': {
      // Only the draft's id travels: the button opens the form, read from the core when it is pressed.
      const subject = m.draft.subject !== '' ? [section(quote(escapeMrkdwn(truncate(m.draft.subject, 150))))] : [];
      const submit = button({ actionId: ACTION.openForm, text: t(locale, 'common:action.submit'), value: m.draft.id, style: 'primary' });
      return withButtons(t(locale, 'slack:reaction.prompt'), 'reaction_prompt', [submit], subject);
    }
    case 'request_done':
      return m.created ? null : sentenceWithLink(locale, t(locale, 'common:chat.request_done', about(locale, m.ticket)), m.ticket);
    case 'request_exists':
      return m.ticket
        ? sentenceWithLink(locale, t(locale, 'slack:reaction.exists', about(locale, m.ticket)), m.ticket)
        : sentence(t(locale, 'common:chat.request_exists_hidden'));
    case 'follow_up_started': {
      const text = t(locale, 'slack:thread.follow_up', { closed: m.closedNumber, ...about(locale, m.ticket) });
      return sentenceWithLink(locale, text, m.ticket);
    }
    case 'ticket_list': {
      if (m.tickets.length === 0) return sentence(t(locale, 'common:ticket.list_empty'));
      const lines = m.tickets.map((tk) => t(locale, 'common:ticket.list_item', about(locale, tk)));
      const linked = m.tickets.map((tk, i) => `• <${tk.url}|${escapeCut(lines[i]!, 1000)}>`);
      return listing(t(locale, 'common:ticket.list_title'), linked, lines);
    }
    case 'ticket_detail': {
      const d = m.ticket;
      const facts = [
        `${t(locale, 'slack:detail.status')}: ${status(locale, d.status)}`,
        `${t(locale, 'common:form.priority')}: ${t(locale, `common:priority.${d.priority}`)}`,
        ...(d.serviceName ? [`${t(locale, 'common:form.service')}: ${d.serviceName}`] : []),
        ...(d.rating ? [`${t(locale, 'slack:detail.rating')}: ${d.rating.score}/5${d.rating.comment ? ` ${d.rating.comment}` : ''}`] : []),
      ];
      const title = `#${d.number} ${d.subject}`;
      const blocks = [section(escapeCut(title, 1000)), section(escapeCut(facts.join('\n'), MAX_SECTION)), ...(d.description ? quoted(d.description) : [])];
      return { text: fallbackText([title, ...facts].join('\n')), blocks: [...blocks.slice(0, MAX_BLOCKS - 1), linkContext(locale, d)] };
    }
    case 'comment_list': {
      const title = t(locale, m.comments.length ? 'slack:comments.title' : 'slack:comments.none', { number: m.ticket.number });
      const lines = m.comments.flatMap((c) => [`*${escapeCut(c.authorName, 200)}*`, ...escapedChunks(c.body.trimEnd(), MAX_SECTION / 2).map(quote)]);
      return listing(title, lines, m.comments.map((c) => `${c.authorName}: ${c.body}`));
    }
    case 'prompt': {
      const key = { comment: 'common:comment.prompt', rating_comment: 'common:rating.comment_prompt', reopen_reason: 'common:ticket.reopen_prompt' }[m.for];
      return sentence(t(locale, key, { number: m.ticket.number }));
    }
    case 'registered':
      return sentence(t(locale, 'common:chat.registered', { name: m.name, email: m.email }));
    case 'help':
      return sentence(t(locale, m.registered ? 'slack:help' : 'slack:help_unregistered', { emoji: ticketEmoji }));
    case 'service_choice': {
      const current = m.current ? `${t(locale, 'common:form.service')}: ${m.current.name}` : t(locale, 'common:form.service');
      return listing(current, m.services.map((s) => `• ${escapeCut(s.name, 500)}`), m.services.map((s) => s.name));
    }
    case 'sign_in_link': {
      const text = t(locale, 'common:chat.sign_in_link', { until: m.expiresAt.slice(0, 16).replace('T', ' ') + ' UTC' });
      const link = button({ actionId: ACTION.view, text: t(locale, 'slack:sign_in.button'), url: m.url, style: 'primary' });
      return { ...withButtons(text, 'sign_in', [link]), text: fallbackText(`${text} ${m.url}`) };
    }
  }
}
