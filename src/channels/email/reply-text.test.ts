import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { visibleReply } from './reply-text.ts';

describe('visibleReply: what the customer wrote, without quoted history and signature', () => {
  it('cuts at our reply marker in any of the three languages', () => {
    expect(visibleReply('Works now.\n\n> ##- Please type your reply above this line -##\n> Anna replied')).toBe('Works now.');
    expect(visibleReply('直りました。\n##- 返信はこの行より上に入力してください -##\nこんにちは')).toBe('直りました。');
    expect(visibleReply('Работает.\n\n##- Пишите ответ выше этой строки -##\nЗдравствуйте!')).toBe('Работает.');
  });

  it('cuts English quote headers, also wrapped over two lines, and "-- " signatures', () => {
    expect(visibleReply('Thanks!\n\nOn Tue, 2 Dec 2026 at 10:00, Support <support@x.test> wrote:\n> old')).toBe('Thanks!');
    expect(visibleReply('Thanks!\n\nOn Tue, 2 Dec 2026 at 10:00, Support Team\n<support@x.test> wrote:\n> old')).toBe('Thanks!');
    expect(visibleReply('Fine.\nBob\n-- \nBob Smith | ACME\n+1 555 0100')).toBe('Fine.\nBob');
    expect(visibleReply('Ok\n\nSent from my iPhone')).toBe('Ok');
  });

  it('cuts Japanese quote headers (Gmail, Outlook, Thunderbird) and mobile sign-offs', () => {
    expect(visibleReply('了解です。\n\n2026年12月2日(水) 10:00 Support <support@x.test>:\n> 以前')).toBe('了解です。');
    expect(visibleReply('了解です。\n\n山田太郎 さんは書きました:\n> 以前')).toBe('了解です。');
    expect(visibleReply('了解です。\n\niPhoneから送信')).toBe('了解です。');
    expect(visibleReply('了解です。\n\n-----元のメッセージ-----\n差出人: Support')).toBe('了解です。');
  });

  it('cuts Russian quote headers and Outlook blocks', () => {
    expect(visibleReply('Спасибо.\n\n2 дек. 2026 г., в 10:00, Support <support@x.test> написал(а):\n> старое')).toBe('Спасибо.');
    expect(visibleReply('Спасибо.\n\nОтправлено с iPhone')).toBe('Спасибо.');
    expect(visibleReply('Спасибо.\n\nОт: Support <support@x.test>\nОтправлено: 2 декабря 2026 г. 10:00\nТема: Заявка')).toBe('Спасибо.');
    expect(visibleReply('Спасибо.\n\n-----Исходное сообщение-----\nОт: Support')).toBe('Спасибо.');
  });

  it('keeps a message that quotes nothing whole, with its lines', () => {
    expect(visibleReply('Line one\nline two\n\nline four')).toBe('Line one\nline two\n\nline four');
    expect(visibleReply('He wrote: "On Monday it broke."')).toBe('He wrote: "On Monday it broke."');
    expect(visibleReply('')).toBe('');
  });

  it('reads CRLF mail text', () => {
    expect(visibleReply('Yes.\r\n\r\nOn Mon, 1 Dec 2026, A <a@b.test> wrote:\r\n> q')).toBe('Yes.');
  });
});

describe('visibleReply on real replies (test/fixtures/real-payloads/email, see SOURCES.md)', () => {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/real-payloads/email');
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const LOREM = read('email_russian.txt').split('\n\n')[0]!;
  it('keeps the reply above Gmail\'s Russian quote header', () => expect(visibleReply(read('email_russian.txt'))).toBe(LOREM));
  it('keeps the reply above nested French, German and English quotes', () => expect(visibleReply(read('email_tricky_5_mixed_languages.txt'))).toBe(LOREM));
  it('keeps every line that only starts like a quote header', () => expect(visibleReply(read('email_tricky_1_on_false_positive.txt'))).toBe(read('email_tricky_1_on_false_positive.txt').trim()));
  it('has an expectation for every fixture', () => expect(readdirSync(dir).sort()).toEqual(['email_russian.txt', 'email_tricky_1_on_false_positive.txt', 'email_tricky_5_mixed_languages.txt']));
});
