/**
 * The Lark channel as main.ts will run it: its routes on a real fastify (1 MiB body limit), the SDK client pointed
 * at the strict fake, an in-memory core, and two small stand-ins for the workers: `processInbox()` (the inbox worker
 * calling processInbound) and `deliverOutbox()` (the sync engine delivering through the adapter, obeying
 * rate_limited by waiting what the adapter said, recorded instead of slept).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createLarkChannel } from '../../../src/channels/lark/lark-channel.ts';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import { ChannelSendError } from '../../../src/core/ports/channel-port.ts';
import { LarkFake } from '../../fakes/lark/lark-fake.ts';
import { LarkInbound } from '../../fakes/lark/lark-fake-events.ts';
import { MemoryDesk } from './memory-desk.ts';
import { MemoryInbox } from './memory-inbox.ts';

export interface HarnessOptions {
  encryptKey?: string;
  verificationToken?: string;
}

export interface Delivered {
  key: string;
  messageId: string;
  attempts: number;
}

export class LarkHarness {
  readonly fake = new LarkFake();
  readonly desk = new MemoryDesk();
  readonly inbox = new MemoryInbox();
  readonly app: FastifyInstance = Fastify({ bodyLimit: 1024 * 1024 });
  readonly verificationToken: string;
  readonly encryptKey: string | undefined;
  module!: ChannelModule;
  inbound!: LarkInbound;
  baseUrl = '';
  /** Waits the sync engine would have slept after rate_limited answers, in ms. */
  readonly waits: number[] = [];
  readonly delivered: Delivered[] = [];
  readonly failedDeliveries: { key: string; error: ChannelSendError }[] = [];

  constructor(opts: HarnessOptions = {}) {
    this.verificationToken = opts.verificationToken ?? 'v3rificati0n';
    this.encryptKey = opts.encryptKey;
  }

  async start(): Promise<this> {
    await this.fake.start();
    this.module = createLarkChannel(
      {
        appId: this.fake.appId,
        appSecret: this.fake.appSecret,
        domain: `${this.fake.url}/`,
        verificationToken: this.verificationToken,
        encryptKey: this.encryptKey,
      },
      { desk: this.desk, inbox: this.inbox, logger: pino({ level: 'silent' }), publicUrl: 'http://desk.test' },
    );
    await this.app.register(this.module.routes);
    await this.app.listen({ port: 0, host: '127.0.0.1' });
    this.baseUrl = `http://127.0.0.1:${(this.app.server.address() as AddressInfo).port}`;
    await this.module.start?.();
    this.inbound = new LarkInbound(this.fake, {
      verificationToken: this.verificationToken,
      ...(this.encryptKey ? { encryptKey: this.encryptKey } : {}),
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.module.stop?.();
    await this.app.close();
    await this.fake.stop();
  }

  get eventsUrl(): string {
    return `${this.baseUrl}/lark/events`;
  }

  get cardsUrl(): string {
    return `${this.baseUrl}/lark/cards`;
  }

  /** Sends an event as Lark would: encrypted and signed when the app has an encrypt key. */
  send(body: Record<string, unknown>, url = this.eventsUrl) {
    return this.inbound.deliver(url, body, { encrypt: Boolean(this.encryptKey) });
  }

  /** The inbox worker: processes every recorded, unprocessed event once. */
  async processInbox(): Promise<void> {
    for (const row of this.inbox.pending()) {
      await this.module.adapter.processInbound!(row);
      row.processed = true;
    }
  }

  /** The sync engine: delivers the core's outbox through adapter.post, retrying rate-limited sends. */
  async deliverOutbox(maxAttempts = 5): Promise<void> {
    while (this.desk.outbox.length > 0) {
      const item = this.desk.outbox.shift()!;
      for (let attempt = 1; ; attempt++) {
        try {
          const sent = await this.module.adapter.post(item.thread, item.message, { locale: item.thread.locale, deliveryKey: item.key });
          this.delivered.push({ key: item.key, messageId: sent.messageId, attempts: attempt });
          break;
        } catch (e) {
          if (!(e instanceof ChannelSendError)) throw e;
          if (e.kind === 'permanent' || attempt >= maxAttempts) {
            this.failedDeliveries.push({ key: item.key, error: e });
            break;
          }
          if (e.kind === 'rate_limited') this.waits.push(e.retryAfterMs ?? 0);
        }
      }
    }
  }

  /** processInbox + deliverOutbox, as the two workers would eventually do. */
  async settle(): Promise<void> {
    await this.processInbox();
    await this.deliverOutbox();
  }
}
