import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_WORDS, searchWords, ticketNumberIn } from './search-words.ts';

describe('searchWords', () => {
  it('splits on any white space, the ideographic one included', () => {
    expect(searchWords('  printer\tОльга\u3000故障  ')).toEqual(['printer', 'Ольга', '故障']);
  });
  it('drops repeats regardless of case and keeps the first spelling', () => {
    expect(searchWords('VPN vpn Vpn ОЛЬГА ольга')).toEqual(['VPN', 'ОЛЬГА']);
  });
  it('turns full-width letters into plain ones, as the index does', () => {
    expect(searchWords('ＶＰＮ　接続')).toEqual(['VPN', '接続']);
  });
  it('keeps at most a handful of words', () => {
    const many = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    expect(searchWords(many)).toHaveLength(MAX_SEARCH_WORDS);
  });
  it('has no words in blank text', () => expect(searchWords(' \n ')).toEqual([]));
});

describe('ticketNumberIn', () => {
  it('reads #123 and 123', () => {
    expect(ticketNumberIn('#123')).toBe(123);
    expect(ticketNumberIn(' 42 ')).toBe(42);
  });
  it('ignores anything else', () => {
    for (const q of ['#', '12a', '1 2', '#-1', '1234567890']) expect(ticketNumberIn(q), q).toBeNull();
  });
});
