/**
 * Direct statements (src/infra/db/direct-sql.ts) on real PostgreSQL: inside inTransaction they run in Prisma's
 * transaction itself (same backend, same transaction id, undone by its rollback), concurrent transactions each
 * get their own connection, and once a transaction ended its connection is refused to direct statements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { inTransaction, sqlOf, type Db } from '../../src/infra/db/prisma.ts';
import type { DirectSql } from '../../src/infra/db/direct-sql.ts';
import { createMigratedDatabase } from '../helpers/test-db.ts';

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await createMigratedDatabase(6));
});
afterAll(async () => {
  await close?.();
});

type Who = { pid: number; xid: string };
const who = Prisma.sql`SELECT pg_backend_pid() AS pid, txid_current()::text AS xid`;

describe('direct SQL', () => {
  it("runs in Prisma's transaction: the same backend and transaction, each of eight concurrent ones its own", async () => {
    const seen = await Promise.all(
      Array.from({ length: 8 }, () =>
        inTransaction(db, async (tx, sql) => {
          const direct = (await sql.rows<Who>(who))[0]!;
          const viaPrisma = (await tx.$queryRaw<Who[]>(who))[0]!;
          return { direct, viaPrisma };
        }),
      ),
    );
    for (const s of seen) expect(s.direct).toEqual(s.viaPrisma);
    expect(new Set(seen.map((s) => s.direct.xid)).size).toBe(8);
  });

  it("is undone by the transaction's rollback", async () => {
    const name = `direct-${Date.now()}`;
    await expect(
      inTransaction(db, async (_tx, sql) => {
        await sql.exec(Prisma.sql`INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), ${name})`);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await sqlOf(db).rows(Prisma.sql`SELECT 1 FROM organizations WHERE name = ${name}`)).toEqual([]);
  });

  it('refuses a statement after its transaction ended, instead of running it on a connection back in the pool', async () => {
    let kept: DirectSql | null = null;
    await inTransaction(db, async (_tx, sql) => {
      kept = sql;
    });
    await expect(kept!.rows(who)).rejects.toThrow(/after the end of its transaction/);
  });

  it('outside a transaction runs on the pool, with pg parsing values (a bigint as text)', async () => {
    const [r] = await sqlOf(db).rows<{ n: string; at: Date; list: string[] }>(Prisma.sql`SELECT ${BigInt(2) ** BigInt(40)}::bigint AS n, ${new Date(0)}::timestamptz AS at, ${['a', 'b']}::text[] AS list`);
    expect(r).toEqual({ n: '1099511627776', at: new Date(0), list: ['a', 'b'] });
  });
});
