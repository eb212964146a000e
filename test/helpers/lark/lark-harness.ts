/**
 * The Lark channel as main.ts runs it, over the real core on the in-memory store (no database): its routes on a
 * real fastify (1 MiB body limit), the SDK client pointed at the strict fake, and the core's own inbound processor
 * and thread drain, run by `settle()` when the test wants (the workers' part). For what the real service cannot be
 * made to do on purpose (the inbox failing to record, an agent's edit before the API has one).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createLarkChannel } from '../../../src/channels/lark/lark-channel.ts';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import type { InboxPort } from '../../../src/core/ports/inbox-port.ts';
import { LarkFake } from '../../fakes/lark/lark-fake.ts';
import { LarkInbound } from '../../fakes/lark/lark-fake-events.ts';
import { createMemoryCore, PUBLIC_URL, type MemoryCore } from '../memory/memory-core.ts';

export class LarkHarness {
  readonly fake = new LarkFake();
  readonly core: MemoryCore = createMemoryCore();
  readonly app: FastifyInstance = Fastify({ bodyLimit: 1024 * 1024 });
  readonly verificationToken = 'v3rificati0n';
  /** Set to make the inbox fail the next record (as a database outage would). */
  failNextRecord = false;
  module!: ChannelModule;
  inbound!: LarkInbound;
  baseUrl = '';

  constructor(readonly encryptKey?: string) {}

  async start(): Promise<this> {
    await this.fake.start();
    const inbox: InboxPort = {
      record: async (e) => {
        if (this.failNextRecord) {
          this.failNextRecord = false;
          throw new Error('database unavailable');
        }
        return this.core.inbox.record(e);
      },
    };
    this.module = createLarkChannel(
      { appId: this.fake.appId, appSecret: this.fake.appSecret, domain: `${this.fake.url}/`, verificationToken: this.verificationToken, encryptKey: this.encryptKey },
      { chat: this.core.chat, inbox, logger: pino({ level: 'silent' }), publicUrl: PUBLIC_URL },
    );
    this.core.adapters.set('lark', this.module.adapter);
    await this.app.register(this.module.routes);
    await this.app.listen({ port: 0, host: '127.0.0.1' });
    this.baseUrl = `http://127.0.0.1:${(this.app.server.address() as AddressInfo).port}`;
    await this.module.start?.();
    this.inbound = new LarkInbound(this.fake, { verificationToken: this.verificationToken, ...(this.encryptKey ? { encryptKey: this.encryptKey } : {}) });
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

  /** Sends an event as Lark would: encrypted and signed when the app has an encrypt key. */
  send(body: Record<string, unknown>, url = this.eventsUrl) {
    return this.inbound.deliver(url, body, { encrypt: Boolean(this.encryptKey) });
  }

  /** The workers: every recorded event processed, every delivery drained. */
  settle(): Promise<number> {
    return this.core.runJobs();
  }
}
