import { beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../core/locale.ts';
import type { RichMessage, TicketSummary } from '../../core/ports/channel-port.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { lark } from '../../i18n/messages/lark.ts';
import { validateContent } from '../../../test/fakes/lark/lark-fake-content.ts';
import { cardText, walkCard } from '../../../test/helpers/lark/lark-flows.ts';
import { contentOf, type LarkOutbound } from './lark-api.ts';
import { renderRichMessage } from './lark-render.ts';

beforeAll(() => registerMessages('lark', lark));

const ticket: TicketSummary = { number: 12, subject: 'Printer', status: 'solved', priority: 'high', url: 'http://desk.test/tickets/12' };

const kinds: RichMessage[] = [
  { kind: 'ticket_confirmation', ticket: { ...ticket, status: 'new' } },
  { kind: 'status_changed', ticket, from: 'new', to: 'solved' },
  { kind: 'agent_reply', ticket, authorName: 'Dana', body: 'Try <b>this</b>' },
  { kind: 'rating_prompt', ticket },
  { kind: 'reopen_prompt', ticket },
  { kind: 'ticket_list', tickets: [ticket] },
  { kind: 'ticket_list', tickets: [] },
  { kind: 'notice', key: 'rating.thanks', params: { number: 12, score: 5 } },
];

const visible = (out: LarkOutbound) => (out.msgType === 'text' ? out.text : cardText(out.card));

describe.each(['en', 'ja', 'ru'] as Locale[])('renderRichMessage (%s)', (locale) => {
  it.each(kinds.map((k) => [k.kind, k] as const))('renders %s as content Lark accepts', (_kind, message) => {
    const out = renderRichMessage(message, locale);
    expect(validateContent(out.msgType, contentOf(out))).toBeNull();
    expect(visible(out).length).toBeGreaterThan(0);
  });
});

describe('renderRichMessage texts', () => {
  it('uses the catalog of the recipient’s language', () => {
    const confirmation = kinds[0]!;
    expect(visible(renderRichMessage(confirmation, 'en'))).toContain('Request #12 "Printer" has been created. Status: New.');
    expect(visible(renderRichMessage(confirmation, 'ja'))).toContain('リクエスト #12「Printer」を作成しました。ステータス: 新規。');
    expect(visible(renderRichMessage(confirmation, 'ru'))).toContain('Заявка #12 «Printer» создана. Статус: Новая.');
    const status = kinds[1]!;
    expect(visible(renderRichMessage(status, 'ja'))).toContain('リクエスト #12: ステータスが 新規 から 解決済み に変わりました。');
    expect(visible(renderRichMessage(status, 'ru'))).toContain('Заявка #12: статус изменён с «Новая» на «Решена».');
    expect(visible(renderRichMessage(kinds[6]!, 'ru'))).toContain('У вас нет открытых заявок.');
    expect(visible(renderRichMessage(kinds[7]!, 'en'))).toBe('Thank you! Request #12 is closed with rating 5/5.');
  });

  it('renders an agent reply as text, heading first, with tags kept literal', () => {
    const out = renderRichMessage(kinds[2]!, 'en');
    expect(out.msgType).toBe('text');
    expect(visible(out)).toBe('Dana replied to request #12:\nTry <\u200bb>this<\u200b/b>');
  });

  it('gives the rating card five scores, an optional comment, a reason for reopening and the link', () => {
    const out = renderRichMessage(kinds[3]!, 'ru');
    if (out.msgType !== 'interactive') throw new Error('expected a card');
    const els = walkCard(out.card);
    const buttons = els.filter((e) => e['tag'] === 'button');
    expect(buttons.filter((b) => String(b['name']).startsWith('rate_')).map((b) => b['value'])).toEqual(
      [1, 2, 3, 4, 5].map((s) => ({ op: 'rate', n: '12', s: String(s), loc: 'ru' })),
    );
    expect(buttons.find((b) => b['name'] === 'reopen')?.['value']).toEqual({ op: 'reopen', n: '12', loc: 'ru' });
    expect(buttons.find((b) => b['url'] === 'http://desk.test/tickets/12')).toBeDefined();
    expect(els.filter((e) => e['tag'] === 'input').map((e) => e['name'])).toEqual(['comment', 'reason']);
    expect(cardText(out.card)).toContain('Вернуть в работу');
    // a shared card, so its outcome can later be shown to everyone in the thread
    expect(out.card['config']).toMatchObject({ update_multi: true });
  });

  it('keeps a subject that looks like markup inside plain text', () => {
    const out = renderRichMessage({ kind: 'ticket_confirmation', ticket: { ...ticket, subject: '<at id=all></at> **x**' } }, 'en');
    if (out.msgType !== 'interactive') throw new Error('expected a card');
    const markdown = walkCard(out.card).filter((e) => e['tag'] === 'markdown');
    expect(markdown).toHaveLength(0);
    expect(cardText(out.card)).toContain('<at id=all></at> **x**');
  });
});
