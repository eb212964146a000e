/**
 * The service as `npm run bench` runs it: its own process (so its RSS is its own), listening on loopback, with
 * the test channel (no pacing) and Slack pointed at the strict Slack fake the bench runs. Prints `READY <url>`.
 * Env: DATABASE_URL, TEST_PLATFORM_URL, SLACK_API_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, ADMIN_TOKEN.
 */
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { startService } from '../src/service.ts';
import { createTestChannel } from '../test/helpers/test-channel/test-channel.ts';

// BENCH_COUNT_STATEMENTS=1: count every statement the process sends (by its first words) and the time from its
// sending to its answer (queueing in the pool not included), printed at exit.
const counts = new Map<string, number>();
const millis = new Map<string, number>();
if (process.env.BENCH_COUNT_STATEMENTS === '1') {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = (typeof q === 'string' ? q : (q?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 90);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    const t0 = performance.now();
    const took = () => millis.set(text, (millis.get(text) ?? 0) + performance.now() - t0);
    const last = args.length - 1;
    const callback = args[last];
    // pg-pool passes a callback; the clients of a transaction take the promise.
    if (typeof callback === 'function')
      args[last] = (...a: unknown[]) => {
        took();
        return (callback as (...x: unknown[]) => unknown)(...a);
      };
    const r = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(took, took);
    return r;
  } as typeof pg.Client.prototype.query;
}
let recordMs: number[] = [];
const timedRecord =
  <A, R>(record: (e: A) => Promise<R>) =>
  async (e: A): Promise<R> => {
    const t0 = performance.now();
    const r = await record(e);
    recordMs.push(performance.now() - t0);
    return r;
  };
const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://bench.test', LOG_LEVEL: 'silent' });
const { createSlackChannel } = await import('../src/channels/slack/slack-channel.ts');
const service = await startService(config, {
  logger: pino({ level: 'silent' }),
  pollIntervalMs: Number(process.env.BENCH_POLL_MS ?? 500),
  channels: (given) => {
    // BENCH_LOOP=1: the webhooks' inbox records timed (printed each second below).
    const deps = process.env.BENCH_LOOP === '1' ? { ...given, inbox: { record: timedRecord((e: Parameters<typeof given.inbox.record>[0]) => given.inbox.record(e)) } } : given;
    return [
      createTestChannel({ apiUrl: process.env.TEST_PLATFORM_URL! }, deps),
      createSlackChannel(
        { botToken: config.SLACK_BOT_TOKEN!, signingSecret: config.SLACK_SIGNING_SECRET!, apiUrl: config.SLACK_API_URL, ticketEmoji: config.SLACK_TICKET_EMOJI },
        deps,
      ),
    ];
  },
});
process.stdout.write(`READY ${service.url}\n`);
// The idle process's memory by kind, for the bench's report (heap: JS objects; external: buffers, WASM).
setTimeout(() => {
  const m = process.memoryUsage();
  const mb = (x: number) => Math.round(x / 1024 / 10.24) / 100;
  process.stdout.write(`MEMORY ${JSON.stringify({ rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`);
}, 2500).unref();
// The process's memory by kind when its RSS was highest, printed at exit.
let peak = process.memoryUsage();
setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak.rss) peak = m;
}, 100).unref();
const stop = () =>
  void service.stop().then(() => {
    const mb = (x: number) => Math.round(x / 1048576);
    process.stderr.write(`PEAK MEMORY rss ${mb(peak.rss)} heapTotal ${mb(peak.heapTotal)} heapUsed ${mb(peak.heapUsed)} external ${mb(peak.external)} arrayBuffers ${mb(peak.arrayBuffers)} MiB\n`);
    if (counts.size) process.stderr.write(`STATEMENTS\n${[...counts].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([t, n]) => `${String(n).padStart(7)} ${String(Math.round(millis.get(t) ?? 0)).padStart(8)} ms  ${t}`).join('\n')}\n`);
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// BENCH_LOOP=1: each second, the event loop's delay (p50/p99/max), the garbage collector's pauses, the process's CPU
// (ms, cumulative) and the inbox records' times, on stdout (BENCH_SERVICE_LOG keeps it).
if (process.env.BENCH_LOOP === '1') {
  const { monitorEventLoopDelay, PerformanceObserver } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let gc: number[] = [];
  new PerformanceObserver((list) => gc.push(...list.getEntries().map((e) => e.duration))).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const cpu = process.cpuUsage();
    process.stdout.write(`LOOP ${new Date().toISOString().slice(11, 19)} p50 ${ms(h.percentile(50))} p99 ${ms(h.percentile(99))} max ${ms(h.max)} gc ${gc.length} ${Math.round(gc.reduce((a, b) => a + b, 0))}ms max ${Math.round(Math.max(0, ...gc) * 10) / 10} cpu ${Math.round((cpu.user + cpu.system) / 1000)}\n`);
    recordMs.sort((a, b) => a - b);
    if (recordMs.length) process.stdout.write(`RECORD n ${recordMs.length} p50 ${recordMs[Math.floor(recordMs.length / 2)]!.toFixed(1)} p99 ${recordMs[Math.floor(recordMs.length * 0.99)]!.toFixed(1)} max ${recordMs.at(-1)!.toFixed(1)}\n`);
    recordMs = [];
    h.reset();
    gc = [];
  }, 1000).unref();
}
