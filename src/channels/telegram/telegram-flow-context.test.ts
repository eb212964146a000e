import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { domainErrorText, subjectOf, visibleLength } from './telegram-flow-context.ts';

registerMessages('telegram', telegramMessages);

describe('domainErrorText', () => {
  it('uses the shared text when common has one', () => {
    expect(domainErrorText(new DomainError('not_solved', 'x'), 'ru')).toBe('Оценить или вернуть в работу можно только решённую заявку.');
    expect(domainErrorText(new DomainError('description_too_short', 'x'), 'en')).toBe('Describe the problem in at least 10 characters.');
  });

  it("falls back to the channel's text for codes common lacks, then to the generic text", () => {
    expect(domainErrorText(new DomainError('link_code_used', 'x'), 'en')).toBe('This code has already been used. Ask support for a new one.');
    expect(domainErrorText(new DomainError('email_taken', 'x'), 'ja')).toBe('問題が発生しました。しばらくしてからもう一度お試しください。');
  });

  it('is null for anything that is not a DomainError, so the caller rethrows', () => {
    expect(domainErrorText(new Error('db down'), 'en')).toBeNull();
  });
});

describe('subjects and lengths', () => {
  it('the subject is the first line, cut to 80 characters', () => {
    expect(subjectOf('  Printer on fire\nsince noon')).toBe('Printer on fire');
    const long = 'é'.repeat(100);
    expect([...subjectOf(long)]).toHaveLength(80);
    expect(subjectOf(long).endsWith('…')).toBe(true);
  });

  it('an emoji counts as one character for the 10-character minimum', () => {
    expect(visibleLength('🔥🔥🔥🔥🔥🔥🔥🔥🔥')).toBe(9);
    expect(visibleLength('  ten chars!  ')).toBe(10);
  });
});
