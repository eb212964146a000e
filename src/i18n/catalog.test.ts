import { describe, expect, it } from 'vitest';
import { LOCALES } from '../core/locale.ts';
import { allCatalogs, t } from './catalog.ts';
import './messages/console.ts';
import './messages/portal.ts';
import './messages/email.ts';
import './messages/console-work.ts';

describe('message catalog', () => {
  it('has every key in English, Japanese and Russian, with the same placeholders', () => {
    for (const [ns, cat] of Object.entries(allCatalogs())) {
      const keys = Object.keys(cat.en).sort();
      for (const lng of LOCALES) {
        expect(Object.keys(cat[lng]).sort(), `${ns}/${lng}`).toEqual(keys);
        for (const k of keys) {
          const ph = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
          expect(ph(cat[lng][k]!), `${ns}/${lng}/${k}`).toEqual(ph(cat.en[k]!));
          if (lng !== 'en' && k !== 'ticket.list_item') expect(cat[lng][k], `${ns}/${lng}/${k} is translated`).not.toBe(cat.en[k]);
        }
      }
    }
  });
  it('interpolates without escaping (renderers escape for their platform)', () => {
    expect(t('ru', 'ticket.confirmation', { number: 7, subject: '<b>x</b>', status: t('ru', 'status.new') })).toBe('Заявка #7 «<b>x</b>» создана. Статус: Новая.');
    expect(t('ja', 'status.solved')).toBe('解決済み');
    expect(t('en', 'common:status.pending')).toBe('Awaiting your reply');
  });
});
