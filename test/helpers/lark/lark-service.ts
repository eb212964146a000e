/**
 * The real service (real core, PostgreSQL, inbox worker and sync engine) with the Lark channel switched on from its
 * env variables and pointed at the strict Lark fake. Events are POSTed to the listening service as Lark would send
 * them; helpers wait on what the database says (an event processed, a ticket's deliveries sent), never on time.
 */
import type { Db } from '../../../src/infra/db/prisma.ts';
import { createPrisma } from '../../../src/infra/db/prisma.ts';
import { LarkFake, type FakeChat, type FakeUser, type StoredMessage } from '../../fakes/lark/lark-fake.ts';
import { LarkInbound, type DeliverOptions, type Delivery } from '../../fakes/lark/lark-fake-events.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../service.ts';
import { waitFor } from '../wait.ts';
import { submitValue } from './lark-flows.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export const VERIFICATION_TOKEN = 'v3rificati0n-token';

export interface LarkServiceOptions {
  /** With a key, every event is sent encrypted and signed, as Lark does for apps that have one. */
  encryptKey?: string;
  /** The Verification Token the app is configured with; null leaves LARK_VERIFICATION_TOKEN unset. */
  verificationToken?: string | null;
}

export interface People {
  alice: FakeUser;
  bob: FakeUser;
  /** A member whose email the app may not read (no contact email scope for her). */
  nina: FakeUser;
  group: FakeChat;
}

export class LarkService {
  readonly fake = new LarkFake();
  svc!: Awaited<ReturnType<typeof startTestService>>;
  db!: Db;
  inbound!: LarkInbound;
  agentToken = '';
  people!: People;

  constructor(readonly opts: LarkServiceOptions = {}) {}

  async start(): Promise<this> {
    await this.fake.start();
    this.svc = await startTestService(
      {
        LARK_APP_ID: this.fake.appId,
        LARK_APP_SECRET: this.fake.appSecret,
        LARK_DOMAIN: this.fake.url,
        ...(this.opts.verificationToken !== null ? { LARK_VERIFICATION_TOKEN: this.opts.verificationToken ?? VERIFICATION_TOKEN } : {}),
        ...(this.opts.encryptKey ? { LARK_ENCRYPT_KEY: this.opts.encryptKey } : {}),
      },
      { listen: true },
    );
    this.db = createPrisma(this.svc.databaseUrl);
    this.inbound = new LarkInbound(this.fake, {
      verificationToken: this.opts.verificationToken ?? VERIFICATION_TOKEN,
      ...(this.opts.encryptKey ? { encryptKey: this.opts.encryptKey } : {}),
    });
    const agent = await this.api('POST', '/agents', { email: 'dana@support.example', name: 'Dana Agent' }, ADMIN_TOKEN);
    this.agentToken = String((agent.body as { token: string }).token);
    const alice = this.fake.addUser({ name: 'Alice Example', email: 'alice@example.com' });
    const bob = this.fake.addUser({ name: 'Bob Other', email: 'bob@example.com', locale: 'ja_jp' });
    const nina = this.fake.addUser({ name: 'Nina Noemail', locale: 'ru_ru' });
    this.people = { alice, bob, nina, group: this.fake.addGroup([alice, bob, nina]) };
    return this;
  }

  async stop(): Promise<void> {
    await this.db?.$disconnect();
    await this.svc?.stop();
    await this.svc?.dropDb();
    await this.fake.stop();
  }

  get eventsUrl(): string {
    return `${this.svc.url}/lark/events`;
  }

  get cardsUrl(): string {
    return `${this.svc.url}/lark/cards`;
  }

  async api(method: string, path: string, body?: unknown, token = this.agentToken): Promise<{ status: number; body: unknown }> {
    const r = await this.svc.app.inject({
      method: method as 'GET',
      url: `/api/v1${path}`,
      headers: { ...auth(token), 'content-type': 'application/json' },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.statusCode, body: JSON.parse(r.body || 'null') as unknown };
  }

  /** Sends as Lark would: encrypted and signed when the app has an encrypt key, plain otherwise. */
  send(body: Obj, opts: DeliverOptions = {}, url = this.eventsUrl): Promise<Delivery> {
    return this.inbound.deliver(url, body, { encrypt: Boolean(this.opts.encryptKey), ...opts });
  }

  /** Waits until the inbox worker finished the event (`done`); fails at once when it was parked as dead. */
  async processed(externalId: string): Promise<void> {
    await waitFor(
      async () => {
        const row = await this.db.inboundEvent.findUnique({ where: { platform_externalId: { platform: 'lark', externalId } } });
        if (row?.status === 'dead') throw new Error(`inbound event ${externalId} is dead: ${row.lastError}`);
        return row?.status === 'done';
      },
      20_000,
      `inbound event ${externalId} processed`,
    );
  }

  /** Sends an event, expects 200, and waits until it was processed. Returns the answer. */
  async sendAndProcess(body: Obj, opts: DeliverOptions = {}, url = this.eventsUrl): Promise<Delivery> {
    const res = await this.send(body, opts, url);
    if (res.status !== 200) throw new Error(`Lark event answered ${res.status}: ${res.text}`);
    await this.processed(eventIdOf(body));
    return res;
  }

  /** Waits until none of the ticket's deliveries is pending or sending. */
  async settled(ticketNumber: number): Promise<void> {
    await waitFor(
      async () =>
        (await this.db.delivery.count({
          where: { threadLink: { ticket: { number: ticketNumber } }, status: { in: ['pending', 'sending'] } },
        })) === 0,
      20_000,
      `deliveries of ticket ${ticketNumber} settled`,
    );
  }

  ticket(number: number) {
    return this.db.ticket.findUniqueOrThrow({
      where: { number },
      include: {
        requester: true,
        submitter: true,
        service: true,
        rating: true,
        comments: { orderBy: { createdAt: 'asc' }, include: { author: true } },
        threadLinks: { include: { deliveries: { orderBy: { id: 'asc' }, include: { outboxEvent: true } } } },
      },
    });
  }

  async deliveries(number: number) {
    return this.db.delivery.findMany({
      where: { threadLink: { ticket: { number } } },
      orderBy: { id: 'asc' },
      include: { outboxEvent: true },
    });
  }

  /** Counts that must not move when a request is refused. */
  async stored(): Promise<{ events: number; tickets: number; comments: number; users: number }> {
    const [events, tickets, comments, users] = await Promise.all([
      this.db.inboundEvent.count(),
      this.db.ticket.count(),
      this.db.comment.count(),
      this.db.user.count(),
    ]);
    return { events, tickets, comments, users };
  }

  /** Messages the bot posted under a thread root (not ephemeral), oldest first. */
  botReplies(rootId: string): StoredMessage[] {
    return this.fake.thread(rootId).filter((m) => m.sender.sender_type === 'app' && !m.ephemeralFor);
  }

  // ---- flows ------------------------------------------------------------------------------------------------------

  /** `from` mentions the bot in the group; returns their message and the ephemeral form they were sent. */
  async mention(from: FakeUser, text: string, replyTo?: string): Promise<{ message: StoredMessage; form: StoredMessage; eventId: string }> {
    const { body, message } = this.inbound.userMessage({ from, chatId: this.people.group.chat_id, text, mentionBot: true, ...(replyTo ? { replyTo } : {}) });
    await this.sendAndProcess(body);
    const form = this.fake.ephemeralsFor(this.people.group.chat_id, from.open_id).filter((m) => !m.deleted).at(-1);
    if (!form) throw new Error('no ephemeral form was sent');
    return { message, form, eventId: eventIdOf(body) };
  }

  /** Presses Submit on a request form with these field values. */
  submit(from: FakeUser, form: StoredMessage, formValue: Obj): { body: Obj; token: string; eventId: string } {
    const { body, token } = this.inbound.cardAction({ from, cardMessageId: form.message_id, value: submitValue(form), formValue, name: 'submit' });
    return { body, token, eventId: eventIdOf(body) };
  }

  /** Mention, submit a valid form, wait for the ticket and its confirmation. */
  async createTicket(from: FakeUser, formValue: Obj): Promise<{ number: number; rootId: string }> {
    const { message, form } = await this.mention(from, String(formValue['description'] ?? 'my problem is here'));
    const { body } = this.submit(from, form, formValue);
    await this.sendAndProcess(body);
    const t = await this.db.ticket.findUniqueOrThrow({ where: { sourceKey: `lark:${this.fake.tenantKey}:${message.message_id}` } });
    await this.settled(t.number);
    return { number: t.number, rootId: message.message_id };
  }
}

export function eventIdOf(body: Obj): string {
  const header = body['header'];
  if (isObj(header) && typeof header['event_id'] === 'string') return header['event_id'];
  if (typeof body['token'] === 'string') return `card:${body['token']}`;
  throw new Error('body has no event id');
}
