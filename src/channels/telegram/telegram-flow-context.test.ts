import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { domainErrorText, longEnough, subjectOf } from './telegram-flow-context.ts';

/** What the core states as DeskPort.minDescriptionLength; the adapter only passes it on. */
const desk = { minDescriptionLength: 12 };

registerMessages('telegram', telegramMessages);

describe('domainErrorText', () => {
  it('uses the shared text when common has one', () => {
    expect(domainErrorText(new DomainError('not_solved', 'x'), 'ru', desk)).toBe('Оценить или вернуть в работу можно только решённую заявку.');
    expect(domainErrorText(new DomainError('description_too_short', 'x'), 'en', desk)).toBe('Describe the problem in at least 12 characters.');
  });

  it("falls back to the channel's text for codes common lacks, then to the generic text", () => {
    expect(domainErrorText(new DomainError('link_code_used', 'x'), 'en', desk)).toBe('This code has already been used. Ask support for a new one.');
    expect(domainErrorText(new DomainError('email_taken', 'x'), 'ja', desk)).toBe('問題が発生しました。しばらくしてからもう一度お試しください。');
  });

  it('is null for anything that is not a DomainError, so the caller rethrows', () => {
    expect(domainErrorText(new Error('db down'), 'en', desk)).toBeNull();
  });
});

describe('subjects and lengths', () => {
  it('the subject is the first line, cut to 80 characters', () => {
    expect(subjectOf('  Printer on fire\nsince noon')).toBe('Printer on fire');
    const long = 'é'.repeat(100);
    expect([...subjectOf(long)]).toHaveLength(80);
    expect(subjectOf(long).endsWith('…')).toBe(true);
  });

  it("measures a description against the core's minimum the way the core does (trimmed)", () => {
    expect(longEnough(desk, '  eleven char  ')).toBe(false);
    expect(longEnough(desk, '  twelve chars ')).toBe(true);
  });
});
