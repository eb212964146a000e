/**
 * The live bus on a real PostgreSQL: the database's own triggers announce a ticket change and a new notification
 * (but not the ticket a writer names as announced by itself after its commit); what is published meanwhile goes
 * in one statement;
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

  it("stays silent in a transaction for the ticket it names as announced by its writer, and only for that one", async () => {
    const bus = createPgLiveBus(db.url, log);
    await bus.ready;
    const heard: LiveSignal[] = [];
    bus.subscribe((s) => heard.push(s));
    const u = await client.query(`INSERT INTO users (id, email, email_domain, name, role, updated_at) VALUES (gen_random_uuid(), 'hal@globex.example', 'globex.example', 'Hal', 'end_user', now()) RETURNING id`);
    const ticket = async (subject: string) =>
      (await client.query(`INSERT INTO tickets (id, subject, description, requester_id, submitter_id, via, updated_at) VALUES (gen_random_uuid(), $2, 'x', $1, $1, 'web', now()) RETURNING id::text, number`, [u.rows[0].id, subject])).rows[0] as { id: string; number: number };
    const [a, b] = [await ticket('announced'), await ticket('other')];
    await waitFor(() => heard.some((s) => s.type === 'ticket' && s.number === b.number), 10_000, 'the inserts');
    heard.length = 0;
    // A names itself as announced: its update is silent; B, written in the same transaction, is still signalled.
    await client.query('BEGIN');
    await client.query(`UPDATE tickets SET priority = 'high' WHERE id = $1::uuid AND set_config('tb.live_announced', $1::text, true) IS NOT NULL`, [a.id]);
    await client.query(`UPDATE tickets SET priority = 'high' WHERE id = $1::uuid`, [b.id]);
    await client.query('COMMIT');
    await waitFor(() => heard.length > 0, 10_000, 'the other ticket');
    // The setting ends with its transaction: the next write of A is signalled again.
    await client.query(`UPDATE tickets SET priority = 'low' WHERE id = $1::uuid`, [a.id]);
    await waitFor(() => heard.some((s) => s.type === 'ticket' && s.number === a.number), 10_000, 'A after the transaction');
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([{ type: 'ticket', number: b.number }, { type: 'ticket', number: a.number }]);
    await bus.close();
  });

  it('sends what is published while a statement is in flight together in the next one, each signal once', async () => {
    const one = createPgLiveBus(db.url, log);
    const two = createPgLiveBus(db.url, log);
    await Promise.all([one.ready, two.ready]);
    const heard: LiveSignal[] = [];
    two.subscribe((s) => heard.push(s));
    const sent: string[] = [];
    // Count the statements the publishing bus sends: every query on its connection goes through pg.Client.prototype.query.
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (typeof args[0] === 'string' && args[0].includes('pg_notify')) sent.push(args[0]);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
    try {
      await Promise.all([...Array.from({ length: 50 }, (_, i) => one.publish({ type: 'ticket', number: 1000 + (i % 10) })), one.notify('tb_live', '{"k":"n","a":"x"}')]);
    } finally {
      pg.Client.prototype.query = original;
    }
    await waitFor(() => heard.length >= 12, 10_000, 'the signals');
    await new Promise((r) => setTimeout(r, 200));
    // The first publish went alone (ticket 1000); the other 50 calls came while it was in flight and went in one
    // statement, each payload once: the 10 tickets (1000 again among them) and the notification.
    expect(heard.filter((s) => s.type === 'ticket').map((s) => (s as { number: number }).number).sort()).toEqual([1000, ...Array.from({ length: 10 }, (_, i) => 1000 + i)]);
    expect(heard.filter((s) => s.type === 'notification')).toEqual([{ type: 'notification', agentId: 'x' }]);
    expect(sent).toHaveLength(2);
    await one.close();
    await two.close();
  });

  it('ignores payloads that are not signals', () => {
    for (const p of ['', 'null', '42', '{"k":"t","n":-1}', '{"k":"t","n":"1"}', '{"k":"p","n":1,"a":"x","m":"y","s":"<b>"}', '{"k":"x"}', 'not json', '{"k":"n"}'])
      expect(parseLiveSignal(p), p).toBe(null);
    expect(parseLiveSignal('{"k":"t","n":7}')).toEqual({ type: 'ticket', number: 7 });
  });
});
