import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../core/locale.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { slack } from '../../i18n/messages/slack.ts';
import {
  encodeReactionButton,
  parseJson,
  rateView,
  reactionButtonSchema,
  reopenView,
  ticketFormMetaSchema,
  ticketFormView,
} from './slack-views.ts';

registerMessages('slack', slack);

type Block = Record<string, any>;

describe('Slack views', () => {
  it('the slack catalog has the same keys in en, ja and ru, none empty', () => {
    const keys = Object.keys(slack.en).sort();
    for (const locale of LOCALES) {
      expect(Object.keys(slack[locale]).sort()).toEqual(keys);
      for (const value of Object.values(slack[locale])) expect(value.trim()).not.toBe('');
    }
  });

  it.each(LOCALES)('modal titles and buttons fit Slack\'s 24 characters in %s', (locale) => {
    const views = [
      ticketFormView({ locale, meta: { m: 'a', c: 'C1', l: locale }, prefill: { subject: '', description: '', email: null }, services: [] }),
      rateView(locale, { n: 1, c: 'C1', th: null, l: locale }),
      reopenView(locale, { n: 1, c: 'C1', th: null, l: locale }),
    ];
    for (const v of views) {
      for (const key of ['title', 'submit', 'close']) {
        const text = (v[key] as Block)['text'] as string;
        expect(text.length).toBeGreaterThan(0);
        expect([...text].length).toBeLessThanOrEqual(24);
        expect(text.endsWith('…')).toBe(false);
      }
    }
  });

  it('the form carries its origin in private_metadata and reads it back', () => {
    const meta = { m: 'r' as const, c: 'C1', ts: '1.2', th: '1.0', l: 'ja' as const };
    const view = ticketFormView({ locale: 'ja', meta, prefill: { subject: 's', description: 'd', email: 'a@b.c' }, services: [{ id: 's1', name: 'IT' }] });
    expect(parseJson(ticketFormMetaSchema, view['private_metadata'] as string)).toEqual(meta);
    const blockIds = (view['blocks'] as Block[]).map((b) => b['block_id']);
    expect(blockIds).toEqual(['subject_block', 'description_block', 'priority_block', 'service_block', 'email_block']);
    expect(parseJson(ticketFormMetaSchema, '{"m":"x"}')).toBeNull();
    expect(parseJson(ticketFormMetaSchema, 'not json')).toBeNull();
  });

  it('a long description is shortened until the button value fits 2,000 characters', () => {
    const value = encodeReactionButton({ c: 'C1', ts: '1.2', th: '1.2', s: 'subject', d: 'ж"\n'.repeat(3000) });
    expect(value.length).toBeLessThanOrEqual(2000);
    const back = parseJson(reactionButtonSchema, value);
    expect(back?.c).toBe('C1');
    expect(back?.d.endsWith('…')).toBe(true);
  });

  it('a short description is kept whole', () => {
    const v = { c: 'C1', ts: '1.2', th: '1.0', s: 'Printer', d: 'Printer on fire' };
    expect(parseJson(reactionButtonSchema, encodeReactionButton(v))).toEqual(v);
  });
});
