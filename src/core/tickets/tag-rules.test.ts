import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { applyTagChange, MAX_TAGS, normaliseTag, sameTags } from './tag-rules.ts';

describe('tags', () => {
  it('folds case and spaces in any script', () => {
    expect(normaliseTag(' Billing Issue ')).toBe('billing-issue');
    expect(normaliseTag('ВАЖНО')).toBe('важно');
    expect(normaliseTag('請求')).toBe('請求');
    expect(normaliseTag('ＶＩＰ')).toBe('vip');
  });
  it('refuses what is not a label', () => {
    for (const bad of ['', '  ', '-x', '#x', 'a,b', 'x'.repeat(51), 'a<b>']) {
      expect(() => normaliseTag(bad), bad).toThrow(DomainError);
    }
  });
  it('adds, removes and replaces, sorted and without repeats', () => {
    expect(applyTagChange(['b', 'a'], { add: ['C', 'a'], remove: ['b'] })).toEqual(['a', 'c']);
    expect(applyTagChange(['x'], { set: ['Z', 'y', 'z'] })).toEqual(['y', 'z']);
    expect(applyTagChange(['x'], {})).toEqual(['x']);
  });
  it('refuses more than the limit', () => {
    const many = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`);
    expect(() => applyTagChange([], { add: many })).toThrow(/at most/);
  });
  it('compares sorted sets', () => {
    expect(sameTags(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameTags(['a'], ['a', 'b'])).toBe(false);
  });
});
