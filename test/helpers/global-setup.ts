/**
 * One PostgreSQL for the whole run: DATABASE_URL when set (CI uses the machine's server), else an embedded one
 * in a temporary folder. Each test file then makes its own database in it (test/helpers/test-db.ts), built only
 * from the migration files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/infra/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tb-test-pg-'));
  const pg = await startEmbeddedPostgres(dir, { database: 'postgres' });
  project.provide('adminDatabaseUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
