/**
 * The live bus on a real PostgreSQL: the database's own triggers announce a ticket change and a new notification;
 * a signal published by one bus is heard by another (another instance); when the listening connection is killed,
 * the bus reconnects by itself, tells its subscribers to catch up, and signals flow again. Payloads that are not
 * ours are ignored.
 */
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLiveSignal, type LiveSignal } from '../../src/core/ports/live-port.ts';
import { applyMigrations } from '../../src/infra/db/migrate.ts';
import { createPgLiveBus } from '../../src/infra/live/pg-live-bus.ts';
import { createTestDatabase } from '../helpers/test-db.ts';
import { waitFor } from '../helpers/wait.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase();
  await applyMigrations(db.url);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('the live bus', { timeout: 60_000 }, () => {
  it('hears the triggers and the other instance, and comes back after its connection is killed', async () => {
    const one = createPgLiveBus(db.url, log, { maxPauseMs: 500 });
    const two = createPgLiveBus(db.url, log, { maxPauseMs: 500 });
    await Promise.all([one.ready, two.ready]);
    const heard: LiveSignal[] = [];
    let reconnects = 0;
    one.subscribe((s) => heard.push(s));
    one.onReconnect(() => reconnects++);

    // A ticket row written by anyone: the trigger says so (number only).
    const u = await client.query(`INSERT INTO users (id, email, email_domain, name, role, updated_at) VALUES (gen_random_uuid(), 'gina@globex.example', 'globex.example', 'Gina', 'end_user', now()) RETURNING id`);
    const uid = u.rows[0].id as string;
    const t = await client.query(
      `INSERT INTO tickets (id, subject, description, requester_id, submitter_id, via, updated_at) VALUES (gen_random_uuid(), 'Printer', 'jam', $1, $1, 'web', now()) RETURNING id, number`,
      [uid],
    );
    const number = t.rows[0].number as number;
    await waitFor(() => heard.some((s) => s.type === 'ticket' && s.number === number), 10_000, 'insert signal');
    // Several writes in one transaction: one signal.
    const before = heard.length;
    await client.query('BEGIN');
    await client.query(`UPDATE tickets SET priority = 'high' WHERE id = $1`, [t.rows[0].id]);
    await client.query(`UPDATE tickets SET priority = 'urgent' WHERE id = $1`, [t.rows[0].id]);
    await client.query('COMMIT');
    await waitFor(() => heard.length > before, 10_000, 'update signal');
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.slice(before)).toEqual([{ type: 'ticket', number }]);

    // Presence from the other instance.
    await two.publish({ type: 'presence', number, agentId: 'a1', name: 'Bob', state: 'replying' });
    await waitFor(() => heard.some((s) => s.type === 'presence' && s.name === 'Bob'), 10_000, 'presence');

    // Kill one's listening connection: it comes back and tells its subscribers.
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ticket-bridge-live' AND datname = current_database() AND pid <> pg_backend_pid()`);
    await waitFor(() => reconnects >= 1, 15_000, 'reconnect');
    await waitFor(async () => {
      await two.publish({ type: 'notification', agentId: 'after-reconnect' });
      return heard.some((s) => s.type === 'notification' && s.agentId === 'after-reconnect');
    }, 15_000, 'signals after the reconnect');
    await one.close();
    await two.close();
  });

  it('ignores payloads that are not signals', () => {
    for (const p of ['', 'null', '42', '{"k":"t","n":-1}', '{"k":"t","n":"1"}', '{"k":"p","n":1,"a":"x","m":"y","s":"<b>"}', '{"k":"x"}', 'not json', '{"k":"n"}'])
      expect(parseLiveSignal(p), p).toBe(null);
    expect(parseLiveSignal('{"k":"t","n":7}')).toEqual({ type: 'ticket', number: 7 });
  });
});
