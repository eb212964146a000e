/**
 * The inbox's recording under load (many events in one statement), and the inbox as its own queue, on real
 * PostgreSQL, with two queue instances claiming from one table: every event
 * runs once, one chat's events never run at the same time and run in the order recorded, other chats' events run
 * meanwhile, an event that steps aside (rescheduled) lets its chat's later events go, and a crashed claim (a lease
 * that ran out) is taken over.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/infra/db/prisma.ts';
import { startInboxQueue, type InboxQueue } from '../../src/infra/sync/inbox-queue.ts';
import { createInbox, createInboxRepo } from '../../src/infra/sync/inbox.ts';
import { createMigratedDatabase } from '../helpers/test-db.ts';
import { waitFor } from '../helpers/wait.ts';

let db: Db;
let close: () => Promise<void>;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  ({ db, close } = await createMigratedDatabase());
});
afterAll(async () => {
  await close?.();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording under load (many events per statement)', () => {
  it('answers each event with its own row, recognises a retry in the same batch, and keeps arrival order', async () => {
    const inbox = createInbox(db);
    // 300 events at once, 20 of them sent twice at once (a platform's quick retry).
    const sends = Array.from({ length: 300 }, (_, i) => ({ platform: 'test', externalId: `burst-${i}`, orderingKey: `chat-${i % 7}`, payload: { i } }));
    const all = [...sends, ...sends.slice(0, 20)];
    const answers = await Promise.all(all.map((e) => inbox.record(e)));
    const byEvent = new Map<string, { id: string; duplicate: boolean }[]>();
    all.forEach((e, i) => byEvent.set(e.externalId, [...(byEvent.get(e.externalId) ?? []), answers[i]!]));
    for (const [, got] of byEvent) {
      expect(got.filter((a) => !a.duplicate)).toHaveLength(1);
      expect(new Set(got.map((a) => a.id)).size).toBe(1);
    }
    const rows = await db.inboundEvent.findMany({ where: { externalId: { startsWith: 'burst-' } }, orderBy: { id: 'asc' }, select: { externalId: true, payload: true } });
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.externalId))).toEqual(new Set(sends.map((e) => e.externalId)));
    // One chat's events recorded one after the other (each once the one before was acknowledged) keep that order,
    // even while other records are being batched.
    const load = Promise.all(Array.from({ length: 100 }, (_, i) => inbox.record({ platform: 'test', externalId: `noise-${i}`, payload: {} })));
    const seq: string[] = [];
    for (let i = 0; i < 10; i++) seq.push((await inbox.record({ platform: 'test', externalId: `seq-${i}`, orderingKey: 'seq', payload: {} })).id);
    await load;
    expect([...seq].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(seq);
    expect(rows.find((r) => r.externalId === 'burst-42')!.payload).toEqual({ i: 42 });
    // Later the same events again: all recognised.
    const again = await Promise.all(sends.slice(0, 50).map((e) => inbox.record(e)));
    expect(again.every((a) => a.duplicate)).toBe(true);
    await db.$executeRaw`UPDATE inbound_events SET status = 'done'`; // not for the queue tests below
  }, 60_000);
});

describe('the inbox queue', () => {
  it('runs every event once, one chat at a time and in order, across two instances', async () => {
    const inbox = createInbox(db);
    const repo = createInboxRepo(db);
    const ids = new Map<string, string>(); // id -> "chat:n"
    const runs: { id: string; instance: number; start: number; end: number }[] = [];
    const running = new Set<string>();
    let overlap = 0;
    const process = (instance: number) => async (id: string) => {
      const row = (await repo.loadInbound(id))!;
      if (row.status !== 'pending') return;
      const key = row.orderingKey ?? `none:${id}`;
      if (running.has(key)) overlap++;
      running.add(key);
      const start = performance.now();
      await sleep(5 + Math.floor(Math.random() * 15));
      running.delete(key);
      runs.push({ id, instance, start, end: performance.now() });
      await repo.completeInbound(id);
    };
    const queues: InboxQueue[] = [1, 2].map((i) => startInboxQueue({ db, process: process(i), concurrency: 4, pollIntervalMs: 50, logger }));
    try {
      for (let n = 0; n < 10; n++) {
        for (const chat of ['A', 'B', 'C']) {
          const r = await inbox.record({ platform: 'test', externalId: `${chat}-${n}`, orderingKey: chat, payload: { n } });
          ids.set(r.id, `${chat}:${n}`);
        }
        const r = await inbox.record({ platform: 'test', externalId: `free-${n}`, payload: { n } });
        ids.set(r.id, `free:${n}`);
      }
      queues.forEach((q) => q.nudge());
      await waitFor(() => runs.length === 40, 60_000, 'all 40 events processed');
      await sleep(200);
      expect(runs).toHaveLength(40);
      expect(new Set(runs.map((r) => r.id)).size).toBe(40); // each once
      expect(overlap).toBe(0);
      for (const chat of ['A', 'B', 'C']) {
        const order = runs.filter((r) => ids.get(r.id)!.startsWith(`${chat}:`)).sort((a, b) => a.start - b.start);
        expect(order.map((r) => ids.get(r.id))).toEqual(Array.from({ length: 10 }, (_, n) => `${chat}:${n}`));
        // each started after the one before it had finished
        for (let i = 1; i < order.length; i++) expect(order[i]!.start).toBeGreaterThanOrEqual(order[i - 1]!.end);
      }
      const statuses = await db.inboundEvent.groupBy({ by: ['status'], where: { id: { in: [...ids.keys()].map(BigInt) } }, _count: true });
      expect(statuses).toEqual([{ status: 'done', _count: 40 }]);
    } finally {
      await Promise.all(queues.map((q) => q.stop()));
    }
  }, 90_000);

  it('lets a chat go on past an event rescheduled for later, and takes over a claim whose lease ran out', async () => {
    const inbox = createInbox(db);
    const repo = createInboxRepo(db);
    const first = await inbox.record({ platform: 'test', externalId: 'L-1', orderingKey: 'L', payload: {} });
    const second = await inbox.record({ platform: 'test', externalId: 'L-2', orderingKey: 'L', payload: {} });
    const stuck = await inbox.record({ platform: 'test', externalId: 'M-1', orderingKey: 'M', payload: {} });
    const after = await inbox.record({ platform: 'test', externalId: 'M-2', orderingKey: 'M', payload: {} });
    // L-1 steps aside for an hour; M-1 was claimed by an instance that died (its lease ran out a moment ago).
    await repo.processLater({ id: first.id, platform: 'test', orderingKey: 'L' }, new Date(Date.now() + 3600_000));
    await db.$executeRaw`UPDATE inbound_events SET claimed_until = now() - interval '1 second' WHERE id = ${BigInt(stuck.id)}`;
    const done: string[] = [];
    const q = startInboxQueue({
      db,
      process: async (id) => {
        done.push(id);
        await repo.completeInbound(id);
      },
      concurrency: 2,
      pollIntervalMs: 50,
      logger,
    });
    try {
      await waitFor(() => done.length === 3, 20_000, 'three events processed');
      await sleep(300);
      expect(done).toContain(second.id);
      // M's order holds: the taken-over M-1 before M-2.
      expect(done.filter((id) => id === stuck.id || id === after.id)).toEqual([stuck.id, after.id]);
      expect(done).not.toContain(first.id); // still waiting for its hour
      expect((await db.inboundEvent.findUniqueOrThrow({ where: { id: BigInt(first.id) } })).status).toBe('pending');
    } finally {
      await q.stop();
    }
  }, 60_000);
});

describe("the claim's rows (no statement of their own for the processing's first read)", () => {
  it('hands the processing the row as claimed, once; a second read (a retry in place) goes to the table', async () => {
    const inbox = createInbox(db);
    const repo = createInboxRepo(db);
    const { id } = await inbox.record({ platform: 'test', externalId: 'prefetch-1', orderingKey: 'pf', payload: { hello: 'world' } });
    const loads: unknown[] = [];
    const q = startInboxQueue({
      db,
      process: async (claimedId) => {
        if (claimedId !== id) return;
        loads.push(await repo.loadInbound(claimedId));
        // Changed behind the processing's back: only a read of the table can know.
        await db.inboundEvent.update({ where: { id: BigInt(id) }, data: { attempts: 7 } });
        loads.push(await repo.loadInbound(claimedId));
        await repo.completeInbound(claimedId);
      },
      concurrency: 2,
      pollIntervalMs: 50,
      logger,
      claimed: (rows) => repo.prefetched(rows),
    });
    try {
      await waitFor(async () => loads.length === 2);
    } finally {
      await q.stop();
    }
    expect(loads[0]).toMatchObject({ id, platform: 'test', externalId: 'prefetch-1', orderingKey: 'pf', payload: { hello: 'world' }, status: 'pending', attempts: 0 });
    expect(loads[1]).toMatchObject({ id, attempts: 7 });
    expect((await db.inboundEvent.findUnique({ where: { id: BigInt(id) } }))!.status).toBe('done');
  });

  it('completes many events finishing at once, each answered after its own row is done', async () => {
    const inbox = createInbox(db);
    const repo = createInboxRepo(db);
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => inbox.record({ platform: 'test', externalId: `complete-${i}`, payload: {} }).then((r) => r.id)));
    await Promise.all(
      ids.map(async (id) => {
        await repo.completeInbound(id);
        expect((await db.inboundEvent.findUnique({ where: { id: BigInt(id) }, select: { status: true } }))!.status).toBe('done');
      }),
    );
  });
});
