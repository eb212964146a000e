import { beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../core/locale.ts';
import type { ChatMessage, TicketSummary } from '../../core/chat/chat-messages.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { lark } from '../../i18n/messages/lark.ts';
import { validateContent } from '../../../test/fakes/lark/lark-fake-content.ts';
import { cardText, walkCard } from '../../../test/helpers/lark/lark-flows.ts';
import { contentOf, type LarkOutbound } from './lark-api.ts';
import { renderMessage } from './lark-render.ts';

beforeAll(() => registerMessages('lark', lark));

const ticket: TicketSummary = { number: 12, subject: 'Printer', status: 'solved', priority: 'high', url: 'http://desk.test/tickets/12' };

const kinds: ChatMessage[] = [
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

describe.each(['en', 'ja', 'ru'] as Locale[])('renderMessage (%s)', (locale) => {
  it.each(kinds.map((k) => [k.kind, k] as const))('renders %s as content Lark accepts', (_kind, message) => {
    const out = renderMessage(message, locale);
    expect(validateContent(out.msgType, contentOf(out))).toBeNull();
    expect(visible(out).length).toBeGreaterThan(0);
  });
});

describe('renderMessage texts', () => {
  it('uses the catalog of the recipient’s language', () => {
    const confirmation = kinds[0]!;
    expect(visible(renderMessage(confirmation, 'en'))).toContain('Request #12 "Printer" has been created. Status: New.');
    expect(visible(renderMessage(confirmation, 'ja'))).toContain('リクエスト #12「Printer」を作成しました。ステータス: 新規。');
    expect(visible(renderMessage(confirmation, 'ru'))).toContain('Заявка #12 «Printer» создана. Статус: Новая.');
    const status = kinds[1]!;
    expect(visible(renderMessage(status, 'ja'))).toContain('リクエスト #12: ステータスが 新規 から 解決済み に変わりました。');
    expect(visible(renderMessage(status, 'ru'))).toContain('Заявка #12: статус изменён с «Новая» на «Решена».');
    expect(visible(renderMessage(kinds[6]!, 'ru'))).toContain('У вас нет открытых заявок.');
    expect(visible(renderMessage(kinds[7]!, 'en'))).toContain('Thank you! Request #12 is closed with rating 5/5.');
  });

  it('renders an agent reply as text, heading first, with tags kept literal', () => {
    const out = renderMessage(kinds[2]!, 'en');
    expect(out.msgType).toBe('text');
    expect(visible(out)).toBe('Dana replied to request #12:\nTry <\u200bb>this<\u200b/b>');
  });

  it('gives the rating card five scores, an optional comment, a reason for reopening and the link', () => {
    const out = renderMessage(kinds[3]!, 'ru');
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
    const out = renderMessage({ kind: 'ticket_confirmation', ticket: { ...ticket, subject: '<at id=all></at> **x**' } }, 'en');
    if (out.msgType !== 'interactive') throw new Error('expected a card');
    const markdown = walkCard(out.card).filter((e) => e['tag'] === 'markdown');
    expect(markdown).toHaveLength(0);
    expect(cardText(out.card)).toContain('<at id=all></at> **x**');
  });
});

describe('the request form', () => {
  const draft = { id: '0f8fad5b-d9cb-469f-a165-70867728950e', subject: 'VPN', description: 'x'.repeat(1200), priority: 'high' as const, serviceId: 'svc-2', priorityChosen: false, serviceChosen: true, requesterEmail: 'olga@customer.example' };
  const services = [{ id: 'svc-1', name: 'IT' }, { id: 'svc-2', name: 'Facilities' }];

  it('carries only the draft id (and the language) in its button, and shows who the request is filed as instead of asking', () => {
    const out = renderMessage({ kind: 'request_form', draft, services, step: 'confirm', minDescriptionLength: 10 }, 'en');
    if (out.msgType !== 'interactive') throw new Error('expected a card');
    const els = walkCard(out.card);
    expect(els.find((e) => e['name'] === 'submit')?.['value']).toEqual({ op: 'submit', d: draft.id, loc: 'en' });
    expect(els.filter((e) => e['tag'] === 'input').map((e) => e['name'])).toEqual(['subject', 'description']);
    expect(els.find((e) => e['name'] === 'description')?.['default_value']).toBe('x'.repeat(1000));
    expect(els.find((e) => e['name'] === 'service')?.['initial_option']).toBe('svc-2');
    expect(els.find((e) => e['name'] === 'priority')?.['initial_option']).toBe('high');
    expect(cardText(out.card)).toContain('This request will be filed as olga@customer.example.');
    expect(JSON.stringify(out.card)).not.toContain('"email"');
  });

  it('tells a person the help center does not know that their account is not linked, instead of an address', () => {
    const out = renderMessage({ kind: 'request_form', draft: { ...draft, requesterEmail: null }, services, step: 'confirm', minDescriptionLength: 10 }, 'ru');
    if (out.msgType !== 'interactive') throw new Error('expected a card');
    expect(cardText(out.card)).toContain('Ваш аккаунт в чате ещё не привязан к центру поддержки.');
  });
});
