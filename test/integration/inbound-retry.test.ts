/**
 * The inbox under the production retry policy: a platform outage of seconds does not park an inbound event (it is
 * processed once the platform is back), an admin can requeue every dead event at once, and a stop does not wait
 * out a retry that is waiting in place.
 */
import { threadTicket as makeThreadTicket } from '../helpers/service.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';
import { createTestChannel, TEST_SECRET } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';

const platform = new TestPlatform();
let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let agent = '';

async function api(method: string, url: string, token = ADMIN_TOKEN, body?: unknown) {
  const r = await svc.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: { ...auth(token), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
}

async function threadTicket(n: number) {
  const { ticket } = await makeThreadTicket(svc, {
    via: 'test',
    requester: { email: `retry${n}@example.com` },
    subject: `Retry ${n}`,
    description: 'Something is broken here',
    thread: { platform: 'test', workspaceId: 'w', chatId: `R${n}`, threadRef: `r${n}`, locale: 'en' },
  });
  return ticket;
}

const bodies = async (n: number): Promise<string[]> => (await api('GET', `/tickets/${n}/comments`, agent)).body.comments.map((c: { body: string }) => c.body);

const reply = (id: string, n: number, text: string) => ({ id, chatId: `R${n}`, threadRef: `r${n}`, user: `U${n}`, email: `retry${n}@example.com`, text });

beforeAll(async () => {
  await platform.start();
  // No inboundRetry option: the policy the service runs with in production.
  svc = await startTestService({}, { channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)] });
  db = createPrisma(svc.databaseUrl);
  agent = (await api('POST', '/agents', ADMIN_TOKEN, { email: 'retry.agent@support.example', name: 'Retry Agent' })).body.token;
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
  await platform.stop();
});

describe('inbound retries under the production policy', () => {
  it('an event that fails through a ten-second platform outage is processed once the platform is back, not parked', async () => {
    const ticket = await threadTicket(1);
    platform.downUntil = Date.now() + 10_000;
    const r = await svc.app.inject({
      method: 'POST',
      url: '/test/events',
      headers: { 'x-test-secret': TEST_SECRET, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...reply('outage-1', 1, 'Still broken after the outage'), lookup: true }),
    });
    expect(r.statusCode).toBe(200);
    // It fails while the platform is down...
    await waitFor(async () => ((await db.inboundEvent.findFirst({ where: { externalId: 'outage-1' } }))?.attempts ?? 0) >= 1, 20_000, 'a first failure');
    // ...and lands on the ticket after it comes back.
    await waitFor(async () => (await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'outage-1' } })).status !== 'pending', 120_000, 'the event to leave pending');
    const row = await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'outage-1' } });
    expect(row.status).toBe('done');
    expect(row.failingSince).not.toBeNull();
    expect(platform.profileCalls).toBeGreaterThanOrEqual(2);
    expect(await bodies(ticket.number)).toContain('Still broken after the outage');
  }, 180_000);
});

describe('POST /api/v1/admin/inbound-events/retry', () => {
  it('requeues every dead event, or those of one platform, and answers how many', async () => {
    const t2 = await threadTicket(2);
    const t3 = await threadTicket(3);
    const failingSince = new Date(Date.now() - 25 * 3600_000);
    const dead = (platformName: string, externalId: string, payload: unknown) =>
      db.inboundEvent.create({ data: { platform: platformName, externalId, payload: payload as object, status: 'dead', attempts: 60, failingSince, lastError: 'platform down' } });
    await dead('test', 'dead-2', reply('dead-2', 2, 'Parked during a long outage'));
    await dead('test', 'dead-3', reply('dead-3', 3, 'Parked as well'));
    await dead('slack', 'dead-slack', { anything: true });

    // Only an admin; a bad platform name is refused; neither changes anything.
    expect((await api('POST', '/admin/inbound-events/retry', agent)).status).toBe(403);
    expect((await api('POST', '/admin/inbound-events/retry?platform=no%20such')).status).toBe(400);
    expect(await db.inboundEvent.count({ where: { status: 'dead' } })).toBe(3);

    expect(await api('POST', '/admin/inbound-events/retry?platform=test')).toEqual({ status: 200, body: { retried: 2 } });
    await waitFor(async () => (await db.inboundEvent.count({ where: { externalId: { in: ['dead-2', 'dead-3'] }, status: 'done' } })) === 2, 30_000, 'the requeued events');
    expect(await bodies(t2.number)).toContain('Parked during a long outage');
    expect(await bodies(t3.number)).toContain('Parked as well');
    const slack = await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'dead-slack' } });
    expect(slack.status).toBe('dead');

    expect(await api('POST', '/admin/inbound-events/retry')).toEqual({ status: 200, body: { retried: 1 } });
    const requeued = await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'dead-slack' } });
    expect(requeued.failingSince === null || requeued.failingSince > failingSince).toBe(true); // a fresh retry span
    expect(await api('POST', '/admin/inbound-events/retry?platform=test')).toEqual({ status: 200, body: { retried: 0 } });
  }, 60_000);

  it('is described in the OpenAPI document with its platform filter', async () => {
    const doc = (await svc.app.inject({ url: '/api/v1/openapi.json' })).json();
    const op = doc.paths['/admin/inbound-events/retry'].post;
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['query:platform']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '403']));
  });
});

describe('stopping while an ordered event waits in place', () => {
  it('reschedules the waiting retry instead of holding the stop through it', async () => {
    const own = await startTestService(
      {},
      {
        channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)],
        // The first wait is 10-20 s: short enough to be waited in place (at most 30 s), long enough to be caught.
        inboundRetry: { baseMs: 20_000, capMs: 25_000, parkAfterMs: 24 * 3600_000, minFailures: 5 },
      },
    );
    const ownDb = createPrisma(own.databaseUrl);
    try {
      platform.downUntil = Date.now() + 600_000;
      const r = await own.app.inject({
        method: 'POST',
        url: '/test/events',
        headers: { 'x-test-secret': TEST_SECRET, 'content-type': 'application/json' },
        payload: JSON.stringify({ ...reply('ordered-1', 9, 'Waiting in place'), lookup: true, ordered: true }),
      });
      expect(r.statusCode).toBe(200);
      await waitFor(async () => ((await ownDb.inboundEvent.findFirst({ where: { externalId: 'ordered-1' } }))?.attempts ?? 0) === 1, 20_000, 'the first failure');
      await own.stop();
      // Had the stop waited the retry out, the retry would have failed again (the platform is still down).
      const row = await ownDb.inboundEvent.findFirstOrThrow({ where: { externalId: 'ordered-1' } });
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      // It waits in the inbox queue, unclaimed, rescheduled after its backoff (10-20 s from the failure), for the
      // next instance to run it.
      expect(row.claimedUntil).toBeNull();
      expect(row.runAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      platform.downUntil = 0;
      await ownDb.$disconnect();
      await own.stop();
      await own.dropDb();
    }
  }, 120_000);
});
