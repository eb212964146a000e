import { describe, expect, it } from 'vitest';
import { preparedStatementNames } from './prisma.ts';

describe('prepared statement names', () => {
  it('gives one text one name, two texts two names, and none past the cap', () => {
    const name = preparedStatementNames(2);
    const a = name({ sql: 'SELECT 1' });
    expect(a).toMatch(/^tb_[A-Za-z0-9_-]{27}$/);
    expect(name({ sql: 'SELECT 1' })).toBe(a);
    const b = name({ sql: 'SELECT 2' });
    expect(b).not.toBe(a);
    // The cap is reached: a third text goes unnamed (pg parses it each time), the first two keep theirs.
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    expect(name({ sql: 'SELECT 2' })).toBe(b);
  });

  it('names by the whole text: texts that differ only at the end get different names', () => {
    const name = preparedStatementNames();
    const long = 'SELECT '.padEnd(5000, 'x');
    expect(name({ sql: `${long}1` })).not.toBe(name({ sql: `${long}2` }));
  });
});
