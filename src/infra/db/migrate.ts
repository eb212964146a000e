/**
 * Applies prisma/migrations/<name>/migration.sql files that are not applied yet, recording them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, sha256 checksum of the file), under
 * Prisma's own advisory lock key, so that two instances starting together, or this runner and Prisma's CLI, never
 * apply a migration twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/** The key `prisma migrate` locks with (pg_advisory_lock(72707369)). */
const PRISMA_MIGRATE_LOCK = 72707369;

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../prisma/migrations');

export interface MigrationResult {
  applied: string[];
  checksumMismatches: string[];
}

export async function applyMigrations(connectionString: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
      const done = await client.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Map(done.rows.map((r) => [r.migration_name, r.checksum]));
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
      const result: MigrationResult = { applied: [], checksumMismatches: [] };
      for (const name of names) {
        const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const prior = applied.get(name);
        if (prior !== undefined) {
          if (prior !== checksum) result.checksumMismatches.push(name);
          continue;
        }
        const id = randomUUID();
        await client.query('BEGIN');
        try {
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
            [id, checksum, name],
          );
          await client.query(sql);
          await client.query(
            `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
            [id],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(err as Error).message}`);
        }
        result.applied.push(name);
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
    }
  } finally {
    await client.end();
  }
}
