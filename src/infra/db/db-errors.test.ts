import { describe, expect, it } from 'vitest';
import { databaseErrorLine, isDatabaseUnavailable } from './db-errors.ts';

describe('isDatabaseUnavailable', () => {
  it('recognises an unreachable, closed or overloaded database in the shapes Prisma and pg give', () => {
    const adapter = (cause: Record<string, unknown>) => ({ code: 'P2010', meta: { driverAdapterError: { cause } } });
    for (const e of [
      { code: 'P1001' },
      { code: 'P1017' },
      adapter({ kind: 'DatabaseNotReachable' }),
      adapter({ kind: 'ConnectionClosed' }),
      adapter({ kind: 'postgres', code: '57P01' }),
      { code: 'ECONNREFUSED' },
      { code: '57P03' },
      new Error('Connection terminated unexpectedly'),
      { message: 'wrapped', cause: { code: 'ECONNRESET' } },
    ])
      expect(isDatabaseUnavailable(e), JSON.stringify(e)).toBe(true);
  });
  it('does not take a refused statement or a bug for an outage', () => {
    for (const e of [{ code: 'P2002' }, { code: 'P2025' }, { code: '23505' }, new TypeError('x is undefined'), null, 'text', { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '22P05' } } } }])
      expect(isDatabaseUnavailable(e), JSON.stringify(e)).toBe(false);
  });
  it('logs the last line of a Prisma message', () => {
    expect(databaseErrorLine(new Error('\nInvalid `db.x()` invocation in\n  12 code\n\nCan\'t reach database server at h:1'))).toBe("Can't reach database server at h:1");
  });
});
