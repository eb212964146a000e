/**
 * The drain queue (thread_drains) on real PostgreSQL: a publish asks for its threads' drains in the committing
 * transaction and wakes the queue only once committed; a claimed thread is drained again when a commit came during
 * its drain; a later run_at (drainLater, a backoff) is honoured and not cut short by a commit; a lease left by a
 * crashed instance is taken over once it has run out, a live one is renewed; a drain that throws backs off; and two
 * queues on one database never drain one thread at once nor miss a commit.
 */
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/infra/db/prisma.ts';
import { createPrismaStore } from '../../src/infra/repos/prisma-store.ts';
import { drainThreadLater, enqueueThreadDrain, startDrainQueue, type DrainQueue } from '../../src/infra/sync/drain-queue.ts';
import { createMigratedDatabase } from '../helpers/test-db.ts';
import { waitFor } from '../helpers/wait.ts';

let db: Db;
let url = '';
let close: () => Promise<void>;
let userId = '';
let seq = 0;
const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ({ url, db, close } = await createMigratedDatabase());
  userId = (await db.user.create({ data: { email: 'drain.requester@example.com', emailDomain: 'example.com', name: 'R' } })).id;
  await db.$executeRaw`CREATE TABLE drain_probe (link uuid PRIMARY KEY, n int NOT NULL)`;
});
afterAll(async () => {
  await close?.();
});

/** A ticket with `n` active thread links. */
async function ticketWithLinks(n: number): Promise<{ ticketId: string; number: number; links: string[] }> {
  const t = await db.ticket.create({ data: { subject: 's', description: 'd', via: 'api', requesterId: userId, submitterId: userId } });
  const links: string[] = [];
  for (let i = 0; i < n; i++) {
    const l = await db.chatThreadLink.create({ data: { ticketId: t.id, platform: 'test', workspaceId: 'w', chatId: `C${++seq}`, threadRef: `r${seq}` } });
    links.push(l.id);
  }
  return { ticketId: t.id, number: t.number, links };
}
const link = async () => (await ticketWithLinks(1)).links[0]!;
const row = (id: string) => db.threadDrain.findUnique({ where: { threadLinkId: id } });

function queue(drain: (id: string) => Promise<void>, opts: { pollIntervalMs?: number; leaseMs?: number; concurrency?: number } = {}): DrainQueue {
  return startDrainQueue({ db, drain, concurrency: opts.concurrency ?? 4, pollIntervalMs: opts.pollIntervalMs ?? 50, logger, ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}) });
}

describe('asking for a drain', () => {
  it('is written by the publishing statement, one row per thread, bumped by each publish, woken and announced only after the commit', async () => {
    const { ticketId, number, links } = await ticketWithLinks(2);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (m) => heard.push(`${m.channel} ${m.payload ?? ''}`));
    await listener.query('LISTEN thread_drains');
    await listener.query('LISTEN tb_live');
    try {
      let woken = 0;
      const announced: { tickets: number[]; drains: boolean }[] = [];
      const store = createPrismaStore(db, { onDeliveries: () => woken++, announce: (a) => announced.push(a) });
      const event = { type: 'ticket.status_changed' as const, payload: { number, from: 'new' as const, to: 'open' as const }, deliver: true };
      await store.tx(async (tx) => {
        await tx.publish(ticketId, event);
        await tx.publish(ticketId, event);
        expect(woken).toBe(0); // not before the commit
        expect(announced).toEqual([]);
      });
      expect(woken).toBe(1);
      expect(announced).toEqual([{ tickets: [], agents: [], drains: true }]);
      const rows = await db.threadDrain.findMany({ where: { threadLinkId: { in: links } }, orderBy: { threadLinkId: 'asc' } });
      expect(rows.map((r) => [r.threadLinkId, r.seq, r.claimedUntil, r.attempts])).toEqual([...links].sort().map((id) => [id, 2n, null, 0]));

      // A backoff in force is kept by a new commit.
      const later = new Date(Date.now() + 3600_000);
      await db.threadDrain.update({ where: { threadLinkId: links[0]! }, data: { runAt: later } });
      await store.tx((tx) => tx.publish(ticketId, event));
      expect(await row(links[0]!)).toMatchObject({ seq: 3n, runAt: later });
      expect(woken).toBe(2);

      // Rolled back, or nothing to deliver: no drain asked for, nobody woken, nothing announced.
      await expect(
        store.tx(async (tx) => {
          await tx.publish(ticketId, event);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await store.tx((tx) => tx.publish(ticketId, { ...event, deliver: false }));
      expect(woken).toBe(2);
      expect(announced).toHaveLength(2);
      expect((await row(links[1]!))!.seq).toBe(3n);
      // The transactions themselves notified nobody (the store's announce does, after the commit).
      await sleep(200);
      expect(heard).toEqual([]);
    } finally {
      await listener.end();
      await db.threadDrain.deleteMany({ where: { threadLinkId: { in: links } } });
    }
  });

  it('for a link that is gone asks for nothing (a drain_thread job of an older version whose ticket was deleted)', async () => {
    await enqueueThreadDrain(db, '00000000-0000-4000-8000-000000000000');
    expect(await db.threadDrain.count({ where: { threadLinkId: '00000000-0000-4000-8000-000000000000' } })).toBe(0);
  });
});

describe('the drain queue', () => {
  it('drains each thread asked for, and again when a commit came during its drain', async () => {
    const [a, b] = [await link(), await link()];
    const runs: string[] = [];
    const q = queue(async (id) => {
      runs.push(id);
      // A commit for `a` while its first drain runs: seq moves on, so the row is not deleted but drained again.
      if (id === a && runs.filter((r) => r === a).length === 1) await enqueueThreadDrain(db, a);
      await sleep(20);
    });
    try {
      await enqueueThreadDrain(db, a);
      await enqueueThreadDrain(db, b);
      await waitFor(async () => (await db.threadDrain.count()) === 0 && runs.length >= 3, 10_000, 'both drained');
      await sleep(300);
      expect(runs.filter((r) => r === a)).toHaveLength(2);
      expect(runs.filter((r) => r === b)).toHaveLength(1);
    } finally {
      await q.stop();
    }
  });

  it('honours a later run_at from drainLater, which a commit does not cut short, and wakes for it without a poll', async () => {
    const c = await link();
    const starts: number[] = [];
    let runAt = 0;
    // No poll to speak of: only the start, and the queue's own timer for the row given back due later.
    const q = queue(
      async () => {
        starts.push(Date.now());
        if (starts.length === 1) {
          runAt = Date.now() + 700;
          await drainThreadLater(db, c, new Date(runAt));
        }
      },
      { pollIntervalMs: 60_000 },
    );
    try {
      await enqueueThreadDrain(db, c);
      q.nudge();
      await waitFor(() => starts.length === 1, 5_000, 'the first drain');
      await sleep(100);
      await enqueueThreadDrain(db, c); // a commit meanwhile
      expect((await row(c))!.runAt.getTime()).toBe(runAt);
      await waitFor(() => starts.length === 2, 5_000, 'the drain at run_at');
      expect(starts[1]!).toBeGreaterThanOrEqual(runAt - 5);
      expect(starts[1]! - runAt).toBeLessThan(1_000);
      await waitFor(async () => (await row(c)) === null, 5_000, 'the row gone');
      expect(starts).toHaveLength(2);
    } finally {
      await q.stop();
    }
  });

  it('takes over a thread whose lease ran out (an instance that crashed), not before', async () => {
    const d = await link();
    await enqueueThreadDrain(db, d);
    // What an instance that claimed it and died leaves behind: a lease running out in 600 ms.
    await db.$executeRaw`UPDATE thread_drains SET claimed_until = now() + interval '600 milliseconds' WHERE thread_link_id = ${d}::uuid`;
    const until = (await row(d))!.claimedUntil!.getTime();
    const starts: number[] = [];
    const q = queue(async () => {
      starts.push(Date.now());
    });
    try {
      await waitFor(() => starts.length === 1, 10_000, 'the taken-over drain');
      expect(starts[0]!).toBeGreaterThanOrEqual(until - 5);
      await waitFor(async () => (await row(d)) === null, 5_000, 'the row gone');
    } finally {
      await q.stop();
    }
  });

  it('renews the lease of a drain that outlasts it: another queue does not take the thread meanwhile', async () => {
    const h = await link();
    const runs: number[] = [];
    const drain = (instance: number) => async () => {
      runs.push(instance);
      await sleep(1_200);
    };
    const qs = [queue(drain(1), { leaseMs: 300 }), queue(drain(2), { leaseMs: 300 })];
    try {
      await enqueueThreadDrain(db, h);
      await waitFor(async () => runs.length === 1 && (await row(h)) === null, 10_000, 'the drain done');
      await sleep(400);
      expect(runs).toHaveLength(1);
    } finally {
      await Promise.all(qs.map((q) => q.stop()));
    }
  });

  it('backs off a drain that throws (1 s, then 2 s) and resets the count once one ends', async () => {
    const e = await link();
    const starts: number[] = [];
    let attemptsSeen: number | null = null;
    let afterFirst: { attempts: number; claimedUntil: Date | null; runAt: Date } | null = null;
    const q = queue(async () => {
      starts.push(Date.now());
      if (starts.length === 2) afterFirst = (await row(e))!; // as the first failure left it (then claimed again)
      if (starts.length <= 2) throw new Error('database went away');
      if (starts.length === 3) await enqueueThreadDrain(db, e); // kept after this one: a fourth drain comes
      if (starts.length === 4) attemptsSeen = (await row(e))!.attempts;
    });
    try {
      await enqueueThreadDrain(db, e);
      await waitFor(async () => starts.length === 4 && (await row(e)) === null, 15_000, 'four drains');
      expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(990);
      expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(1_990);
      expect(starts[2]! - starts[1]!).toBeLessThan(3_000);
      expect(afterFirst!.attempts).toBe(1);
      expect(attemptsSeen).toBe(0);
    } finally {
      await q.stop();
    }
  }, 30_000);

  it('stop() waits for the drains in flight, which end as usual, and claims nothing after', async () => {
    const [f, g] = [await link(), await link()];
    const runs: string[] = [];
    let ended = false;
    const q = queue(async (id) => {
      runs.push(id);
      await sleep(300);
      ended = true;
    });
    await enqueueThreadDrain(db, f);
    await waitFor(() => runs.length === 1, 5_000, 'the drain to start');
    await q.stop();
    expect(ended).toBe(true);
    expect(await row(f)).toBeNull();
    await enqueueThreadDrain(db, g);
    await sleep(300);
    expect(runs).toEqual([f]);
    expect((await row(g))!.claimedUntil).toBeNull();
    await db.threadDrain.deleteMany({ where: { threadLinkId: g } });
  });

  it('two queues on one database: never one thread twice at once, and every commit seen by a drain that began after it', async () => {
    const links = await Promise.all(Array.from({ length: 4 }, () => link()));
    const running = new Set<string>();
    let overlap = 0;
    const seen = new Map<string, number>();
    const byInstance = [0, 0];
    const drain = (instance: number) => async (id: string) => {
      if (running.has(id)) overlap++;
      running.add(id);
      byInstance[instance]!++;
      try {
        // What the drain reads at its start: every commit before it must be there.
        const [p] = await db.$queryRaw<{ n: number }[]>`SELECT n FROM drain_probe WHERE link = ${id}::uuid`;
        seen.set(id, Math.max(seen.get(id) ?? 0, p?.n ?? 0));
        await sleep(10 + Math.floor(Math.random() * 15)); // long enough for commits to land during it
      } finally {
        running.delete(id);
      }
    };
    const qs = [queue(drain(0), { concurrency: 2 }), queue(drain(1), { concurrency: 2 })];
    const commits = new Map<string, number>();
    try {
      // 160 commits, each a probe bump and its thread's drain in one transaction, from four writers at once.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let k = 0; k < 40; k++) {
            const id = links[Math.floor(Math.random() * links.length)]!;
            await db.$transaction(async (tx) => {
              await tx.$executeRaw`INSERT INTO drain_probe (link, n) VALUES (${id}::uuid, 1) ON CONFLICT (link) DO UPDATE SET n = drain_probe.n + 1`;
              await enqueueThreadDrain(tx, id);
            });
            commits.set(id, (commits.get(id) ?? 0) + 1);
            await sleep(Math.floor(Math.random() * 4));
          }
        }),
      );
      await waitFor(async () => (await db.threadDrain.count({ where: { threadLinkId: { in: links } } })) === 0, 20_000, 'every thread drained');
      expect(overlap).toBe(0);
      for (const [id, n] of commits) expect(seen.get(id), id).toBe(n);
      expect(byInstance[0]).toBeGreaterThan(0);
      expect(byInstance[1]).toBeGreaterThan(0);
    } finally {
      await Promise.all(qs.map((q) => q.stop()));
    }
  }, 60_000);
});
