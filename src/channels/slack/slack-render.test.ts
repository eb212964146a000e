import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../core/locale.ts';
import type { ChatMessage, TicketSummary } from '../../core/chat/chat-messages.ts';
import { registerMessages, t } from '../../i18n/catalog.ts';
import { slack } from '../../i18n/messages/slack.ts';
import { MAX_BLOCKS, MAX_SECTION, renderMessage } from './slack-render.ts';

const renderRichMessage = (m: ChatMessage, locale: Parameters<typeof renderMessage>[1]) => renderMessage(m, locale)!;

registerMessages('slack', slack);

const ticket: TicketSummary = {
  number: 42,
  subject: 'Printer <on> fire & smoke',
  status: 'solved',
  priority: 'high',
  url: 'https://help.example.com/tickets/42',
};

type Block = Record<string, any>;

function sectionTexts(blocks: Block[]): string[] {
  return blocks.filter((b) => b['type'] === 'section').map((b) => b['text']['text'] as string);
}

function buttons(blocks: Block[]): Block[] {
  return blocks.flatMap((b) => (b['elements'] ?? []) as Block[]).filter((e) => e['type'] === 'button');
}

/** What Slack would refuse: too many blocks, an oversized section, an empty text. */
function expectValid(rendered: { text: string; blocks: Block[] }): void {
  expect(rendered.text.length).toBeGreaterThan(0);
  expect(rendered.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  for (const s of sectionTexts(rendered.blocks)) {
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBeLessThanOrEqual(MAX_SECTION);
  }
}

describe.each(LOCALES)('renderMessage in %s', (locale) => {
  const status = (s: TicketSummary['status']) => t(locale, `common:status.${s}`);

  it('ticket_confirmation: number, subject, status and the link', () => {
    const r = renderRichMessage({ kind: 'ticket_confirmation', ticket: { ...ticket, status: 'new' } }, locale);
    const sentence = t(locale, 'common:ticket.confirmation', { number: 42, subject: ticket.subject, status: status('new') });
    const escaped = sentence.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // The subject's < > & are escaped in the fallback text and in mrkdwn; the link is Slack's <url|label>.
    expect(r.text).toBe(`${escaped} ${ticket.url}`);
    expect(sectionTexts(r.blocks)[0]).toBe(`${escaped}\n<${ticket.url}|${t(locale, 'common:ticket.link', { number: 42 })}>`);
    expectValid(r);
  });

  it('status_changed: both statuses by name', () => {
    const r = renderRichMessage({ kind: 'status_changed', ticket, from: 'open', to: 'solved' }, locale);
    expect(r.text).toContain(t(locale, 'common:ticket.status_changed', { number: 42, from: status('open'), to: status('solved') }));
    expectValid(r);
  });

  it('agent_reply: the author line, then the body quoted', () => {
    const r = renderRichMessage({ kind: 'agent_reply', ticket, authorName: 'Dana', body: 'line one\nline two' }, locale);
    expect(r.text).toBe(`${t(locale, 'common:ticket.agent_reply', { author: 'Dana', number: 42 })}\nline one\nline two`);
    expect(sectionTexts(r.blocks)[1]).toBe('>line one\n>line two');
    expectValid(r);
  });

  it('rating_prompt: the solved sentence with Rate, Reopen and View', () => {
    const r = renderRichMessage({ kind: 'rating_prompt', ticket }, locale);
    expect(r.text).toBe(t(locale, 'common:ticket.solved_prompt', { number: 42 }));
    expect(buttons(r.blocks).map((b) => [b['action_id'], b['text']['text'], b['value'] ?? b['url']])).toEqual([
      ['slack_rate', t(locale, 'common:action.rate'), '42'],
      ['slack_reopen', t(locale, 'common:action.reopen'), '42'],
      ['slack_view', t(locale, 'common:action.view'), ticket.url],
    ]);
    expectValid(r);
  });

  it('reopen_prompt: the question with a Reopen button', () => {
    const r = renderRichMessage({ kind: 'reopen_prompt', ticket }, locale);
    expect(r.text).toBe(t(locale, 'common:ticket.reopen_prompt', { number: 42 }));
    expect(buttons(r.blocks).map((b) => b['action_id'])).toEqual(['slack_reopen', 'slack_view']);
    expectValid(r);
  });

  it('ticket_list: a title and one linked line per ticket; an empty list says so', () => {
    const other = { ...ticket, number: 43, subject: 'VPN', status: 'pending' as const, url: 'https://help.example.com/tickets/43' };
    const r = renderRichMessage({ kind: 'ticket_list', tickets: [ticket, other] }, locale);
    const item43 = t(locale, 'common:ticket.list_item', { number: 43, subject: 'VPN', status: status('pending') });
    expect(r.text.split('\n')[0]).toBe(t(locale, 'common:ticket.list_title'));
    expect(sectionTexts(r.blocks)[1]).toContain(`• <${other.url}|${item43}>`);
    expectValid(r);
    const empty = renderRichMessage({ kind: 'ticket_list', tickets: [] }, locale);
    expect(empty.text).toBe(t(locale, 'common:ticket.list_empty'));
  });

  it('request_form: the prompt whose button carries only the draft\'s id', () => {
    const draft = { id: 'draft-1', subject: 'Printer <on> fire', description: 'long text', priority: 'normal' as const, serviceId: null, priorityChosen: false, serviceChosen: false, requesterEmail: null };
    const r = renderRichMessage({ kind: 'request_form', draft, services: [], step: 'confirm', minDescriptionLength: 10 }, locale);
    expect(r.text).toBe(t(locale, 'slack:reaction.prompt'));
    expect(buttons(r.blocks).map((b) => [b['action_id'], b['value']])).toEqual([['slack_ticket_open', 'draft-1']]);
    expect(sectionTexts(r.blocks)[1]).toBe('>Printer &lt;on&gt; fire');
    expectValid(r);
  });

  it('request_exists: the ticket when the person may see it, else not a word of it', () => {
    const shown = renderRichMessage({ kind: 'request_exists', ticket }, locale);
    expect(shown.text).toContain(`#42`);
    const hidden = renderRichMessage({ kind: 'request_exists', ticket: null }, locale);
    expect(hidden.text).toBe(t(locale, 'common:chat.request_exists_hidden'));
    expect(JSON.stringify(hidden)).not.toMatch(/#42|tickets\/42/);
  });

  it('request_done of a new ticket says nothing (its thread gets the confirmation); of an earlier one it names it', () => {
    expect(renderMessage({ kind: 'request_done', ticket, created: true, draftId: 'd' }, locale)).toBeNull();
    expect(renderRichMessage({ kind: 'request_done', ticket, created: false, draftId: 'd' }, locale).text).toContain(ticket.url);
  });

  it('notice: the catalog sentence', () => {
    const r = renderRichMessage({ kind: 'notice', key: 'common:rating.thanks', params: { number: 42, score: 5 } }, locale);
    expect(r.text).toBe(t(locale, 'common:rating.thanks', { number: 42, score: 5 }));
    expectValid(r);
  });
});

describe('renderMessage fallback text', () => {
  it('a mention or a disguised link typed by a person stays text in notifications too', () => {
    const r = renderRichMessage({ kind: 'agent_reply', ticket, authorName: 'Dana', body: '<!channel> see <https://evil.example|your bank>' }, 'en');
    expect(r.text).toBe(`${t('en', 'common:ticket.agent_reply', { author: 'Dana', number: 42 })}\n&lt;!channel&gt; see &lt;https://evil.example|your bank&gt;`);
    expect(r.text).not.toMatch(/<[!h]/);
  });
});

describe('renderMessage limits', () => {
  it('a 40,000-character agent reply fits Slack\'s block limits and loses no text', () => {
    const body = 'word & more <stuff>\n'.repeat(2000);
    const message: ChatMessage = { kind: 'agent_reply', ticket, authorName: 'Dana', body };
    const r = renderRichMessage(message, 'en');
    expectValid(r);
    const quoted = sectionTexts(r.blocks)
      .slice(1)
      .map((s) => s.split('\n').map((l) => l.replace(/^>/, '')).join('\n'))
      .join('\n')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    // Chunks break at line ends, so re-joining them with newlines restores the body (minus its trailing newline).
    expect(quoted).toBe(body.replace(/\n$/, ''));
  });
});
