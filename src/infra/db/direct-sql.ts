/**
 * The hot statements on pg directly, through the same pool and the same transaction as Prisma.
 *
 * Prisma's client spends 0.3-0.5 ms of CPU on every statement, raw ones too (its request pipeline, result
 * mapping, a transaction manager round), against ~0.1 ms for pg itself (measured: README "Measured"); on a busy
 * 2-core machine that CPU is taken from PostgreSQL. So the statements the hot paths send (the ticket and comment
 * transactions, the chat lookups, the inbox and the drain) go to pg as they are: the text of a Prisma.Sql with its
 * values, prepared under the same names Prisma's adapter gives them (src/infra/db/prisma.ts).
 *
 * In a transaction: `inTransaction` runs Prisma's interactive transaction and hands the callback the pg client that
 * transaction runs on. The adapter's startTransaction is where that client is chosen; it is told which call it
 * serves through AsyncLocalStorage. The client is usable only until the transaction ends: after Prisma's commit
 * or rollback (a timeout, say) every direct statement is refused instead of running on a connection that is back
 * in the pool and maybe in someone else's transaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { Prisma } from '../../generated/prisma/client.ts';

/** A place to run statements: the pool, or one transaction's connection. */
export interface DirectSql {
  /** The rows of a query, as pg parses them (bigint columns as strings: cast in SQL where a number is wanted). */
  rows<T = Record<string, unknown>>(q: Prisma.Sql): Promise<T[]>;
  /** The number of rows a statement touched. */
  exec(q: Prisma.Sql): Promise<number>;
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export function directSql(on: Queryable, name: (q: { sql: string }) => string | undefined, isOpen: () => boolean = () => true): DirectSql {
  const run = async (q: Prisma.Sql) => {
    if (!isOpen()) throw new Error('direct SQL after the end of its transaction');
    return on.query({ text: q.text, values: q.values as unknown[], name: name({ sql: q.text }) });
  };
  return {
    rows: async <T>(q: Prisma.Sql) => (await run(q)).rows as T[],
    exec: async (q: Prisma.Sql) => (await run(q)).rowCount ?? 0,
  };
}

/** The connection a transaction started for the call that waits for it (see inTransaction). */
export type TxSlot = { client: pg.PoolClient | null; open: boolean };
export const txSlots = new AsyncLocalStorage<TxSlot>();

/**
 * The adapter's transaction start, telling the waiting inTransaction call (if any) which connection it got, and
 * when that connection stops being its own.
 */
export function reportTransactions<A extends { startTransaction(iso?: never): Promise<unknown> }>(adapter: A): A {
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = (async (iso?: never) => {
    const tx = (await start(iso)) as { client: pg.PoolClient; commit(): Promise<void>; rollback(): Promise<void> };
    const slot = txSlots.getStore();
    if (slot && slot.client === null && slot.open) {
      slot.client = tx.client;
      for (const end of ['commit', 'rollback'] as const) {
        const original = tx[end].bind(tx);
        tx[end] = () => {
          slot.open = false;
          return original();
        };
      }
    }
    return tx;
  }) as A['startTransaction'];
  return adapter;
}

/**
 * `client` with its `$queryRaw` and `$executeRaw` (tagged or given a Prisma.Sql) sent through `sql` instead: code
 * written against Prisma's raw API runs its statements on pg directly, its ORM calls still through Prisma.
 * pg's parsing differs from Prisma's in one place the callers must mind: a bigint column comes back as a string.
 */
export function rawThrough<C extends object>(client: C, sql: DirectSql, toSql: (strings: TemplateStringsArray, values: unknown[]) => Prisma.Sql): C {
  const query = (strings: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => (Array.isArray(strings) ? toSql(strings as TemplateStringsArray, values) : (strings as Prisma.Sql));
  return new Proxy(client, {
    get(target, key) {
      if (key === '$queryRaw') return (s: TemplateStringsArray | Prisma.Sql, ...v: unknown[]) => sql.rows(query(s, ...v));
      if (key === '$executeRaw') return (s: TemplateStringsArray | Prisma.Sql, ...v: unknown[]) => sql.exec(query(s, ...v));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
