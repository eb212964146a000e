/**
 * The Telegram channel as the service runs it, minus the database: the module's routes on a real fastify server
 * (bodyLimit 1 MiB, like the app), telegraf against the strict fake Bot API, the in-memory DeskPort and inbox, a
 * worker that processes recorded updates, and a stand-in for the sync engine that delivers notifications through
 * the adapter.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Update, User } from 'telegraf/types';
import type { RichMessage } from '../../../src/core/ports/channel-port.ts';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import { createTelegramChannel, type TelegramTuning } from '../../../src/channels/telegram/telegram-module.ts';
import { postUpdate, type WebhookAnswer } from '../../fakes/telegram/telegram-inbound.ts';
import { TelegramFake } from '../../fakes/telegram/telegram-fake.ts';
import { privateChatOf, supergroup, tgUser, type GroupChat } from '../../fakes/telegram/telegram-updates.ts';
import { FakeDesk, FakeInbox, type FakeTicket } from './fake-desk.ts';

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
  readonly desk = new FakeDesk();
  readonly inbox = new FakeInbox();
  readonly logger = pino({ level: 'silent' });
  module!: ChannelModule;
  app!: FastifyInstance;
  webhookUrl = '';
  /** Engine deliveries waiting for the current update to finish (the real engine runs after the commit). */
  private readonly outbox: (() => Promise<void>)[] = [];
  private processed = 0;
  private deliveries = 0;

  async start(opts: HarnessOptions = {}): Promise<this> {
    await this.fake.start();
    const mode = opts.mode ?? 'webhook';
    this.module = createTelegramChannel(
      { botToken: this.fake.token, apiRoot: this.fake.url, mode, ...(mode === 'webhook' ? { webhookSecret: WEBHOOK_SECRET } : {}) },
      { desk: this.desk, inbox: this.inbox, logger: this.logger, publicUrl: opts.publicUrl ?? 'http://localhost:3000' },
      opts.tuning ?? { chatIo: { sleep: async () => {} } },
    );
    this.desk.onCreated = (ticket) => this.outbox.push(() => this.deliverToTicket(ticket.number, { kind: 'ticket_confirmation', ticket: this.desk.summary(ticket) }));
    this.app = Fastify({ bodyLimit: 1024 * 1024 });
    await this.app.register(this.module.routes);
    await this.app.listen({ port: 0, host: '127.0.0.1' });
    const address = this.app.server.address();
    this.webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/telegram/webhook`;
    if (opts.start !== false) await this.module.start?.();
    return this;
  }

  async close(): Promise<void> {
    await this.module.stop?.();
    await this.app.close();
    await this.fake.stop();
  }

  /** Telegram delivers `update` to the webhook; then the worker processes what was recorded. */
  async send(update: Update, secret: string | null = WEBHOOK_SECRET): Promise<WebhookAnswer> {
    this.fake.observe(update);
    const answer = await postUpdate(this.webhookUrl, update, secret);
    await this.drain();
    return answer;
  }

  /** The core's worker: processes every recorded, not yet processed update in order, then the engine's deliveries. */
  async drain(): Promise<void> {
    while (this.processed < this.inbox.rows.length) {
      const row = this.inbox.rows[this.processed++]!;
      await this.module.adapter.processInbound!(row);
      while (this.outbox.length > 0) await this.outbox.shift()!();
    }
  }

  /** The sync engine: posts a rich message into every thread of a ticket. */
  async deliverToTicket(ticketNumber: number, message: RichMessage): Promise<void> {
    const ticket = this.desk.tickets.get(ticketNumber)!;
    for (const thread of ticket.threads) {
      this.deliveries += 1;
      await this.module.adapter.post(thread, message, { locale: thread.locale, deliveryKey: `d${this.deliveries}` });
    }
  }

  /** A ticket that already exists (made before the test), for a registered customer; no confirmation is sent. */
  async existingTicket(telegramUserId: number, description: string): Promise<FakeTicket> {
    const hook = this.desk.onCreated;
    this.desk.onCreated = () => {};
    try {
      const { ticket } = await this.desk.createTicket({
        via: 'telegram',
        requester: { chatUser: { platform: 'telegram', workspaceId: String(this.fake.bot.id), platformUserId: String(telegramUserId) } },
        subject: description,
        description,
        priority: 'urgent',
        serviceId: 'svc-general',
        thread: { platform: 'telegram', workspaceId: String(this.fake.bot.id), chatId: String(telegramUserId), threadRef: null, locale: 'en' },
      });
      return this.desk.tickets.get(ticket.number)!;
    } finally {
      this.desk.onCreated = hook;
    }
  }

  /** An agent solves the ticket; the engine sends the rating prompt to its threads. */
  async solve(ticketNumber: number): Promise<FakeTicket> {
    const ticket = this.desk.tickets.get(ticketNumber)!;
    ticket.status = 'solved';
    await this.deliverToTicket(ticketNumber, { kind: 'rating_prompt', ticket: this.desk.summary(ticket) });
    return ticket;
  }

  /** A person who has opened a private chat with the bot and, unless `registered: false`, linked it. */
  async customer(id: number, name: string, opts: { languageCode?: string; registered?: boolean; email?: string } = {}) {
    const user = tgUser(id, name, { username: name.toLowerCase(), languageCode: opts.languageCode ?? 'en' });
    const chat = privateChatOf(user);
    // Telegram only lets a bot write to people who started it: a first message does that.
    this.fake.observe(this.fake.updates.message(chat, user, 'hi'));
    const desk = opts.registered === false ? null : this.desk.addUser(opts.email ?? `${name.toLowerCase()}@example.com`, name);
    if (desk) this.desk.linkDirectly({ platform: 'telegram', workspaceId: String(this.fake.bot.id), platformUserId: String(id) }, desk.id);
    return { user, chat, desk };
  }

  group(id = -1001234567890, title = 'Support'): GroupChat {
    return supergroup(id, title);
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
