import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../src/infra/db/migrate.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';

/** A fresh, empty database for one test file; migrations are applied by whoever starts the service on it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('adminDatabaseUrl');
  const name = `tb_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A fresh database with the migrations applied and a Prisma client on it (`poolSize` connections), for a test file
 * that works on the infra directly; `close` disconnects the client and drops the database.
 */
export async function createMigratedDatabase(poolSize?: number): Promise<{ url: string; db: Db; close(): Promise<void> }> {
  const t = await createTestDatabase();
  await applyMigrations(t.url);
  const db = createPrisma(t.url, poolSize);
  return {
    url: t.url,
    db,
    async close() {
      await db.$disconnect();
      await t.drop();
    },
  };
}
