import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client.ts';

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

/** `prepared: false` for a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21). */
export function createPrisma(connectionString: string, max = 10, prepared = true): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max }, prepared ? { statementNameGenerator: preparedStatementNames() } : {});
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}
