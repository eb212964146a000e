/**
 * The Slack channel as the service runs it: a fastify server with the channel's routes on a real port, Bolt, the
 * strict Slack fake, an in-memory desk and inbox. `drain()` plays the inbox worker; `deliver()` plays the sync
 * engine (posting what the desk queued through the adapter).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import { createSlackChannel } from '../../../src/channels/slack/slack-channel.ts';
import type { SentMessage } from '../../../src/core/ports/channel-port.ts';
import { SlackFake } from '../../fakes/slack/slack-fake.ts';
import { SlackInbound } from '../../fakes/slack/slack-inbound.ts';
import { MemoryDesk } from './memory-desk.ts';
import { MemoryInbox } from './memory-inbox.ts';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const PUBLIC_URL = 'https://help.example.com';
export const CHANNEL = 'C0123';
/** Alice writes in English, Kenji in Japanese, Olga in Russian; Mallory is not in the channel. */
export const ALICE = 'U_AUTHOR';
export const KENJI = 'U_REACTOR';
export const OLGA = 'U_OLGA';

export interface SlackHarness {
  fake: SlackFake;
  desk: MemoryDesk;
  inbox: MemoryInbox;
  module: ChannelModule;
  app: FastifyInstance;
  inbound: SlackInbound;
  /** Runs the inbox worker once over everything pending; returns the failures. */
  drain(): Promise<unknown[]>;
  /** Delivers everything the desk queued for the threads; returns what was posted. */
  deliver(): Promise<SentMessage[]>;
  close(): Promise<void>;
}

export async function startSlackHarness(opts: { emailScope?: boolean; failAuthTests?: number } = {}): Promise<SlackHarness> {
  const fake = new SlackFake({ emailScope: opts.emailScope ?? true });
  await fake.start();
  if (opts.failAuthTests) fake.failNext('auth.test', opts.failAuthTests, { kind: 'http', status: 503 });
  fake.addUser({ id: ALICE, name: 'alice', realName: 'Alice Archer', email: 'alice@example.com', locale: 'en-US' });
  fake.addUser({ id: KENJI, name: 'kenji', realName: 'Kenji Sato', email: 'kenji@example.jp', locale: 'ja-JP' });
  fake.addUser({ id: OLGA, name: 'olga', realName: 'Olga Ivanova', email: 'olga@example.ru', locale: 'ru-RU' });
  fake.addChannel({ id: CHANNEL, name: 'support', members: [ALICE, KENJI, OLGA] });

  const desk = new MemoryDesk(PUBLIC_URL);
  const inbox = new MemoryInbox();
  const module = createSlackChannel(
    { botToken: fake.botToken, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, ticketEmoji: 'ticket' },
    { desk, inbox, logger: pino({ level: 'silent' }), publicUrl: PUBLIC_URL },
  );
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  await app.register(module.routes);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await module.start?.();
  const port = (app.server.address() as AddressInfo).port;
  const inbound = new SlackInbound(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);

  return {
    fake,
    desk,
    inbox,
    module,
    app,
    inbound,
    drain: () => inbox.drain(module.adapter),
    async deliver() {
      const sent: SentMessage[] = [];
      while (desk.outbox.length > 0) {
        const next = desk.outbox.shift();
        if (!next) break;
        sent.push(
          await module.adapter.post(next.thread, next.message, { locale: next.thread.locale, deliveryKey: next.deliveryKey }),
        );
      }
      return sent;
    },
    async close() {
      await module.stop?.();
      await app.close();
      await fake.stop();
    },
  };
}
