/**
 * `tsx bench/count-statements.ts`: the statements (and transactions) one agent comment, one delivery, one
 * ticket of a chat thread and one customer reply in a chat thread cost, counted at the pg client the service uses (Prisma's adapter, graphile-worker).
 * The worker's idle polls (graphile-worker's and the inbox queue's claim) are left out. Needs DATABASE_URL (a
 * server it may create a database on). pg_stat_statements needs shared_preload_libraries, which a shared server
 * rarely has; this needs nothing.
 */
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { startService } from '../src/service.ts';
import { createTestChannel, TEST_SECRET } from '../test/helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../test/helpers/test-channel/test-platform.ts';
import { threadTicket } from '../test/helpers/service.ts';

const log: string[] = [];
let on = false;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text?: string };
  const text = typeof q === 'string' ? q : (q?.text ?? '');
  if (on && !/jobs\.is_available = true|worker_heartbeats|^LISTEN|WITH due AS/i.test(text)) log.push(text.replace(/\s+/g, ' ').slice(0, 160));
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const platform = new TestPlatform();
await platform.start();
const admin = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `count_${Date.now()}`;
const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
await adminClient.query(`CREATE DATABASE ${name}`);
const u = new URL(admin);
u.pathname = `/${name}`;
const db = { url: u.toString(), drop: async () => { await adminClient.query(`DROP DATABASE ${name} WITH (FORCE)`); await adminClient.end(); } };
const svc = await startService(loadConfig({ DATABASE_URL: db.url, ADMIN_TOKEN: 'count-admin-token-0123456789', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://count.test' }), {
  logger: pino({ level: 'silent' }),
  listen: false,
  pollIntervalMs: 100,
  channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)],
});
const inject = async (url: string, body: unknown, token: string) => {
  const r = await svc.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return JSON.parse(r.body);
};
const token = (await inject('/agents', { email: 'count@support.example', name: 'Count' }, 'count-admin-token-0123456789')).token as string;
const show = async (what: string, fn: () => Promise<unknown>, settleMs = 0) => {
  log.length = 0;
  on = true;
  await fn();
  if (settleMs) await new Promise((r) => setTimeout(r, settleMs));
  on = false;
  console.log(`\n${what}: ${log.length} statements, ${log.filter((s) => /^BEGIN/i.test(s)).length} transactions`);
  for (const s of log) console.log(`  ${s}`);
};
const { ticket } = await threadTicket(svc, { via: 'test', requester: { email: 'r@count.example' }, subject: 's', description: 'warm up', thread: { platform: 'test', workspaceId: 'w', chatId: 'c0', threadRef: 'root', locale: 'en' } });
await inject(`/tickets/${ticket.number}/comments`, { body: 'warm', public: true }, token);
await new Promise((r) => setTimeout(r, 1500));
await show('ticket of a chat thread (tickets.create)', () => threadTicket(svc, { via: 'test', requester: { email: 'r@count.example' }, subject: 's', description: 'counted', thread: { platform: 'test', workspaceId: 'w', chatId: 'c1', threadRef: 'root', locale: 'en' } }), 0);
await new Promise((r) => setTimeout(r, 1500));
await show('agent comment through the API (the transaction only)', () => inject(`/tickets/${ticket.number}/comments`, { body: 'counted', public: true }, token));
await show('its delivery (the drain)', () => new Promise((r) => setTimeout(r, 1500)));
const { ticket: fresh } = await threadTicket(svc, { via: 'test', requester: { email: 'r2@count.example' }, subject: 's2', description: 'new', thread: { platform: 'test', workspaceId: 'w', chatId: 'c2', threadRef: 'root', locale: 'en' } });
await new Promise((r) => setTimeout(r, 1500));
await show('the first agent comment of a new ticket (it opens the ticket)', () => inject(`/tickets/${fresh.number}/comments`, { body: 'first', public: true }, token));
await show('its deliveries (the drain)', () => new Promise((r) => setTimeout(r, 1500)));
// A customer's reply in the ticket's chat thread: the inbound event's record, its processing (a comment), its completion.
const inbound = async (id: string, text: string) => {
  const r = await svc.app.inject({ method: 'POST', url: '/test/events', headers: { 'x-test-secret': TEST_SECRET, 'content-type': 'application/json' }, payload: JSON.stringify({ id, chatId: 'c0', threadRef: 'root', user: 'U-count', email: 'r@count.example', text, ordered: true }) });
  if (r.statusCode !== 200) throw new Error(`inbound ${r.statusCode} ${r.body}`);
};
await inbound('warm-inbound', 'warm');
await new Promise((r) => setTimeout(r, 1500));
await show("a customer's reply in the ticket's chat thread (record, processing, completion)", () => inbound('counted-inbound', 'counted reply'), 1500);
const n = platform.messages.length;
await svc.stop();
await platform.stop();
await db.drop();
console.log(`\n(${n} messages delivered)`);
