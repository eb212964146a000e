import { beforeAll, describe, expect, it } from 'vitest';
import { registerMessages } from '../../i18n/catalog.ts';
import { lark } from '../../i18n/messages/lark.ts';
import { firstLine, readRequestForm, validateRequestForm } from './lark-form.ts';

beforeAll(() => registerMessages('lark', lark));

const services = [{ id: 'svc-it', name: 'IT' }];
/** What the core states as DeskPort.minDescriptionLength; the form only passes it on. */
const DESCRIPTION_MIN = 12;

describe('readRequestForm', () => {
  it('trims inputs and keeps only known priorities and services', () => {
    const s = readRequestForm({ subject: '  Printer ', description: ' it burns ', priority: 'urgent', service: 'svc-it', email: ' a@b.co ' }, services);
    expect(s).toEqual({ subject: 'Printer', description: 'it burns', priority: 'urgent', serviceId: 'svc-it', email: 'a@b.co' });
    const odd = readRequestForm({ priority: 'critical', service: 'svc-unknown', subject: 42, email: ['x'] }, services);
    expect(odd).toEqual({ subject: '', description: '', priority: 'normal', serviceId: null, email: '' });
    expect(readRequestForm({ service: 'none' }, services).serviceId).toBeNull();
    expect(readRequestForm(null, services).subject).toBe('');
  });
});

describe('validateRequestForm', () => {
  const valid = { subject: 'Printer', description: 'x'.repeat(DESCRIPTION_MIN), priority: 'normal' as const, serviceId: null, email: 'a@b.co' };

  it('accepts a complete form', () => {
    expect(validateRequestForm(valid, 'en', DESCRIPTION_MIN)).toEqual({});
  });

  it('names every wrong field in the person’s language', () => {
    const errors = validateRequestForm({ ...valid, subject: '', description: 'x'.repeat(DESCRIPTION_MIN - 1), email: 'a@b' }, 'ja', DESCRIPTION_MIN);
    expect(errors).toEqual({
      subject: '件名を入力してください。',
      description: `問題を${DESCRIPTION_MIN}文字以上で説明してください。`,
      email: '有効なメールアドレスを入力してください。',
    });
    expect(validateRequestForm({ ...valid, email: 'two words@b.co' }, 'ru', DESCRIPTION_MIN).email).toBe('Введите корректный адрес электронной почты.');
  });
});

describe('firstLine', () => {
  it('takes the first non-empty line and shortens it', () => {
    expect(firstLine('\n  hello\nworld')).toBe('hello');
    expect(firstLine('a'.repeat(100), 10)).toBe(`${'a'.repeat(9)}…`);
  });
});
