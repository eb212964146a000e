import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { directSql, rawThrough, reportTransactions, txSlots, type DirectSql, type TxSlot } from './direct-sql.ts';

export type Db = PrismaClient;
export type { Prisma } from '../../generated/prisma/client.ts';

/** How many distinct statements are kept prepared (on each connection); later ones are parsed each time. */
export const PREPARED_STATEMENTS_MAX = 400;

/**
 * Names for prepared statements: each statement text is parsed and planned once per connection instead of at
 * every execution (the hot paths' CTEs cost PostgreSQL more to plan than to run). A name is a hash of the text, so
 * one name never stands for two texts; past PREPARED_STATEMENTS_MAX distinct texts (lists of varying length make
 * new texts) statements go unnamed, so a long-running connection's memory stays bounded.
 */
export function preparedStatementNames(max = PREPARED_STATEMENTS_MAX): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < max) {
      name = `tb_${createHash('sha1').update(sql).digest('base64url')}`;
      names.set(sql, name);
    }
    // pg takes an absent name as "unnamed statement".
    return name as string;
  };
}

/** The adapter's own pool and statement names of each client createPrisma made: where direct SQL runs. */
const direct = new WeakMap<PrismaClient, { pool: DirectSql; name: (q: { sql: string }) => string | undefined }>();

/** The adapter factory, with its adapter telling inTransaction which connection a transaction got. */
class ReportingPrismaPg extends PrismaPg {
  override async connect() {
    return reportTransactions(await super.connect());
  }
}

/** `prepared: false` for a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21). */
export function createPrisma(connectionString: string, max = 10, prepared = true): PrismaClient {
  const pool = new pg.Pool({ connectionString, max });
  const name = prepared ? preparedStatementNames() : () => undefined;
  const adapter = new ReportingPrismaPg(pool, { ...(prepared ? { statementNameGenerator: name as (q: { sql: string }) => string } : {}), disposeExternalPool: true });
  const db = new PrismaClient({ adapter, errorFormat: 'minimal' });
  direct.set(db, { pool: directSql(pool, name), name });
  return db;
}

/** Statements on the pool of `db` through pg directly (src/infra/db/direct-sql.ts); Prisma's $queryRaw for a client made elsewhere. */
export function sqlOf(db: PrismaClient): DirectSql {
  const d = direct.get(db);
  if (d) return d.pool;
  return { rows: (q) => db.$queryRaw(q), exec: (q) => db.$executeRaw(q) };
}

/** `db` with its raw statements ($queryRaw, $executeRaw) on pg directly (a bigint column then comes back as text). */
export function directRaw(db: PrismaClient): PrismaClient {
  return direct.has(db) ? rawThrough(db, sqlOf(db), (strings, values) => Prisma.sql(strings, ...values)) : db;
}

/**
 * Prisma's interactive transaction, its callback also given the transaction's connection for direct statements.
 * Prisma's own queries (`tx`) and the direct ones run on that one connection, in the order they are awaited.
 */
export async function inTransaction<T>(
  db: PrismaClient,
  fn: (tx: Prisma.TransactionClient, sql: DirectSql) => Promise<T>,
  options: { timeout?: number; maxWait?: number } = {},
): Promise<T> {
  const d = direct.get(db);
  if (!d) return db.$transaction((tx) => fn(tx, { rows: (q) => tx.$queryRaw(q), exec: (q) => tx.$executeRaw(q) }), options);
  const slot: TxSlot = { client: null, open: true };
  return txSlots.run(slot, () =>
    db.$transaction(async (tx) => {
      const client = slot.client;
      if (!client) throw new Error('inTransaction: the transaction did not report its connection');
      return fn(tx, directSql(client, d.name, () => slot.open));
    }, options),
  );
}
