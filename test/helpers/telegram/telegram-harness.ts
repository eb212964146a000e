/**
 * The Telegram channel as the service runs it, over the real core in memory (no database): the module's routes on
 * a real fastify server (bodyLimit 1 MiB, like the app), telegraf against the strict fake Bot API, the real chat,
 * ticket and directory services over the in-memory store, whose inbox records what the routes and polling take
 * in, and the real inbound processor and thread drain run by `run()`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Update, User } from 'telegraf/types';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import { createTelegramChannel, type TelegramTuning } from '../../../src/channels/telegram/telegram-module.ts';
import type { InboxPort } from '../../../src/core/ports/inbox-port.ts';
import { postUpdate, type WebhookAnswer } from '../../fakes/telegram/telegram-inbound.ts';
import { TelegramFake } from '../../fakes/telegram/telegram-fake.ts';
import { privateChatOf, supergroup, tgUser, type GroupChat } from '../../fakes/telegram/telegram-updates.ts';
import { createMemoryCore, type MemoryCore } from '../memory/memory-core.ts';

export const WEBHOOK_SECRET = 'test-secret_0123456789';

export interface HarnessOptions {
  mode?: 'webhook' | 'polling';
  publicUrl?: string;
  tuning?: TelegramTuning;
  /** Start the module (getMe, setMyCommands, webhook or polling); default true. */
  start?: boolean;
}

export class TelegramHarness {
  readonly fake = new TelegramFake();
  readonly core: MemoryCore = createMemoryCore();
  readonly logger = pino({ level: 'silent' });
  /** Runs before every inbox record: a test makes the "database" slow or failing here. */
  gate: (() => Promise<void>) | null = null;
  readonly inbox: InboxPort = {
    record: async (e) => {
      await this.gate?.();
      return this.core.inbox.record(e);
    },
  };
  module!: ChannelModule;
  app!: FastifyInstance;
  webhookUrl = '';

  async start(opts: HarnessOptions = {}): Promise<this> {
    await this.fake.start();
    this.module = this.channel(opts);
    // The memory core runs waiting drains at once, whatever their time: pacing is the service suites' to prove.
    const limits = { ...this.module.adapter.limits, perChatIntervalMs: 0, perGroupPerMinute: 0, globalPerSecond: 0 };
    this.core.adapters.set('telegram', { ...this.module.adapter, limits });
    this.app = Fastify({ bodyLimit: 1024 * 1024 });
    await this.app.register(this.module.routes);
    await this.app.listen({ port: 0, host: '127.0.0.1' });
    const address = this.app.server.address();
    this.webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/telegram/webhook`;
    if (opts.start !== false) await this.module.start?.();
    return this;
  }

  /** A channel module on this harness's core and fake (a second one stands for a restarted process). */
  channel(opts: HarnessOptions = {}): ChannelModule {
    const mode = opts.mode ?? 'webhook';
    return createTelegramChannel(
      { botToken: this.fake.token, apiRoot: this.fake.url, mode, ...(mode === 'webhook' ? { webhookSecret: WEBHOOK_SECRET } : {}) },
      { chat: this.core.chat, inbox: this.inbox, logger: this.logger, publicUrl: opts.publicUrl ?? 'http://localhost:3000' },
      opts.tuning ?? {},
    );
  }

  async close(): Promise<void> {
    await this.module.stop?.();
    await this.app.close();
    await this.fake.stop();
  }

  /** Telegram delivers `update` to the webhook; then the worker processes what was recorded, and the drains run. */
  async send(update: Update, secret: string | null = WEBHOOK_SECRET): Promise<WebhookAnswer> {
    this.fake.observe(update);
    const answer = await postUpdate(this.webhookUrl, update, secret);
    await this.run();
    return answer;
  }

  /** Runs every job the core asked for: recorded updates, retries, deliveries. */
  run(): Promise<number> {
    return this.core.runJobs();
  }

  /** A person who has opened a private chat with the bot and, unless `registered: false`, linked it. */
  async customer(id: number, name: string, opts: { languageCode?: string; registered?: boolean } = {}) {
    const user = tgUser(id, name, { username: name.toLowerCase(), languageCode: opts.languageCode ?? 'en' });
    const chat = privateChatOf(user);
    // Telegram only lets a bot write to people who started it: a first message does that.
    this.fake.observe(this.fake.updates.message(chat, user, 'hi'));
    if (opts.registered === false) return { user, chat, account: null };
    const account = await this.core.endUser(`${name.toLowerCase()}@customer.example`, name);
    await this.core.store.upsertIdentity({ platform: 'telegram', workspaceId: this.botId, platformUserId: String(id), userId: account.id, displayName: name, locale: 'en' });
    return { user, chat, account };
  }

  /** A ticket an agent opened for a customer: its confirmation is delivered to their private chat. */
  async ticketFor(account: { id: string }, subject: string): Promise<number> {
    const agent = await this.core.agent();
    const { ticket } = await this.core.tickets.create({
      subject,
      description: `${subject}, details follow`,
      priority: 'normal',
      serviceId: null,
      via: 'api',
      submitter: { id: agent.id, role: agent.role },
      requesterId: account.id,
      sourceKey: null,
      sourceUrl: null,
    });
    await this.run();
    return ticket.number;
  }

  /** An agent sets the ticket's status; the engine tells its threads. */
  async setStatus(number: number, status: 'open' | 'pending' | 'solved' | 'closed'): Promise<void> {
    const agent = await this.core.agent();
    await this.core.tickets.update(number, { id: agent.id, role: agent.role }, { status });
    await this.run();
  }

  group(id = -1001234567890, title = 'Support'): GroupChat {
    return supergroup(id, title);
  }

  get botId(): string {
    return String(this.fake.bot.id);
  }

  get botUser(): User & { username: string } {
    return this.fake.bot;
  }

  /** Texts the bot sent into a chat (HTML parsed: what the person reads). */
  texts(chatId: number): string[] {
    return this.fake.sent(chatId).map((m) => m.text);
  }

  answers(): { id: string; text?: string; alert?: boolean }[] {
    return this.fake.callsTo('answerCallbackQuery').map((c) => ({
      id: String(c.params['callback_query_id']),
      ...(typeof c.params['text'] === 'string' ? { text: c.params['text'] } : {}),
      ...(c.params['show_alert'] === true ? { alert: true } : {}),
    }));
  }
}
