/**
 * The sync engine across processes: two instances against one database, a worker killed mid-delivery, and the
 * database restarted during a run. Instances are real child processes running the service with the test channel.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { startEmbeddedPostgres } from '../../src/infra/db/embedded-postgres.ts';
import { createPrisma } from '../../src/infra/db/prisma.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { exited, ROOT, spawnReady } from '../helpers/processes.ts';
import { createTestDatabase } from '../helpers/test-db.ts';
import { createTestChannel } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';
import { threadTicket } from '../helpers/service.ts';

const INSTANCE = path.join(ROOT, 'test/helpers/test-channel/run-instance.ts');
const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && !c.signalCode) {
      c.kill('SIGKILL');
      await exited(c);
    }
  }
  for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
});

/** An in-process service without a worker: it commits changes, the child instances deliver them. */
async function committer(databaseUrl: string, platformUrl: string): Promise<RunningService> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://help.test', ADMIN_TOKEN: 'test-admin-token-0123456789' });
  const svc = await startService(config, {
    logger: pino({ level: 'silent' }),
    listen: false,
    worker: false,
    channels: (deps) => [createTestChannel({ apiUrl: platformUrl }, deps)],
  });
  cleanups.push(() => svc.stop());
  return svc;
}

async function newThreadTicket(svc: RunningService, n: number) {
  const chatId = `C${n}`;
  const { ticket } = await threadTicket(svc, {
    via: 'test',
    requester: { email: `p${n}@example.com` },
    subject: `Ticket ${n}`,
    description: 'Something is broken',
    thread: { platform: 'test', workspaceId: 'w', chatId, threadRef: `r${n}`, locale: 'en' },
  });
  return { number: ticket.number, chatId, threadRef: `r${n}` };
}

async function agentToken(svc: RunningService): Promise<string> {
  const r = await svc.app.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
    payload: JSON.stringify({ email: `a${Date.now()}@support.example`, name: 'Agent' }),
  });
  return JSON.parse(r.body).token as string;
}

async function reply(svc: RunningService, token: string, number: number, body: string) {
  const r = await svc.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${number}/comments`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ body, public: true }),
  });
  expect(r.statusCode).toBe(201);
}

describe('two instances against one database', () => {
  it('start together (migrations under a lock) and deliver every message exactly once, in order per thread', async () => {
    const platform = new TestPlatform();
    await platform.start();
    cleanups.push(() => platform.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const env = { DATABASE_URL: db.url, TEST_PLATFORM_URL: platform.url };
    const [a, b] = await Promise.all([spawnReady(INSTANCE, env), spawnReady(INSTANCE, env)]);
    children.push(a.child, b.child);
    const svc = await committer(db.url, platform.url);
    const token = await agentToken(svc);
    const tickets = await Promise.all(Array.from({ length: 12 }, (_, i) => newThreadTicket(svc, i)));
    await Promise.all(tickets.map(async (t) => {
      for (let i = 0; i < 5; i++) await reply(svc, token, t.number, `r${i}`);
    }));
    // per thread: confirmation, 5 replies, and the new -> open status change
    await waitFor(() => platform.messages.length >= tickets.length * 7, 60_000, 'all deliveries');
    await new Promise((r) => setTimeout(r, 500));
    expect(platform.messages).toHaveLength(tickets.length * 7);
    expect(new Set(platform.messages.map((m) => m.key)).size).toBe(platform.messages.length);
    for (const t of tickets) {
      const replies = platform.thread(t.chatId, t.threadRef).map((m) => m.text).filter((x) => x.startsWith('agent_reply'));
      expect(replies).toEqual([0, 1, 2, 3, 4].map((i) => `agent_reply|#${t.number}|r${i}`));
    }
    const prisma = createPrisma(db.url);
    const applied = await prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`;
    await prisma.$disconnect();
    // each migration applied exactly once although three processes started on the database together
    const folders = readdirSync(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(applied.map((r) => r.migration_name)).toEqual(folders);
  }, 400_000);
});

describe('a worker killed mid-delivery', () => {
  it('loses nothing and doubles nothing after a restart', async () => {
    const platform = new TestPlatform();
    await platform.start();
    cleanups.push(() => platform.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const env = { DATABASE_URL: db.url, TEST_PLATFORM_URL: platform.url };
    const a = await spawnReady(INSTANCE, env);
    children.push(a.child);
    const svc = await committer(db.url, platform.url);
    // The platform takes the message, then answers slowly: the worker dies before it can record the answer.
    platform.delayMs = 5_000;
    const t = await newThreadTicket(svc, 1);
    await waitFor(() => platform.messages.length === 1, 20_000, 'the platform to receive the message');
    a.child.kill('SIGKILL');
    await exited(a.child);
    platform.delayMs = 0;
    const prisma = createPrisma(db.url);
    cleanups.push(() => prisma.$disconnect());
    expect((await prisma.delivery.findFirstOrThrow()).status).toBe('sending');
    const token = await agentToken(svc);
    await reply(svc, token, t.number, 'after the crash');
    const b = await spawnReady(INSTANCE, env);
    children.push(b.child);
    // b claims the dead instance's thread once its lease has run out, finds the message already posted, and goes on
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 3, 60_000, 'delivery after restart');
    await new Promise((r) => setTimeout(r, 500));
    expect(platform.thread(t.chatId, t.threadRef).map((m) => m.text)).toEqual([
      `ticket_confirmation|#${t.number}|new`,
      `agent_reply|#${t.number}|after the crash`,
      `status_changed|#${t.number}|new->open`,
    ]);
    const statuses = (await prisma.delivery.findMany({ orderBy: { id: 'asc' } })).map((d) => d.status);
    expect(statuses).toEqual(['sent', 'sent', 'sent']);
  }, 400_000);
});

describe('the database restarted during a run', () => {
  it('recovers without a manual step', async () => {
    const platform = new TestPlatform();
    await platform.start();
    cleanups.push(() => platform.stop());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tb-restart-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let pg = await startEmbeddedPostgres(dir);
    const port = pg.port;
    cleanups.push(() => pg.stop());
    const config = loadConfig({ DATABASE_URL: pg.url, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://help.test', ADMIN_TOKEN: 'test-admin-token-0123456789' });
    const svc = await startService(config, {
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      listen: false,
      pollIntervalMs: 200,
      channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)],
    });
    cleanups.push(() => svc.stop());
    const t = await newThreadTicket(svc, 1);
    await waitFor(() => platform.messages.length === 1, 20_000);

    await pg.stop();
    expect((await svc.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    pg = await startEmbeddedPostgres(dir, { port });
    await waitFor(async () => (await svc.app.inject({ url: '/readyz' })).statusCode === 200, 30_000, 'readiness after restart');
    const token = await agentToken(svc);
    await reply(svc, token, t.number, 'after the database restart');
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 3, 60_000, 'delivery after the restart');
    expect(platform.thread(t.chatId, t.threadRef)[1]!.text).toBe(`agent_reply|#${t.number}|after the database restart`);
  }, 400_000);
});
