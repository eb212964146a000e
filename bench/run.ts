/**
 * `npm run bench`: the sync engine driven through the real service with the test channel on loopback.
 *
 * 1. ceiling     the same comment transactions through the API with no chat thread linked: PostgreSQL's rate
 *                for this work with no delivery at all.
 * 2. throughput  N tickets x M public comments committed as fast as they go; deliveries/s until the last one lands.
 * 3. latency     comments committed at a fixed rate (BENCH_RATE, default 200/s); commit-to-channel-call latency.
 * Queue depth (pending deliveries) is sampled every 100 ms and peak RSS is tracked throughout.
 *
 * Env: DATABASE_URL (else an embedded PostgreSQL in a temporary folder), BENCH_TICKETS (50), BENCH_COMMENTS (20),
 * BENCH_RATE (200), BENCH_CONCURRENCY (16). Prints a table and writes bench/results/bench-<time>.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { startEmbeddedPostgres } from '../src/infra/db/embedded-postgres.ts';
import { startService, type RunningService } from '../src/service.ts';
import { createTestChannel } from '../test/helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../test/helpers/test-channel/test-platform.ts';
import { threadTicket } from '../test/helpers/service.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 50);
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ADMIN = 'bench-admin-token-0123456789';

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function createDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const name = `bench_${Date.now()}`;
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let dir = '';
  if (!adminUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-'));
    const e = await startEmbeddedPostgres(dir, { database: 'postgres' });
    adminUrl = e.url;
    stopEmbedded = e.stop;
  }
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async cleanup() {
      const c2 = new pg.Client({ connectionString: adminUrl });
      await c2.connect();
      await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c2.end();
      if (stopEmbedded) await stopEmbedded();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function inject(svc: RunningService, token: string, method: 'POST' | 'PATCH', url: string, body: unknown) {
  const r = await svc.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return JSON.parse(r.body);
}

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

async function main(): Promise<void> {
  const platform = new TestPlatform();
  await platform.start();
  const database = await createDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://bench.test', WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '8' });
  const svc = await startService(config, {
    logger: pino({ level: 'silent' }),
    listen: false,
    pollIntervalMs: 500,
    channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)],
  });
  const probe = new pg.Pool({ connectionString: database.url, max: 2 });
  const token = (await inject(svc, ADMIN, 'POST', '/agents', { email: 'bench@support.example', name: 'Bench' })).token as string;

  // --- 1. ceiling: the same transactions, no thread linked, so no delivery work at all
  const plain: number[] = [];
  for (let i = 0; i < TICKETS; i++) plain.push((await inject(svc, token, 'POST', '/tickets', { subject: `c${i}`, description: 'ceiling', requesterEmail: `c${i}@bench.example` })).ticket.number);
  const ceilingJobs = plain.flatMap((n) => Array.from({ length: COMMENTS }, (_, j) => ({ n, j })));
  let t0 = performance.now();
  await pool(ceilingJobs, CONCURRENCY, async ({ n, j }) => void (await inject(svc, token, 'POST', `/tickets/${n}/comments`, { body: `c ${j}`, public: true })));
  const ceilingRate = ceilingJobs.length / ((performance.now() - t0) / 1000);

  // tickets with a chat thread for the delivery phases
  const threaded = async (tag: string) => {
    const out: { number: number; chatId: string }[] = [];
    for (let i = 0; i < TICKETS; i++) {
      const chatId = `${tag}${i}`;
      const { ticket } = await threadTicket(svc, { via: 'test', requester: { email: `${tag}${i}@bench.example` }, subject: `${tag}${i}`, description: 'benchmark ticket', thread: { platform: 'test', workspaceId: 'w', chatId, threadRef: 'root', locale: 'en' } });
      out.push({ number: ticket.number, chatId });
    }
    return out;
  };
  const waitDrained = async (expected: number, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (platform.messages.length < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  };
  const depth: { tMs: number; pending: number }[] = [];
  let sampling = true;
  const startSampling = (phase: string, base: number) => {
    void (async () => {
      while (sampling) {
        const r = await probe.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status IN ('pending','sending')`);
        depth.push({ tMs: Math.round(performance.now() - base), pending: Number(r.rows[0]!.n), ...({ phase } as object) } as never);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  };

  // --- 2. throughput
  const tpTickets = await threaded('tp');
  await waitDrained(platform.messages.length + 0, 0);
  await waitDrained(TICKETS, 30_000); // confirmations
  const before = platform.messages.length;
  const tpJobs = tpTickets.flatMap((t) => Array.from({ length: COMMENTS }, (_, j) => ({ t, j })));
  // one writer per ticket keeps each thread's commit order meaningful; CONCURRENCY writers in all
  t0 = performance.now();
  sampling = true;
  startSampling('throughput', t0);
  const perTicket = new Map<number, { t: (typeof tpTickets)[number]; j: number }[]>();
  for (const job of tpJobs) perTicket.set(job.t.number, [...(perTicket.get(job.t.number) ?? []), job]);
  await pool([...perTicket.values()], CONCURRENCY, async (jobs) => {
    for (const { t, j } of jobs) await inject(svc, token, 'POST', `/tickets/${t.number}/comments`, { body: `tp ${j}`, public: true });
  });
  const commitSeconds = (performance.now() - t0) / 1000;
  // each ticket's first reply also moves it new -> open (one status message more per ticket)
  const tpExpected = before + tpJobs.length + TICKETS;
  await waitDrained(tpExpected, 120_000);
  const tpSeconds = (performance.now() - t0) / 1000;
  sampling = false;
  const tpDelivered = platform.messages.length - before;
  const throughput = tpDelivered / tpSeconds;

  // --- 3. latency at a fixed commit rate
  const latTickets = await threaded('lat');
  await waitDrained(tpExpected + TICKETS, 30_000);
  const latBefore = platform.messages.length;
  const total = TICKETS * COMMENTS;
  const committedAt = new Map<string, number>();
  const interval = 1000 / RATE;
  t0 = performance.now();
  sampling = true;
  startSampling('latency', t0);
  const pendingCommits: Promise<void>[] = [];
  const chains = new Map<number, Promise<void>>();
  let lateStarts = 0;
  for (let k = 0; k < total; k++) {
    const due = t0 + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -50) lateStarts++;
    const t = latTickets[k % TICKETS]!;
    const body = `lat ${k}`;
    // commits of one ticket stay in order; tickets run in parallel
    const prev = chains.get(t.number) ?? Promise.resolve();
    const p = prev.then(async () => {
      await inject(svc, token, 'POST', `/tickets/${t.number}/comments`, { body, public: true });
      committedAt.set(body, Date.now());
    });
    chains.set(t.number, p);
    pendingCommits.push(p);
  }
  await Promise.all(pendingCommits);
  const achievedRate = total / ((performance.now() - t0) / 1000);
  await waitDrained(latBefore + total + TICKETS, 120_000);
  sampling = false;
  const latencies = platform.messages
    .slice(latBefore)
    .filter((m) => m.text.startsWith('agent_reply'))
    .map((m) => m.receivedAt - (committedAt.get(m.text.split('|')[2]!) ?? m.receivedAt))
    .sort((a, b) => a - b);
  const doubled = platform.messages.length - new Set(platform.messages.map((m) => m.key)).size;

  const result = {
    when: new Date().toISOString(),
    params: { tickets: TICKETS, commentsPerTicket: COMMENTS, rate: RATE, concurrency: CONCURRENCY, workerConcurrency: config.WORKER_CONCURRENCY, node: process.version, cpus: os.cpus().length },
    ceiling: { commitsPerSecond: round(ceilingRate) },
    throughput: { deliveries: tpDelivered, deliveriesPerSecond: round(throughput), commitsPerSecond: round(tpJobs.length / commitSeconds), ratioToCeiling: round(throughput / ceilingRate) },
    latency: { targetRate: RATE, achievedCommitRate: round(achievedRate), lateStarts, samples: latencies.length, p50Ms: pct(latencies, 50), p95Ms: pct(latencies, 95), p99Ms: pct(latencies, 99), maxMs: latencies[latencies.length - 1] ?? NaN },
    queueDepth: { max: Math.max(0, ...depth.map((d) => d.pending)), samples: depth },
    peakRssMb: round(peakRss / 1024 / 1024),
    doubledMessages: doubled,
    targets: {
      p99Under50msAt200PerSecond: pct(latencies, 99) < 50 && RATE >= 200,
      throughputAtLeastHalfOfCeiling: throughput >= ceilingRate / 2,
    },
  };

  const rows: [string, string, string][] = [
    ['PostgreSQL ceiling (no delivery)', `${result.ceiling.commitsPerSecond} commits/s`, ''],
    ['delivery throughput', `${result.throughput.deliveriesPerSecond} deliveries/s`, `target >= ${round(ceilingRate / 2)} (half the ceiling): ${result.targets.throughputAtLeastHalfOfCeiling ? 'met' : 'NOT met'}`],
    ['commit rate during latency run', `${result.latency.achievedCommitRate}/s`, `target ${RATE}/s`],
    ['delivery latency p50', `${result.latency.p50Ms} ms`, ''],
    ['delivery latency p95', `${result.latency.p95Ms} ms`, ''],
    ['delivery latency p99', `${result.latency.p99Ms} ms`, `target < 50 ms at 200/s: ${result.targets.p99Under50msAt200PerSecond ? 'met' : 'NOT met'}`],
    ['queue depth (max pending)', String(result.queueDepth.max), ''],
    ['peak RSS', `${result.peakRssMb} MiB`, ''],
    ['messages doubled', String(doubled), 'must be 0'],
  ];
  const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  console.log(`\nsync engine benchmark: ${TICKETS} tickets x ${COMMENTS} comments, node ${process.version}, ${os.cpus().length} cpus\n`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w[0]!)}  ${b.padStart(w[1]!)}  ${c}`);
  await mkdir(path.resolve(import.meta.dirname, 'results'), { recursive: true });
  const file = path.resolve(import.meta.dirname, 'results', `bench-${result.when.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(result, null, 2));
  console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);

  clearInterval(rssTimer);
  await probe.end();
  await svc.stop();
  await platform.stop();
  await database.cleanup();
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
