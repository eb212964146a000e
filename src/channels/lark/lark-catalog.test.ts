import { describe, expect, it } from 'vitest';
import { lark } from '../../i18n/messages/lark.ts';

describe('the lark message catalog', () => {
  const keys = (l: 'en' | 'ja' | 'ru') => Object.keys(lark[l]).sort();

  it('has the same keys in English, Japanese and Russian, none empty', () => {
    expect(keys('ja')).toEqual(keys('en'));
    expect(keys('ru')).toEqual(keys('en'));
    for (const l of ['en', 'ja', 'ru'] as const) for (const v of Object.values(lark[l])) expect(v.trim()).not.toBe('');
  });

  it('is really translated: sentences differ from English and keep their placeholders', () => {
    const sameByDesign = new Set(['rating.score']);
    for (const key of keys('en')) {
      const en = lark.en[key]!;
      for (const l of ['ja', 'ru'] as const) {
        const v = lark[l][key]!;
        if (!sameByDesign.has(key)) expect(v, `${l}:${key}`).not.toBe(en);
        expect(v.match(/{{\w+}}/g)?.sort(), `${l}:${key}`).toEqual(en.match(/{{\w+}}/g)?.sort());
      }
    }
  });
});
