import { describe, expect, it } from 'vitest';
import { choosePlan, COMMON } from './ticket-search-sql.ts';

describe('choosing how to search', () => {
  it('starts from the rarest word and checks the others on its tickets', () => {
    expect(choosePlan([{ word: 'printer', empty: false, hits: COMMON }, { word: 'REF42', empty: false, hits: 1 }, { word: 'slow', empty: false, hits: 900 }], null)).toEqual({
      kind: 'candidates',
      rare: 'REF42',
      others: ['printer', 'slow'],
      number: null,
    });
  });
  it('walks the queue when every word is common', () => {
    expect(choosePlan([{ word: 'printer', empty: false, hits: COMMON }, { word: 'slow', empty: false, hits: COMMON }], 7)).toEqual({ kind: 'scan', words: ['printer', 'slow'], number: 7 });
  });
  it('leaves out words of punctuation, and finds nothing or the number when that is all', () => {
    expect(choosePlan([{ word: '-', empty: true, hits: 0 }, { word: 'vpn', empty: false, hits: 3 }], null)).toEqual({ kind: 'candidates', rare: 'vpn', others: [], number: null });
    expect(choosePlan([{ word: '!!!', empty: true, hits: 0 }], null)).toEqual({ kind: 'nothing' });
    expect(choosePlan([{ word: '#12', empty: true, hits: 0 }], 12)).toEqual({ kind: 'number', number: 12 });
  });
});
