/**
 * One service instance with the test channel, as its own process (for the crash and two-instance tests and the
 * benchmark). Env: DATABASE_URL, TEST_PLATFORM_URL. Prints `READY <url>` when it listens.
 */
import pino from 'pino';
import { loadConfig } from '../../../src/config/env.ts';
import { startService } from '../../../src/service.ts';
import { createTestChannel } from './test-channel.ts';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.test', ADMIN_TOKEN: 'test-admin-token-0123456789' });
const service = await startService(config, {
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  channels: (deps) => [createTestChannel({ apiUrl: process.env.TEST_PLATFORM_URL! }, deps)],
  pollIntervalMs: 200,
});
process.stdout.write(`READY ${service.url}\n`);
process.on('SIGTERM', () => void service.stop().then(() => process.exit(0)));
