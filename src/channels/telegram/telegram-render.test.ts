import { describe, expect, it } from 'vitest';
import { parseTelegramHtml } from '../../../test/fakes/telegram/telegram-fake-html.ts';
import type { RichMessage } from '../../core/ports/channel-port.ts';
import { LOCALES } from '../../core/locale.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { exactTime, renderRich, renderTicketDetail, serviceKeyboard } from './telegram-render.ts';

registerMessages('telegram', telegramMessages);

const ticket = { number: 123456789, subject: 'Printer <on> fire & smoke', status: 'solved' as const, priority: 'high' as const, url: 'https://desk.example/tickets/123456789?a=1&b="2"' };

function read(html: string) {
  const r = parseTelegramHtml(html);
  if (!r.ok) throw new Error(`${r.description}: ${html}`);
  return r;
}

describe('renderRich', () => {
  const all: RichMessage[] = [
    { kind: 'ticket_confirmation', ticket },
    { kind: 'status_changed', ticket, from: 'open', to: 'solved' },
    { kind: 'agent_reply', ticket, authorName: '<Agent>', body: 'a < b & c' },
    { kind: 'rating_prompt', ticket },
    { kind: 'reopen_prompt', ticket },
    { kind: 'ticket_list', tickets: [ticket, { ...ticket, number: 2, subject: 'x'.repeat(100) }] },
    { kind: 'notice', key: 'error.generic' },
  ];

  it('produces valid Telegram HTML in every language, with callback data under 64 bytes', () => {
    for (const locale of LOCALES) {
      for (const m of all) {
        const r = renderRich(m, locale);
        expect(read(r.html).text.length, `${m.kind}/${locale}`).toBeGreaterThan(0);
        for (const b of r.keyboard?.flat() ?? []) {
          expect(Buffer.byteLength(b.callback_data, 'utf8')).toBeLessThanOrEqual(64);
          expect(b.text.length).toBeLessThanOrEqual(60);
        }
      }
    }
  });

  it('the confirmation shows number, subject and status literally, and links the ticket', () => {
    const r = read(renderRich({ kind: 'ticket_confirmation', ticket }, 'ja').html);
    expect(r.text).toBe('リクエスト #123456789「Printer <on> fire & smoke」を作成しました。ステータス: 解決済み。\nリクエスト #123456789 を開く');
    expect(r.entities).toEqual([expect.objectContaining({ type: 'text_link', url: ticket.url })]);
  });

  it('the rating prompt has 1-5, return to work and view', () => {
    const r = renderRich({ kind: 'rating_prompt', ticket }, 'ru');
    expect(r.keyboard!.map((row) => row.map((b) => b.text))).toEqual([
      ['1 ⭐', '2 ⭐', '3 ⭐', '4 ⭐', '5 ⭐'],
      ['Вернуть в работу'],
      ['Просмотреть заявку'],
    ]);
  });

  it('an empty ticket list has no buttons', () => {
    expect(renderRich({ kind: 'ticket_list', tickets: [] }, 'en')).toEqual({ html: 'You have no open requests.' });
  });
});

describe('ticket detail', () => {
  it('shows the exact creation time in UTC and the emails', () => {
    const r = renderTicketDetail(
      { ...ticket, description: 'd', requesterEmail: 'r@x', submitterEmail: 'init@x', ccEmail: 'cc@x', serviceName: null, createdAt: new Date('2024-02-29T23:59:58.999Z'), rating: null },
      'en',
    );
    const text = read(r.html).text;
    expect(text).toContain('Created: 2024-02-29 23:59:58 UTC');
    expect(text).toContain('Answers are copied to: cc@x');
    expect(text).toContain('Initiator: init@x');
    expect(text).not.toContain('Service:');
    expect(exactTime(new Date(0))).toBe('1970-01-01 00:00:00 UTC');
  });

  it('service buttons keep the group and wizard prefixes within 64 bytes', () => {
    // 61 bytes of id: "n:s:" makes 65 (too long, so the position is used), "g:" makes 63 (fits).
    const id61 = 's'.repeat(61);
    expect(serviceKeyboard([{ id: id61, name: 'A' }], 'new_service')[0]![0]!.callback_data).toBe('n:s:#0');
    expect(serviceKeyboard([{ id: id61, name: 'A' }], 'group_service')[0]![0]!.callback_data).toBe(`g:${id61}`);
  });
});

describe('telegram catalog', () => {
  it('has the same keys in en, ja and ru, none empty, with the same placeholders', () => {
    const keys = Object.keys(telegramMessages.en).sort();
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const locale of LOCALES) {
      expect(Object.keys(telegramMessages[locale]).sort(), locale).toEqual(keys);
      for (const key of keys) {
        expect(telegramMessages[locale][key]!.trim(), `${locale}:${key}`).not.toBe('');
        expect(placeholders(telegramMessages[locale][key]!), `${locale}:${key}`).toEqual(placeholders(telegramMessages.en[key]!));
      }
    }
  });

  it('Japanese and Russian are translations, not copies of English', () => {
    const same = Object.keys(telegramMessages.en).filter(
      (k) => telegramMessages.ja[k] === telegramMessages.en[k] || telegramMessages.ru[k] === telegramMessages.en[k],
    );
    expect(same).toEqual([]);
  });

  it('command descriptions fit setMyCommands (1-256 characters)', () => {
    for (const locale of LOCALES) {
      for (const c of ['new', 'tickets', 'help', 'config']) {
        const d = telegramMessages[locale][`command.${c}`]!;
        expect(d.length).toBeGreaterThan(0);
        expect(d.length).toBeLessThanOrEqual(256);
      }
    }
  });
});
