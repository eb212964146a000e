/**
 * The real service (core, PostgreSQL, inbox worker, sync engine) with Slack switched on from its env variables and
 * pointed at the strict Slack fake; requests reach POST /slack/events over real HTTP, signed as Slack signs them.
 * One per test file (beforeAll); each test takes its own channel so threads and pacing never mix.
 */
import { expect } from 'vitest';
import { createPrisma, type Db } from '../../../src/infra/db/prisma.ts';
import { SlackFake } from '../../fakes/slack/slack-fake.ts';
import type { FakeEphemeral, FakeMessage, FakeView } from '../../fakes/slack/slack-fake-state.ts';
import { SlackInbound } from '../../fakes/slack/slack-inbound.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../service.ts';
import { waitFor } from '../wait.ts';
import { blockAction, reactionAdded, submission, ticketFormValues } from './slack-payloads.ts';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const PUBLIC_URL = 'http://help.test';
export const TEAM = 'T0001';
/** Alice writes in English, Kenji in Japanese, Olga in Russian. */
export const ALICE = 'U_AUTHOR';
export const KENJI = 'U_REACTOR';
export const OLGA = 'U_OLGA';

export interface ApiAnswer {
  status: number;
  body: any;
}

export interface SlackService {
  fake: SlackFake;
  db: Db;
  inbound: SlackInbound;
  service: Awaited<ReturnType<typeof startTestService>>;
  /** An agent's API token. */
  agent: string;
  api(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, token?: string): Promise<ApiAnswer>;
  /** A fresh channel with the bot and the three people in it. */
  channel(extraMembers?: string[]): string;
  /** Waits until the inbound event with this external id reached `status` (default done); returns its row. */
  inboundDone(externalId: string, status?: 'done' | 'dead'): Promise<{ attempts: number; lastError: string | null }>;
  /** Waits until the bot has posted `count` replies into the thread, then returns them. */
  botReplies(channel: string, threadTs: string, count: number): Promise<FakeMessage[]>;
  /** Reacts with the ticket emoji; waits for the worker to show the person one ephemeral, and returns it. */
  react(channel: string, ts: string, user: string): Promise<{ prompt: FakeEphemeral; eventId: string }>;
  /** Clicks "Submit request" in the reaction's ephemeral; returns the modal Slack opened. */
  openForm(channel: string, user: string, prompt: FakeEphemeral): Promise<FakeView>;
  /** Waits for the ticket a source message started; returns it with what the tests look at. */
  ticketOf(channel: string, ts: string): Promise<TicketRow>;
  /**
   * The whole reaction flow for a message Alice writes in `channel`: react, open, submit, wait for the ticket and
   * its confirmation in the thread. Returns the ticket and the thread's root ts.
   */
  ticketByReaction(channel: string, text?: string, user?: string): Promise<{ ticket: TicketRow; root: string }>;
  close(): Promise<void>;
}

type Block = Record<string, any>;

function buttonValue(blocks: unknown[], actionId: string): string {
  for (const b of blocks as Block[]) for (const e of (b['elements'] ?? []) as Block[]) if (e['action_id'] === actionId) return String(e['value']);
  throw new Error(`no button ${actionId}`);
}

async function loadTicket(db: Db, sourceKey: string) {
  return db.ticket.findUniqueOrThrow({
    where: { sourceKey },
    include: { requester: true, submitter: true, service: true, comments: { orderBy: { createdAt: 'asc' } }, threadLinks: true },
  });
}
export type TicketRow = Awaited<ReturnType<typeof loadTicket>>;

let channelSeq = 0;

export async function startSlackService(): Promise<SlackService> {
  const fake = new SlackFake();
  await fake.start();
  fake.addUser({ id: ALICE, name: 'alice', realName: 'Alice Archer', email: 'alice@example.com', locale: 'en-US' });
  fake.addUser({ id: KENJI, name: 'kenji', realName: 'Kenji Sato', email: 'kenji@example.jp', locale: 'ja-JP' });
  fake.addUser({ id: OLGA, name: 'olga', realName: 'Olga Ivanova', email: 'olga@example.ru', locale: 'ru-RU' });
  const service = await startTestService(
    { SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PUBLIC_URL },
    { listen: true },
  );
  const db = createPrisma(service.databaseUrl);
  const inbound = new SlackInbound(`${service.url}/slack/events`, SIGNING_SECRET);

  async function api(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, token = ADMIN_TOKEN): Promise<ApiAnswer> {
    const r = await service.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...auth(token), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
  }

  const created = await api('POST', '/agents', { email: 'dana@support.example', name: 'Dana (Support)' });
  if (created.status !== 201) throw new Error(`could not create the agent: ${created.status}`);
  const agent = String(created.body.token);

  const self: SlackService = {
    fake,
    db,
    inbound,
    service,
    agent,
    api: (method, url, body, token = agent) => api(method, url, body, token),
    channel(extraMembers = []) {
      channelSeq += 1;
      const id = `C0T${String(channelSeq).padStart(4, '0')}`;
      fake.addChannel({ id, name: `support-${channelSeq}`, members: [ALICE, KENJI, OLGA, ...extraMembers] });
      return id;
    },
    async inboundDone(externalId, status = 'done') {
      let row: { status: string; attempts: number; lastError: string | null } | null = null;
      await waitFor(
        async () => {
          row = await db.inboundEvent.findUnique({
            where: { platform_externalId: { platform: 'slack', externalId } },
            select: { status: true, attempts: true, lastError: true },
          });
          return row?.status === status;
        },
        20_000,
        `inbound event ${externalId} to be ${status}`,
      );
      return row!;
    },
    async botReplies(channel, threadTs, count) {
      await waitFor(() => fake.botReplies(channel, threadTs).length >= count, 20_000, `${count} bot replies in ${channel}/${threadTs}`);
      return fake.botReplies(channel, threadTs);
    },
    async react(channel, ts, user) {
      const before = fake.ephemerals.length;
      const ev = reactionAdded({ channel, ts, user });
      const res = await inbound.event(ev);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      await self.inboundDone(ev.event_id);
      const shown = fake.ephemerals.slice(before);
      expect(shown).toHaveLength(1);
      return { prompt: shown[0]!, eventId: String(ev.event_id) };
    },
    async openForm(channel, user, prompt) {
      const before = fake.views.length;
      const click = await inbound.interaction(
        blockAction({
          user,
          channel,
          actionId: 'slack_ticket_open',
          value: buttonValue(prompt.blocks, 'slack_ticket_open'),
          triggerId: fake.issueTrigger(),
          messageTs: prompt.message_ts,
          ephemeral: true,
        }),
      );
      expect(click.status).toBe(200);
      expect(fake.views).toHaveLength(before + 1);
      return fake.views.at(-1)!;
    },
    async ticketOf(channel, ts) {
      const key = `slack:${TEAM}:${channel}:${ts}`;
      await waitFor(async () => (await db.ticket.count({ where: { sourceKey: key } })) === 1, 20_000, `the ticket of ${key}`);
      return loadTicket(db, key);
    },
    async ticketByReaction(channel, text = 'The printer on floor 3 is on fire', user = ALICE) {
      const root = fake.addMessage(channel, { user, text }).ts;
      const view = await self.openForm(channel, user, (await self.react(channel, root, user)).prompt);
      const res = await inbound.interaction(submission(view, user, ticketFormValues({ subject: text.slice(0, 40), description: text })));
      expect(res.status).toBe(200);
      const ticket = await self.ticketOf(channel, root);
      await self.botReplies(channel, root, 1);
      return { ticket, root };
    },
    async close() {
      await db.$disconnect();
      await service.stop();
      await service.dropDb();
      await fake.stop();
    },
  };
  return self;
}
