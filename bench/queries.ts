/**
 * `npm run bench:queries`: the listed queries at a million users and a million tickets. Seeds a fresh database
 * (built from the migrations) with generate_series, then times each query the API and the chat port run, through the
 * same store code, and shows whether PostgreSQL used an index. Prints a table and writes bench/results/queries-*.json.
 *
 * Env: DATABASE_URL (else an embedded PostgreSQL), BENCH_ROWS (1000000).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/infra/db/embedded-postgres.ts';
import { applyMigrations } from '../src/infra/db/migrate.ts';
import { createPrisma } from '../src/infra/db/prisma.ts';
import { createPrismaStore } from '../src/infra/repos/prisma-store.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

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
  const name = `bench_q_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  await applyMigrations(url);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();

  const t0 = Date.now();
  console.log(`seeding ${ROWS} users and ${ROWS} tickets ...`);
  await sql.query(`INSERT INTO organizations (id, name) SELECT gen_random_uuid(), 'Org ' || g FROM generate_series(1, ${Math.max(1, ROWS / 100)}) g`);
  const orgs = Math.max(1, ROWS / 100);
  await sql.query(`
    WITH o AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM organizations)
    INSERT INTO users (id, email, email_domain, name, phone, role, organization_id, updated_at)
    SELECT gen_random_uuid(), 'user' || g || '@domain' || (g % 5000) || '.example', 'domain' || (g % 5000) || '.example',
           'Name' || g || ' Surname', '+1 555 ' || lpad(g::text, 7, '0'), 'end_user', o.id, now()
    FROM generate_series(1, ${ROWS}) g JOIN o ON o.rn = 1 + (g % ${orgs})`);
  await sql.query(`INSERT INTO services (id, name) VALUES (gen_random_uuid(), 'General')`);
  await sql.query(`
    WITH u AS (SELECT id, row_number() OVER () AS rn FROM users)
    INSERT INTO tickets (id, subject, description, status, priority, visibility, via, requester_id, submitter_id, updated_at)
    SELECT gen_random_uuid(), 'Subject ' || g, 'Description ' || g,
           (ARRAY['new','open','pending','on_hold','solved','closed'])[1 + (g % 6)], 'normal',
           CASE WHEN g % 10 = 0 THEN 'private' ELSE 'public' END, 'api', u.id, u.id, now()
    FROM generate_series(1, ${ROWS}) g JOIN u ON u.rn = 1 + (g::bigint * 7919 % ${ROWS})`);
  await sql.query('ANALYZE');
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
    ['name prefix', `SELECT id FROM users WHERE lower(name) LIKE 'name12345%' LIMIT 20`],
    ['activity', `SELECT id FROM tickets WHERE requester_id = '${someUser}' AND visibility = 'public' ORDER BY number DESC LIMIT 51`],
    ['queue by status', `SELECT id FROM tickets WHERE status = 'open' ORDER BY number DESC LIMIT 51`],
  ] as const) {
    const r = await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q}`);
    plans[label] = r.rows.map((x) => x['QUERY PLAN']).join(' | ');
  }

  console.log(`\nqueries at ${ROWS} users and ${ROWS} tickets (seeded in ${round(seedSeconds)} s)\n`);
  const w = Math.max(...results.map((r) => r.query.length));
  console.log(`${'query'.padEnd(w)}  median ms  p95 ms`);
  for (const r of results) console.log(`${r.query.padEnd(w)}  ${String(r.medianMs).padStart(9)}  ${String(r.p95Ms).padStart(6)}`);
  console.log('\nplans:');
  for (const [k, v] of Object.entries(plans)) console.log(`  ${k}: ${v}`);
  await mkdir(path.resolve(import.meta.dirname, 'results'), { recursive: true });
  const file = path.resolve(import.meta.dirname, 'results', `queries-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ rows: ROWS, seedSeconds, results, plans }, null, 2));
  console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);

  await db.$disconnect();
  await sql.end();
  const c2 = new pg.Client({ connectionString: admin });
  await c2.connect();
  await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c2.end();
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
