/**
 * `npm run bench:queries`: the listed queries at a million users and a million tickets. Seeds a fresh database
 * (built from the migrations) with generate_series (see queries-seed.ts), then times each query the API, the
 * console and the chat port run, through the same store code, and prints the plan of every search, view, sort and
 * count query as the store builds it, saying whether a big table was read without an index. Also measures what the
 * comment search index costs an insert. Prints a table and writes bench/results/queries-*.json.
 *
 * Env: DATABASE_URL (else an embedded PostgreSQL), BENCH_ROWS (1000000), BENCH_KEEP_DB (a database name: seeded if it
 * does not exist, reused as it is if it does, and kept afterwards; a million rows take many minutes to seed).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/infra/db/embedded-postgres.ts';
import { applyMigrations } from '../src/infra/db/migrate.ts';
import { createPrisma } from '../src/infra/db/prisma.ts';
import { createPrismaStore } from '../src/infra/repos/prisma-store.ts';
import { countTicketSql, listTicketSql, searchPlanOf } from '../src/infra/repos/ticket-list-sql.ts';
import type { TicketFilter } from '../src/core/ports/store-port.ts';
import { UNSOLVED_STATUSES } from '../src/core/tickets/ticket-types.ts';
import { seed } from './queries-seed.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** Rows a query may read from a big table without an index (a thousandth of it at a million). */
const BIG = Math.max(1000, ROWS / 1000);

async function main(): Promise<void> {
  let admin = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | null = null;
  let dir = '';
  if (!admin) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tb-bench-q-'));
    const e = await startEmbeddedPostgres(dir, { database: 'postgres' });
    admin = e.url;
    stop = e.stop;
  }
  const keep = process.env.BENCH_KEEP_DB;
  if (keep && !/^[a-z_][a-z0-9_]{0,50}$/.test(keep)) throw new Error('BENCH_KEEP_DB must be a plain database name');
  const name = keep ?? `bench_q_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  const exists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  if (!exists) await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  await applyMigrations(url);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();

  const t0 = Date.now();
  if (exists) console.log(`reusing the seeded database ${name}`);
  else {
    console.log(`seeding ${ROWS} users, ${ROWS} tickets and ${ROWS * 1.5} comments ...`);
    await seed(sql, ROWS);
    await sql.query('VACUUM ANALYZE');
  }
  const seedSeconds = (Date.now() - t0) / 1000;

  const db = createPrisma(url, 4);
  const store = createPrismaStore(db);
  const someUser = (await sql.query<{ id: string }>(`SELECT requester_id AS id FROM tickets LIMIT 1 OFFSET ${Math.floor(ROWS / 2)}`)).rows[0]!.id;

  const cases: [string, () => Promise<unknown>, string][] = [
    ['requester search: name prefix', () => store.searchUsers('name12345', { limit: 20, cursor: null }), ''],
    ['requester search: email prefix', () => store.searchUsers('user99999', { limit: 20, cursor: null }), ''],
    ['requester search: email domain', () => store.searchUsers('domain4321.', { limit: 20, cursor: null }), ''],
    ['requester search: phone prefix', () => store.searchUsers('+1 555 00777', { limit: 20, cursor: null }), ''],
    ['requester search: organization', () => store.searchUsers('org 777', { limit: 20, cursor: null }), ''],
    ['activity of a requester', () => store.listTickets({ requesterId: someUser, publicOnly: true }, { limit: 50, cursor: null }), ''],
    ['queue: status=open, first page', () => store.listTickets({ status: ['open'] }, { limit: 50, cursor: null }), ''],
    ['queue: all, first page', () => store.listTickets({}, { limit: 50, cursor: null }), ''],
    ['ticket by number', () => store.getTicket(Math.floor(ROWS / 3)), ''],
    ['solved tickets to auto-close', () => store.solvedBefore(new Date(Date.now() - 4 * 86_400_000), 500), ''],
  ];
  const agent = (await sql.query<{ id: string }>(`SELECT id FROM users WHERE email = 'agent1@support.example'`)).rows[0]!.id;
  const unsolved = [...UNSOLVED_STATUSES];
  const ref = Math.floor(ROWS / 2) + 1;
  const nameNo = 3 * Math.floor(ROWS / 9) + 1; // an "Ольга<n> Иванова"
  const lists: [string, TicketFilter][] = [
    ['search en, common word: printer', { query: 'printer' }],
    ['search en, two words: printer slow', { query: 'printer slow' }],
    [`search, unique reference: REF${ref}`, { query: `REF${ref}` }],
    ['search ru, common word: принтер', { query: 'принтер' }],
    [`search ru, requester prefix: ольга${nameNo}`, { query: `ольга${nameNo}` }],
    ['search ja, inside a word: 故障', { query: '故障' }],
    ['search ja, one character: 故', { query: '故' }],
    ['search ja, in comments: 再起動', { query: '再起動' }],
    ['search + unsolved, sorted by update', { query: 'printer', status: unsolved, sort: 'updated' }],
    ['view: my open tickets', { status: unsolved, assigneeId: agent, sort: 'updated' }],
    ['view: unassigned', { status: unsolved, assigneeId: null, sort: 'number', order: 'asc' }],
    ['view: waiting on us longest', { waiting: true, sort: 'waiting' }],
    ['view: breaching SLA', { breaching: true, sort: 'due' }],
    ['queue: tag vip', { tags: ['vip'] }],
    ['queue: unsolved by priority', { status: unsolved, sort: 'priority' }],
    ['queue: all by update', { sort: 'updated' }],
    ['queue: all by due time', { sort: 'due' }],
  ];
  for (const [label, f] of lists) cases.push([label, () => store.listTickets(f, { limit: 50, cursor: null }), '']);
  // A third page: the cursor continues an index range instead of skipping the first two pages.
  const page2 = await store.listTickets({ status: unsolved, sort: 'priority' }, { limit: 50, cursor: (await store.listTickets({ status: unsolved, sort: 'priority' }, { limit: 50, cursor: null })).nextCursor });
  cases.push(['queue: unsolved by priority, page 3', () => store.listTickets({ status: unsolved, sort: 'priority' }, { limit: 50, cursor: page2.nextCursor }), '']);
  const counts: [string, TicketFilter][] = [
    ['count: my open tickets', lists[9]![1]],
    ['count: unassigned (capped at 1000)', lists[10]![1]],
    ['count: waiting', lists[11]![1]],
    ['count: breaching', lists[12]![1]],
  ];
  for (const [label, f] of counts) cases.push([label, () => store.countTickets(f, 1000), '']);
  const results: { query: string; medianMs: number; p95Ms: number }[] = [];
  for (const [label, run] of cases) {
    await run(); // warm the plan and the cache
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const s = performance.now();
      await run();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    results.push({ query: label, medianMs: round(times[7]!), p95Ms: round(times[14]!) });
  }
  const plans: Record<string, string> = {};
  for (const [label, q] of [
    ['email prefix', `SELECT id FROM users WHERE email LIKE 'user99999%' LIMIT 20`],
    ['name prefix', `SELECT id FROM users WHERE lower(name COLLATE search_fold) LIKE 'name12345%' LIMIT 20`],
    ['activity', `SELECT id FROM tickets WHERE requester_id = '${someUser}' AND visibility = 'public' ORDER BY number DESC LIMIT 51`],
    ['queue by status', `SELECT id FROM tickets WHERE status = 'open' ORDER BY number DESC LIMIT 51`],
  ] as const) {
    const r = await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q}`);
    plans[label] = r.rows.map((x) => x['QUERY PLAN']).join(' | ');
  }
  // The store's own SQL for every list and count above, with PostgreSQL's actual plan.
  const seqScans: string[] = [];
  const explain = async (label: string, q: { text: string; values: unknown[] }) => {
    const r = await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${q.text}`, q.values);
    const lines = r.rows.map((x) => x['QUERY PLAN']);
    plans[label] = lines.join('\n');
    // A sequential read of a big table counts when it reads more than BIG rows; one that a LIMIT stops after a few
    // hundred rows (a count of a common filter) is cheaper than an index would be, and PostgreSQL knows it.
    lines.forEach((l, i) => {
      const m = /Seq Scan on (tickets|comments|users|organizations)\b.*actual rows=(\d+) loops=(\d+)/.exec(l);
      if (!m) return;
      const removed = Number(/Rows Removed by Filter: (\d+)/.exec(lines[i + 1] ?? '')?.[1] ?? (/Rows Removed by Filter: (\d+)/.exec(lines[i + 2] ?? '')?.[1] ?? 0));
      const read = (Number(m[2]) + removed) * Number(m[3]);
      if (read > BIG) seqScans.push(`${label} (${m[1]}: ${read} rows)`);
    });
  };
  const searchPlans: Record<string, string> = {};
  for (const [label, f] of lists) {
    const plan = await searchPlanOf(db, f);
    if (plan) searchPlans[label] = plan.kind;
    await explain(label, listTicketSql(f, { limit: 50, cursor: null }, plan).query);
  }
  await explain('queue: unsolved by priority, page 3', listTicketSql({ status: unsolved, sort: 'priority' }, { limit: 50, cursor: page2.nextCursor }, null).query);
  for (const [label, f] of counts) await explain(label, countTicketSql(f, 1000, null));

  // What comment search costs an insert: the same inserts with and without it, each run rolled back.
  const ticketIds = (await sql.query<{ id: string; requester_id: string }>(`SELECT id, requester_id FROM tickets ORDER BY random() LIMIT 100`)).rows;
  const insertCost = async (withIndex: boolean) => {
    await sql.query('BEGIN');
    // without: neither the index nor the generated document it indexes
    if (!withIndex) await sql.query('ALTER TABLE comments DROP COLUMN search_doc');
    const times: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = ticketIds[i % ticketIds.length]!;
      const body = ['The printer on floor 3 still shows error E-1234 after the restart.', 'Принтер на третьем этаже после перезагрузки всё ещё показывает ошибку.', '三階の印刷機は再起動後もエラーが表示されます。'][i % 3]! + ` #${i}`;
      const st = performance.now();
      await sql.query(`INSERT INTO comments (id, ticket_id, author_id, body, public, via) VALUES (gen_random_uuid(), $1, $2, $3, true, 'web')`, [t.id, t.requester_id, body]);
      times.push(performance.now() - st);
    }
    await sql.query('ROLLBACK');
    times.sort((a, b) => a - b);
    return { medianMs: round(times[2500]!), p99Ms: round(times[4950]!), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length) };
  };
  const commentInsert = { withSearchIndex: await insertCost(true), withoutSearchIndex: await insertCost(false) };

  console.log(`\nqueries at ${ROWS} users and ${ROWS} tickets (seeded in ${round(seedSeconds)} s)\n`);
  const w = Math.max(...results.map((r) => r.query.length));
  console.log(`${'query'.padEnd(w)}  median ms  p95 ms`);
  for (const r of results) console.log(`${r.query.padEnd(w)}  ${String(r.medianMs).padStart(9)}  ${String(r.p95Ms).padStart(6)}`);
  console.log(`\ncomment insert (5000 single-row inserts, body ~70 characters): with the search index median ${commentInsert.withSearchIndex.medianMs} ms, mean ${commentInsert.withSearchIndex.meanMs} ms, p99 ${commentInsert.withSearchIndex.p99Ms} ms; without it median ${commentInsert.withoutSearchIndex.medianMs} ms, mean ${commentInsert.withoutSearchIndex.meanMs} ms, p99 ${commentInsert.withoutSearchIndex.p99Ms} ms`);
  console.log(seqScans.length ? `\nread more than ${BIG} rows of a big table without an index: ${seqScans.join('; ')}` : `\nevery search, view, sort and count query is served by an index (none reads more than ${BIG} rows of tickets, comments, users or organizations sequentially)`);
  console.log(`\nsearch strategies (rare word: candidates by primary key; only common words: the queue walked in order): ${Object.entries(searchPlans).map(([k, v]) => `${k.replace(/^search[^:]*: /, '')} → ${v}`).join('; ')}`);
  console.log('\nplans:');
  for (const [k, v] of Object.entries(plans)) console.log(`\n  ${k}:\n    ${v.split('\n').join('\n    ')}`);
  await mkdir(path.resolve(import.meta.dirname, 'results'), { recursive: true });
  const file = path.resolve(import.meta.dirname, 'results', `queries-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ rows: ROWS, seedSeconds, results, commentInsert, seqScans, searchPlans, plans }, null, 2));
  console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);

  await db.$disconnect();
  await sql.end();
  if (!keep) {
    const c2 = new pg.Client({ connectionString: admin });
    await c2.connect();
    await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c2.end();
  }
  if (stop) await stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
