/**
 * The sync engine with the in-process test channel and a real PostgreSQL: delivery, ordering, throttling,
 * permanent errors, the inbox with retries and dead letters, and what never leaves the help center.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ADMIN_TOKEN, auth, startTestService, threadTicket } from '../helpers/service.ts';
import { createTestChannel, TEST_SECRET } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';

const platform = new TestPlatform();
let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let agent = '';
let chatSeq = 0;

async function api(method: string, url: string, body?: unknown, token = agent) {
  const r = await svc.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { ...auth(token), 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
}

/** A ticket created from a chat thread, as an adapter would (the desk links the thread). */
async function ticketInThread(): Promise<{ number: number; chatId: string; threadRef: string }> {
  const chatId = `C${++chatSeq}`;
  const threadRef = `t${chatSeq}`;
  const { ticket } = await threadTicket(svc, {
    via: 'test',
    requester: { email: `cust${chatSeq}@example.com` },
    subject: `Problem ${chatSeq}`,
    description: 'It does not work at all',
    thread: { platform: 'test', workspaceId: 'w', chatId, threadRef, locale: 'en' },
  });
  return { number: ticket.number, chatId, threadRef };
}

async function sendInbound(event: Record<string, unknown>, secret = TEST_SECRET) {
  return svc.app.inject({ method: 'POST', url: '/test/events', headers: { 'x-test-secret': secret, 'content-type': 'application/json' }, payload: JSON.stringify(event) });
}

beforeAll(async () => {
  await platform.start();
  svc = await startTestService(
    {},
    {
      channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)],
      // The production policy retries for a day (test/integration/inbound-retry.test.ts); here a poison event is
      // parked at its fifth failure, so the dead-letter path can be seen in seconds.
      inboundRetry: { baseMs: 100, capMs: 1000, parkAfterMs: 0, minFailures: 5 },
    },
  );
  db = createPrisma(svc.databaseUrl);
  agent = (await api('POST', '/agents', { email: 'sync.agent@support.example', name: 'Sync Agent' }, ADMIN_TOKEN)).body.token;
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
  await platform.stop();
});
afterEach(() => {
  platform.delayMs = 0;
});

describe('outbound delivery', () => {
  it("an agent's edit and delete of a public reply change the chat message; an internal note's change goes nowhere", async () => {
    const t = await ticketInThread();
    const reply = (await api('POST', `/tickets/${t.number}/comments`, { body: 'Restart the router', public: true })).body.comment;
    const note = (await api('POST', `/tickets/${t.number}/comments`, { body: 'customer is VIP', public: false })).body.comment;
    await waitFor(() => platform.thread(t.chatId, t.threadRef).some((m) => m.text === `agent_reply|#${t.number}|Restart the router`));
    expect((await api('PATCH', `/tickets/${t.number}/comments/${reply.id}`, { body: 'Restart the router, then the modem' })).status).toBe(200);
    await waitFor(() => platform.thread(t.chatId, t.threadRef).some((m) => m.text === `agent_reply|#${t.number}|Restart the router, then the modem`));
    expect((await api('PATCH', `/tickets/${t.number}/comments/${note.id}`, { body: 'customer is a VIP, be quick' })).status).toBe(200);
    const before = platform.thread(t.chatId, t.threadRef).map((m) => m.text);
    expect((await api('DELETE', `/tickets/${t.number}/comments/${reply.id}`)).status).toBe(204);
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === before.length - 1);
    expect(platform.thread(t.chatId, t.threadRef).map((m) => m.text).join('\n')).not.toMatch(/router|VIP/);
    // The history keeps what was said and by whom.
    const events = (await api('GET', `/tickets/${t.number}/events`)).body.events as { kind: string; from: string | null }[];
    expect(events.filter((e) => e.kind === 'comment_edited').map((e) => e.from)).toEqual(['Restart the router', 'customer is VIP']);
    expect(events.filter((e) => e.kind === 'comment_deleted').map((e) => e.from)).toEqual(['Restart the router, then the modem']);
  });

  it("an agent may not change another agent's comment, nor a customer's", async () => {
    const t = await ticketInThread();
    const reply = (await api('POST', `/tickets/${t.number}/comments`, { body: 'mine', public: true })).body.comment;
    const other = (await api('POST', '/agents', { email: `other${t.number}@support.example`, name: 'Other' }, ADMIN_TOKEN)).body.token;
    expect((await api('PATCH', `/tickets/${t.number}/comments/${reply.id}`, { body: 'not yours' }, other)).status).toBe(403);
    expect((await api('DELETE', `/tickets/${t.number}/comments/${reply.id}`, undefined, other)).status).toBe(403);
    const first = (await api('GET', `/tickets/${t.number}/comments`)).body.comments[0];
    expect(first.author.role).toBe('end_user');
    expect((await api('PATCH', `/tickets/${t.number}/comments/${first.id}`, { body: 'rewritten' })).status).toBe(403);
    expect((await api('DELETE', `/tickets/${t.number}/comments/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('confirms the ticket in its thread, then carries public replies and status changes there', async () => {
    const t = await ticketInThread();
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 1);
    expect(platform.thread(t.chatId, t.threadRef)[0]!.text).toBe(`ticket_confirmation|#${t.number}|new`);
    await api('POST', `/tickets/${t.number}/comments`, { body: 'Please restart the router', public: true });
    await api('PATCH', `/tickets/${t.number}`, { status: 'pending' });
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 4);
    expect(platform.thread(t.chatId, t.threadRef).map((m) => m.text)).toEqual([
      `ticket_confirmation|#${t.number}|new`,
      `agent_reply|#${t.number}|Please restart the router`,
      `status_changed|#${t.number}|new->open`,
      `status_changed|#${t.number}|open->pending`,
    ]);
    // The platform has the message a moment before the drain commits it as sent.
    const allSent = async () => (await api('GET', `/tickets/${t.number}/deliveries`)).body.deliveries.every((d: { status: string }) => d.status === 'sent');
    await waitFor(allSent, 10_000, 'every delivery marked sent');
    expect(await allSent()).toBe(true);
  });

  it('an internal note and anything of a private ticket produce no delivery', async () => {
    const t = await ticketInThread();
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 1);
    await api('POST', `/tickets/${t.number}/comments`, { body: 'SECRET internal note', public: false });
    // a private ticket (made private while it had one public comment), then a comment and a status change on it
    expect((await api('PATCH', `/tickets/${t.number}`, { visibility: 'private' })).status).toBe(200);
    await api('POST', `/tickets/${t.number}/comments`, { body: 'SECRET note on private', public: false });
    await api('PATCH', `/tickets/${t.number}`, { status: 'on_hold' });
    // a marker on another thread proves the worker has run past these changes
    const marker = await ticketInThread();
    await waitFor(() => platform.thread(marker.chatId, marker.threadRef).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.thread(t.chatId, t.threadRef)).toHaveLength(1);
    expect(platform.messages.some((m) => m.text.includes('SECRET'))).toBe(false);
    const count = await db.delivery.count({ where: { threadLink: { ticket: { number: t.number } } } });
    expect(count).toBe(1); // only the confirmation
  });

  it('delivers per thread in commit order under concurrency', async () => {
    const threads = await Promise.all(Array.from({ length: 4 }, () => ticketInThread()));
    await Promise.all(
      threads.map(async (t) => {
        for (let i = 0; i < 8; i++) await api('POST', `/tickets/${t.number}/comments`, { body: `reply ${i}`, public: true });
      }),
    );
    for (const t of threads) {
      await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 10, 20_000);
      const texts = platform.thread(t.chatId, t.threadRef).map((m) => m.text);
      expect(texts.filter((x) => x.startsWith('agent_reply'))).toEqual(Array.from({ length: 8 }, (_, i) => `agent_reply|#${t.number}|reply ${i}`));
      expect(new Set(platform.thread(t.chatId, t.threadRef).map((m) => m.key)).size).toBe(10); // none doubled
    }
  });

  it('obeys 429 Retry-After and retries 5xx, delivering each message once and in order', async () => {
    const t = await ticketInThread();
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 1);
    const callsBefore = platform.calls;
    platform.failNext(1, { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } });
    platform.failNext(3, { status: 503, body: { ok: false } });
    const started = Date.now();
    await api('POST', `/tickets/${t.number}/comments`, { body: 'first', public: true });
    await api('POST', `/tickets/${t.number}/comments`, { body: 'second', public: true });
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 4, 25_000);
    expect(platform.thread(t.chatId, t.threadRef).map((m) => m.text)).toEqual([
      `ticket_confirmation|#${t.number}|new`,
      `agent_reply|#${t.number}|first`,
      `status_changed|#${t.number}|new->open`,
      `agent_reply|#${t.number}|second`,
    ]);
    // the 429 asked for one second: nothing reached the platform again before it passed
    expect(platform.thread(t.chatId, t.threadRef)[1]!.receivedAt - started).toBeGreaterThanOrEqual(1000);
    expect(platform.calls - callsBefore).toBe(4 + 3);
  });

  it('a drain_thread job left by an older version still delivers: it puts its thread into the drain queue', async () => {
    const t = await ticketInThread();
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 1);
    const l = await db.chatThreadLink.findFirstOrThrow({ where: { chatId: t.chatId } });
    // What an older version left behind: a delivery with its graphile-worker job, and no thread_drains row.
    const o = await db.outboxEvent.create({ data: { ticketId: l.ticketId, type: 'ticket.status_changed', payload: { number: t.number, from: 'new', to: 'pending' } } });
    await db.delivery.create({ data: { outboxEventId: o.id, threadLinkId: l.id } });
    expect(await db.threadDrain.count({ where: { threadLinkId: l.id } })).toBe(0);
    await db.$executeRaw`SELECT graphile_worker.add_job('drain_thread', json_build_object('threadLinkId', ${l.id}::text),
      queue_name := 'thread:' || ${l.id}::text, job_key := 'thread:' || ${l.id}::text, max_attempts := 1000)`;
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 2, 10_000, "the old job's delivery");
    expect(platform.thread(t.chatId, t.threadRef)[1]!.text).toBe(`status_changed|#${t.number}|new->pending`);
    const jobs = async () => Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier = 'drain_thread'`)[0]!.n);
    await waitFor(async () => (await jobs()) === 0 && (await db.threadDrain.count({ where: { threadLinkId: l.id } })) === 0, 10_000, 'the job and the drain done');
  });

  it('stops on a permanent error and records it on the thread link', async () => {
    const t = await ticketInThread();
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 1);
    platform.failNext(1, { status: 200, body: { ok: false, error: 'channel_not_found' } });
    await api('POST', `/tickets/${t.number}/comments`, { body: 'lost channel', public: true });
    await waitFor(async () => (await db.chatThreadLink.findFirst({ where: { chatId: t.chatId } }))?.status === 'broken');
    const link = await db.chatThreadLink.findFirstOrThrow({ where: { chatId: t.chatId } });
    expect(link.brokenReason).toBe('channel_not_found');
    const statuses = (await db.delivery.findMany({ where: { threadLinkId: link.id }, orderBy: { id: 'asc' } })).map((d) => d.status);
    expect(statuses).toEqual(['sent', 'failed', 'failed']);
    // later changes create no delivery for a broken link
    await api('POST', `/tickets/${t.number}/comments`, { body: 'after', public: true });
    expect(await db.delivery.count({ where: { threadLinkId: link.id } })).toBe(3);
  });
});

describe('inbound inbox', () => {
  it('records an event, turns a thread reply into a public comment, and recognises the retry', async () => {
    const t = await ticketInThread();
    const ev = { id: 'ev-1', chatId: t.chatId, threadRef: t.threadRef, user: 'U1', email: 'cust.reply@example.com', text: 'It is still broken' };
    const r1 = await sendInbound(ev);
    const r2 = await sendInbound(ev);
    expect(JSON.parse(r1.body)).toEqual({ ok: true, duplicate: false });
    expect(JSON.parse(r2.body)).toEqual({ ok: true, duplicate: true });
    await waitFor(async () => (await api('GET', `/tickets/${t.number}/comments`)).body.comments.length === 2);
    const comments = (await api('GET', `/tickets/${t.number}/comments`)).body.comments;
    expect(comments[1]).toMatchObject({ body: 'It is still broken', public: true, via: 'test' });
    expect(await db.inboundEvent.count({ where: { externalId: 'ev-1' } })).toBe(1);
    // the customer's own message is not echoed back into the thread
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.thread(t.chatId, t.threadRef).some((m) => m.text.includes('still broken'))).toBe(false);
  });

  it('rejects a bad secret and a malformed event with 4xx and stores nothing', async () => {
    const before = await db.inboundEvent.count();
    expect((await sendInbound({ id: 'x1', chatId: 'c', threadRef: null, user: 'u', email: 'a@b.example', text: 'hi' }, 'wrong')).statusCode).toBe(401);
    expect((await sendInbound({ id: 'x2' })).statusCode).toBe(400);
    expect(await db.inboundEvent.count()).toBe(before);
  });

  it('parks a poison event as dead after repeated failures, and an admin retry runs it again', async () => {
    const r = await sendInbound({ id: 'poison-1', chatId: 'c', threadRef: null, user: 'u', email: 'a@b.example', text: 'x', poison: true });
    expect(r.statusCode).toBe(200);
    await waitFor(async () => (await db.inboundEvent.findFirst({ where: { externalId: 'poison-1' } }))?.status === 'dead', 25_000);
    const row = await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'poison-1' } });
    expect(row.attempts).toBe(5);
    expect(row.lastError).toContain('poison event');
    const listed = await api('GET', '/admin/inbound-events?status=dead', undefined, ADMIN_TOKEN);
    expect(listed.body.events.map((e: { externalId: string }) => e.externalId)).toContain('poison-1');
    const metrics = await svc.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/inbound_events_dead_total\{platform="test"\} 1/);
    expect((await api('POST', `/admin/inbound-events/${row.id}/retry`, undefined, agent)).status).toBe(403);
    expect((await api('POST', `/admin/inbound-events/${row.id}/retry`, undefined, ADMIN_TOKEN)).status).toBe(200);
    await waitFor(async () => ((await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'poison-1' } })).attempts ?? 0) >= 1);
    expect((await api('POST', `/admin/inbound-events/999999/retry`, undefined, ADMIN_TOKEN)).status).toBe(404);
  });
});
