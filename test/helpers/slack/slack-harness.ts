/**
 * The Slack channel as the service runs it, over the real core on the in-memory store: a fastify server with the
 * channel's route on a real port, the strict Slack fake, the memory core's inbox, chat service and sync engine.
 * `drain()` plays the worker (inbound events, then deliveries) until nothing is left.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import { createSlackChannel } from '../../../src/channels/slack/slack-channel.ts';
import { SlackFake } from '../../fakes/slack/slack-fake.ts';
import { SlackInbound } from '../../fakes/slack/slack-inbound.ts';
import { createMemoryCore, PUBLIC_URL, type MemoryCore } from '../memory/memory-core.ts';

export { PUBLIC_URL };
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const TEAM = 'T0001';
export const CHANNEL = 'C0123';
/** Alice writes in English, Kenji in Japanese, Olga in Russian. */
export const ALICE = 'U_AUTHOR';
export const KENJI = 'U_REACTOR';
export const OLGA = 'U_OLGA';

export interface SlackHarness {
  fake: SlackFake;
  core: MemoryCore;
  module: ChannelModule;
  app: FastifyInstance;
  inbound: SlackInbound;
  /** The next N records of the inbox fail, as a database outage would. */
  failRecords(n: number): void;
  /** Runs every waiting job (inbound events, deliveries); returns how many ran. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

export async function startSlackHarness(opts: { failAuthTests?: number } = {}): Promise<SlackHarness> {
  const fake = new SlackFake();
  await fake.start();
  if (opts.failAuthTests) fake.failNext('auth.test', opts.failAuthTests, { kind: 'http', status: 503 });
  fake.addUser({ id: ALICE, name: 'alice', realName: 'Alice Archer', email: 'alice@example.com', locale: 'en-US' });
  fake.addUser({ id: KENJI, name: 'kenji', realName: 'Kenji Sato', email: 'kenji@example.jp', locale: 'ja-JP' });
  fake.addUser({ id: OLGA, name: 'olga', realName: 'Olga Ivanova', email: 'olga@example.ru', locale: 'ru-RU' });
  fake.addChannel({ id: CHANNEL, name: 'support', members: [ALICE, KENJI, OLGA] });

  const core = createMemoryCore();
  let failing = 0;
  const inbox = {
    record: (e: Parameters<MemoryCore['inbox']['record']>[0]) => {
      if (failing > 0) {
        failing -= 1;
        return Promise.reject(new Error('database unavailable'));
      }
      return core.inbox.record(e);
    },
  };
  const module = createSlackChannel(
    { botToken: fake.botToken, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, ticketEmoji: 'ticket' },
    { chat: core.chat, inbox, logger: pino({ level: 'silent' }), publicUrl: PUBLIC_URL },
  );
  core.adapters.set(module.adapter.platform, module.adapter);
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  await app.register(module.routes);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await module.start?.();
  const port = (app.server.address() as AddressInfo).port;

  return {
    fake,
    core,
    module,
    app,
    inbound: new SlackInbound(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET),
    failRecords: (n) => void (failing = n),
    drain: () => core.runJobs(),
    async close() {
      await module.stop?.();
      await app.close();
      await fake.stop();
    },
  };
}
