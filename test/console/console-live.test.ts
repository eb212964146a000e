/**
 * The console's live stream over real HTTP (two instances of the service on one database, each with its one
 * LISTEN connection): a change made anywhere (the API on the other instance) is pushed to an agent's open stream;
 * a notification for the agent updates the unread count; presence posted on one instance shows on the other and
 * goes; the stream and the heartbeat refuse a visitor without a session and a foreign form token.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { ADMIN_TOKEN, startTestService } from '../helpers/service.ts';
import { waitFor } from '../helpers/wait.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let one: Awaited<ReturnType<typeof startTestService>>;
let two: RunningService;
let ann: Awaited<ReturnType<typeof makeAgent>>;
let bob: Awaited<ReturnType<typeof makeAgent>>;

interface Sse {
  events: { event: string; data: unknown; at: number }[];
  status: number;
  close(): void;
}

/** Opens the event stream as a browser's EventSource would, with the client's cookies. */
async function openStream(base: string, c: ConsoleClient | null, query = ''): Promise<Sse> {
  const ac = new AbortController();
  const res = await fetch(`${base}/console/events${query}`, { headers: { cookie: c?.cookieHeader() ?? '', accept: 'text/event-stream' }, signal: ac.signal, redirect: 'manual' });
  const out: Sse = { events: [], status: res.status, close: () => ac.abort() };
  if (res.status !== 200 || !res.body) return out;
  void (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (ev && data) out.events.push({ event: ev, data: JSON.parse(data), at: Date.now() });
        }
      }
    } catch {
      // aborted
    }
  })();
  return out;
}

const urlOf = (s: { url: string }) => s.url.replace('0.0.0.0', '127.0.0.1');

beforeAll(async () => {
  one = await startTestService({}, { listen: true });
  const config = loadConfig({ DATABASE_URL: one.databaseUrl, ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.test', LOG_LEVEL: 'silent' });
  two = await startService(config, { logger: pino({ level: 'silent' }), listen: true, worker: false });
  ann = await makeAgent(one.app, 'ann@support.example', 'Ann Agent');
  bob = await makeAgent(one.app, 'bob@support.example', 'Bob Builder');
}, 120_000);
afterAll(async () => {
  await two?.stop();
  await one?.stop();
  await one?.dropDb();
});

describe('the live stream', { timeout: 60_000 }, () => {
  it('pushes a change made through the other instance, and the unread count of a new notification', async () => {
    const a = new ConsoleClient(one.app);
    await a.signIn(ann.email, ann.password);
    const n = (await api(one.app, 'POST', '/tickets', { subject: 'Printer jam', description: 'The tray is empty but it says jam', requesterEmail: 'gina@globex.example' }, bob.token)).body.ticket.number as number;
    const s = await openStream(urlOf(one), a, `?ticket=${n}`);
    expect(s.status).toBe(200);
    await waitFor(() => s.events.some((e) => e.event === 'notifications'), 10_000, 'first unread count');
    expect(s.events.find((e) => e.event === 'notifications')!.data).toEqual({ unread: 0 });
    // Bob, on the other instance, assigns the ticket to Ann: the row changes and Ann is notified.
    const sent = Date.now();
    await api(two.app, 'PATCH', `/tickets/${n}`, { assigneeId: ann.id, priority: 'high' }, bob.token);
    const answered = Date.now();
    await waitFor(() => s.events.some((e) => e.event === 'ticket' && (e.data as { number: number }).number === n), 10_000, 'ticket signal');
    const pushed = s.events.find((e) => e.event === 'ticket' && (e.data as { number: number }).number === n)!.at;
    if (process.env.MEASURE) console.log(`PATCH answered in ${answered - sent} ms; the signal reached the other instance's stream ${pushed - answered} ms after the answer`);
    await waitFor(() => s.events.some((e) => e.event === 'notifications' && (e.data as { unread: number }).unread === 1), 10_000, 'unread 1');
    // A comment through the other instance (its transaction notifies nobody; the instance announces the ticket once
    // it has committed): one more signal of the ticket.
    const signals = () => s.events.filter((e) => e.event === 'ticket' && (e.data as { number: number }).number === n).length;
    const before = signals();
    await api(two.app, 'POST', `/tickets/${n}/comments`, { body: 'Have you tried the other tray?', public: true }, bob.token);
    await waitFor(() => signals() > before, 10_000, 'comment signal');
    // The signal carries the number only, never the content.
    expect(JSON.stringify(s.events)).not.toContain('Printer jam');
    expect(JSON.stringify(s.events)).not.toContain('other tray');
    // The notifications page lists it, and opening the ticket reads it.
    const page = await a.get('/notifications');
    expect(page.body).toContain(`Bob Builder assigned #${n} “Printer jam” to you`);
    await a.get(`/tickets/${n}`);
    expect((await api(one.app, 'GET', '/notifications?unread=true', undefined, ann.token)).body.unread).toBe(0);
    s.close();
  });

  it('shows who else is on the ticket across instances, replying or viewing, and forgets who left', async () => {
    const a = new ConsoleClient(one.app);
    await a.signIn(ann.email, ann.password);
    const b = new ConsoleClient(two.app);
    await b.signIn(bob.email, bob.password);
    const n = (await api(one.app, 'POST', '/tickets', { subject: 'VPN drops', description: 'Every hour the VPN disconnects', requesterEmail: 'hank@initech.example' }, bob.token)).body.ticket.number as number;
    const s = await openStream(urlOf(one), a, `?ticket=${n}`);
    await waitFor(() => s.events.some((e) => e.event === 'presence'), 10_000, 'first presence');
    expect(s.events.find((e) => e.event === 'presence')!.data).toMatchObject({ people: [] });
    const beat = (state: string) => b.post('/console/presence', { ticket: String(n), state });
    expect((await beat('replying')).statusCode).toBe(204);
    await waitFor(() => s.events.some((e) => e.event === 'presence' && JSON.stringify(e.data).includes('Replying now: Bob Builder')), 10_000, 'bob replying');
    // Ann's own heartbeat is not shown to her.
    expect((await a.post('/console/presence', { ticket: String(n), state: 'viewing' })).statusCode).toBe(204);
    await beat('gone');
    await waitFor(() => {
      const last = s.events.filter((e) => e.event === 'presence').at(-1);
      return JSON.stringify(last?.data) === JSON.stringify({ number: n, people: [], text: '' });
    }, 10_000, 'bob gone');
    s.close();
  });

  it('refuses a visitor without a session, and a heartbeat with a foreign form token or bad input', async () => {
    const none = await openStream(urlOf(one), null);
    expect(none.status).toBe(401);
    const a = new ConsoleClient(one.app);
    await a.signIn(ann.email, ann.password);
    const b = new ConsoleClient(one.app);
    await b.signIn(bob.email, bob.password);
    // Bob's token in Ann's session.
    expect((await a.post('/console/presence', { ticket: '1', state: 'viewing', _csrf: b.token })).statusCode).toBe(403);
    expect((await a.post('/console/presence', { ticket: '1', state: 'viewing', _csrf: null })).statusCode).toBe(403);
    expect((await a.post('/console/presence', { ticket: '<script>', state: 'viewing' })).statusCode).toBe(400);
    expect((await a.post('/console/presence', { ticket: '1', state: '<b>x</b>' })).statusCode).toBe(400);
    const anon = new ConsoleClient(one.app);
    await anon.get('/login');
    const r = await anon.post('/console/presence', { ticket: '1', state: 'viewing' });
    expect([303, 401, 403]).toContain(r.statusCode);
    expect(r.statusCode).not.toBe(204);
  });
});
