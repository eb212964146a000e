/**
 * The real service (real core, PostgreSQL, inbox worker and sync engine) with Telegram switched on from its env
 * variables and pointed at the strict fake Bot API. Updates reach the service the way Telegram sends them: an HTTP
 * POST to /telegram/webhook with the secret header (or, in polling mode, through getUpdates on the fake).
 */
import type { Update, User } from 'telegraf/types';
import { createPrisma, type Db } from '../../../src/infra/db/prisma.ts';
import { postUpdate, type WebhookAnswer } from '../../fakes/telegram/telegram-inbound.ts';
import { TelegramFake } from '../../fakes/telegram/telegram-fake.ts';
import type { StoredMessage } from '../../fakes/telegram/telegram-fake-store.ts';
import { privateChatOf, supergroup, tgUser, type GroupChat } from '../../fakes/telegram/telegram-updates.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../service.ts';
import { waitFor } from '../wait.ts';

export const SERVICE_WEBHOOK_SECRET = 'svc-webhook_secret-0123456789';
/** https, so that start() registers the webhook with the fake (Telegram takes https URLs only). */
export const PUBLIC_URL = 'https://help.test';

type Service = Awaited<ReturnType<typeof startTestService>>;

export interface ApiAnswer {
  status: number;
  // The API's JSON, read by the tests field by field.
  body: any;
}

export interface Customer {
  tg: User;
  chat: ReturnType<typeof privateChatOf>;
  userId: string;
  email: string;
  name: string;
}

export class TelegramServiceWorld {
  readonly fake = new TelegramFake();
  svc!: Service;
  db!: Db;
  agentToken = '';
  agentName = 'Dana Agent';
  private nextUserId = 1000;

  async start(opts: { mode?: 'webhook' | 'polling'; env?: Record<string, string> } = {}): Promise<this> {
    await this.fake.start();
    const mode = opts.mode ?? 'webhook';
    this.svc = await startTestService(
      {
        PUBLIC_URL,
        TELEGRAM_BOT_TOKEN: this.fake.token,
        TELEGRAM_API_ROOT: this.fake.url,
        TELEGRAM_MODE: mode,
        ...(mode === 'webhook' ? { TELEGRAM_WEBHOOK_SECRET: SERVICE_WEBHOOK_SECRET } : {}),
        ...opts.env,
      },
      { listen: true },
    );
    this.db = createPrisma(this.svc.databaseUrl);
    const agent = await this.api('POST', '/agents', { email: 'dana@support.example', name: this.agentName }, ADMIN_TOKEN);
    this.agentToken = agent.body.token;
    return this;
  }

  async stop(): Promise<void> {
    await this.db?.$disconnect();
    await this.svc?.stop();
    await this.fake.stop();
    await this.svc?.dropDb();
  }

  get webhookUrl(): string {
    return `${this.svc.url}/telegram/webhook`;
  }

  get botId(): string {
    return String(this.fake.bot.id);
  }

  async api(method: string, url: string, body?: unknown, token = this.agentToken): Promise<ApiAnswer> {
    const r = await this.svc.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { ...auth(token), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
  }

  /** Telegram delivers the update to the webhook; then the inbox worker processes it (waited for, must succeed). */
  async send(update: Update, secret: string | null = SERVICE_WEBHOOK_SECRET): Promise<WebhookAnswer> {
    this.fake.observe(update);
    const answer = await postUpdate(this.webhookUrl, update, secret);
    if (answer.status === 200) await this.processed(update.update_id);
    return answer;
  }

  /**
   * Waits until the recorded update has been processed, and fails with the stored error if processing failed
   * (at its first failure, unless `retries` says the test makes it fail and be retried on purpose).
   */
  async processed(updateId: number, opts: { retries?: boolean } = {}): Promise<void> {
    const where = { platform_externalId: { platform: 'telegram', externalId: String(updateId) } };
    await waitFor(async () => {
      const row = await this.db.inboundEvent.findUnique({ where });
      return row !== null && (row.status !== 'pending' || (row.attempts > 0 && !opts.retries));
    }, 30_000, `inbound update ${updateId}`);
    const row = await this.db.inboundEvent.findUniqueOrThrow({ where });
    if (row.status !== 'done') throw new Error(`update ${updateId} was not processed: ${row.status}, ${row.lastError}`);
  }

  /** Waits until the ticket has `count` deliveries and none is pending or sending; returns them oldest first. */
  async deliveries(ticketNumber: number, count: number, timeoutMs = 20_000) {
    const where = { threadLink: { ticket: { number: ticketNumber } } };
    await waitFor(async () => {
      const rows = await this.db.delivery.findMany({ where, select: { status: true } });
      return rows.length === count && rows.every((d) => d.status === 'sent' || d.status === 'failed');
    }, timeoutMs, `${count} settled deliveries of ticket #${ticketNumber}`).catch(async (e: Error) => {
      const rows = await this.db.delivery.findMany({ where, include: { outboxEvent: true }, orderBy: { id: 'asc' } });
      const seen = rows.map((d) => `${d.outboxEvent.type}:${d.status}:${d.attempts}:${d.lastError ?? ''}`).join(', ');
      const jobs = await this.db.$queryRawUnsafe(`select j.task_identifier, j.key, j.run_at, j.attempts, j.last_error, j.locked_at, j.locked_by, j.queue_name from graphile_worker.jobs j`);
      // The drain queue's rows: which threads wait for a drain, until when, claimed until when.
      const drains = await this.db.$queryRawUnsafe(`select thread_link_id, run_at, claimed_until, seq::text, attempts from thread_drains`);
      throw new Error(`${e.message}; found [${seen}] now=${new Date().toISOString()} jobs=${JSON.stringify(jobs)} drains=${JSON.stringify(drains)}`);
    });
    return this.db.delivery.findMany({ where, include: { threadLink: true, outboxEvent: true }, orderBy: { id: 'asc' } });
  }

  /** An end user of the help center with a Telegram account that wrote to the bot once (Telegram's "Start"). */
  async person(name: string, languageCode = 'en'): Promise<{ tg: User; chat: ReturnType<typeof privateChatOf> }> {
    const tg = tgUser(++this.nextUserId, name, { username: `${name.toLowerCase()}_${this.nextUserId}`, languageCode });
    const chat = privateChatOf(tg);
    this.fake.observe(this.fake.updates.message(chat, tg, 'hi'));
    return { tg, chat };
  }

  async helpCenterUser(name: string): Promise<{ id: string; email: string }> {
    const email = `${name.toLowerCase()}.${this.nextUserId}@customer.example`;
    const r = await this.api('POST', '/users', { email, name });
    if (r.status !== 201) throw new Error(`POST /users: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.user.id, email };
  }

  async linkCode(userId: string): Promise<string> {
    const r = await this.api('POST', `/users/${userId}/link-code`);
    if (r.status !== 201) throw new Error(`link-code: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.code;
  }

  /** A registered customer: help-center user, one-time code from the API, `/start <code>` in the private chat. */
  async customer(name: string, languageCode = 'en'): Promise<Customer> {
    const { tg, chat } = await this.person(name, languageCode);
    const user = await this.helpCenterUser(name);
    await this.send(this.fake.updates.command(chat, tg, '/start', await this.linkCode(user.id)));
    return { tg, chat, userId: user.id, email: user.email, name };
  }

  group(title: string): GroupChat {
    return supergroup(-1001000000000 - ++this.nextUserId, title);
  }

  /** Bot messages in a chat, oldest first (what the person reads: HTML parsed by the fake). */
  texts(chatId: number): string[] {
    return this.fake.sent(chatId).map((m) => m.text);
  }

  /** The (last part of the) bot message a delivery recorded: `<chat>:<message id>[,<part>...]`. */
  delivered(ref: string | null): StoredMessage | undefined {
    const [chat, ids] = (ref ?? '').split(':');
    return this.fake.store.message(Number(chat), Number(ids?.split(',').at(-1)));
  }

  /** The platform message id the engine records for bot messages (Telegram numbers messages per chat). */
  ref(m: StoredMessage): string {
    return `${m.chatId}:${m.message_id}`;
  }

  /** The bot's messages in a chat after the first `skip`. */
  since(chatId: number, skip: number): StoredMessage[] {
    return this.fake.sent(chatId).slice(skip);
  }

  /** Waits until the bot has sent `count` messages into a chat. */
  async sentCount(chatId: number, count: number, timeoutMs = 20_000): Promise<StoredMessage[]> {
    await waitFor(() => this.fake.sent(chatId).length >= count, timeoutMs, `${count} messages in chat ${chatId}`);
    return this.fake.sent(chatId);
  }

  answers(): { id: string; text?: string; alert?: boolean }[] {
    return this.fake.callsTo('answerCallbackQuery').map((c) => ({
      id: String(c.params['callback_query_id']),
      ...(typeof c.params['text'] === 'string' ? { text: c.params['text'] } : {}),
      ...(c.params['show_alert'] === true ? { alert: true } : {}),
    }));
  }

  async ticket(number: number) {
    return this.db.ticket.findUniqueOrThrow({
      where: { number },
      include: { comments: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { author: true } }, rating: true, threadLinks: true, service: true, requester: true },
    });
  }

  /** The newest ticket of a help-center user. */
  async latestTicketOf(userId: string) {
    return this.db.ticket.findFirst({ where: { requesterId: userId }, orderBy: { number: 'desc' } });
  }
}
