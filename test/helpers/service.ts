import pino from 'pino';
import { loadConfig } from '../../src/config/env.ts';
import { startService, type RunningService, type ServiceOptions } from '../../src/service.ts';
import { createTestDatabase } from './test-db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The real service on a fresh database, in-process, without listening (use app.inject) unless asked. */
export async function startTestService(
  env: Record<string, string> = {},
  opts: Partial<ServiceOptions> = {},
): Promise<RunningService & { dropDb(): Promise<void> }> {
  const db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.test', LOG_LEVEL: 'silent', ...env });
  const service = await startService(config, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), listen: false, pollIntervalMs: 200, ...opts });
  return {
    ...service,
    async stop() {
      await service.stop();
    },
    dropDb: () => db.drop(),
  };
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
