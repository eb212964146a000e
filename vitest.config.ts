import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // The database-restart test cuts graphile-worker's connections on purpose; the library then rejects a promise
    // nobody awaits (PostgreSQL's admin_shutdown, 57P01). The service logs those; anything else still fails the run.
    onUnhandledError(error) {
      return (error as { code?: string }).code === '57P01' ? false : undefined;
    },
  },
});
