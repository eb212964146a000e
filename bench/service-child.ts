/**
 * The service as `npm run bench` runs it: its own process (so its RSS is its own), listening on loopback, with
 * the test channel (no pacing) and Slack pointed at the strict Slack fake the bench runs. Prints `READY <url>`.
 * Env: DATABASE_URL, TEST_PLATFORM_URL, SLACK_API_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, ADMIN_TOKEN.
 */
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { startService } from '../src/service.ts';
import { createTestChannel } from '../test/helpers/test-channel/test-channel.ts';

const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://bench.test', LOG_LEVEL: 'silent' });
const { createSlackChannel } = await import('../src/channels/slack/slack-channel.ts');
const service = await startService(config, {
  logger: pino({ level: 'silent' }),
  pollIntervalMs: 500,
  channels: (deps) => [
    createTestChannel({ apiUrl: process.env.TEST_PLATFORM_URL! }, deps),
    createSlackChannel(
      { botToken: config.SLACK_BOT_TOKEN!, signingSecret: config.SLACK_SIGNING_SECRET!, apiUrl: config.SLACK_API_URL, ticketEmoji: config.SLACK_TICKET_EMOJI },
      deps,
    ),
  ],
});
process.stdout.write(`READY ${service.url}\n`);
const stop = () => void service.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
