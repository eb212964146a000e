/**
 * The database going away under a running service (issue 10 of the security audit): the service reaches
 * PostgreSQL through a TCP proxy the test cuts, so every connection is reset and new ones are refused, as when
 * the server stops. Requests that need the database answer 503 with Retry-After (the API as JSON
 * `database_unavailable`, the console as a page in the person's language), never a 500; liveness stays up; once
 * the database is back the same requests succeed again without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { t } from '../../src/i18n/catalog.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { ConsoleClient, api, makeAgent } from '../console/console-client.ts';
import { ADMIN_TOKEN, auth } from '../helpers/service.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { createTestDatabase } from '../helpers/test-db.ts';
import { waitFor } from '../helpers/wait.ts';

let proxy: TcpProxy;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let svc: RunningService;
let agent: Awaited<ReturnType<typeof makeAgent>>;
let console: ConsoleClient;
let ticketNo = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  const real = new URL(inject('adminDatabaseUrl'));
  proxy = new TcpProxy(real.hostname, Number(real.port || 5432));
  await proxy.start();
  const config = loadConfig({ DATABASE_URL: proxy.urlFor(db.url), ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.test', LOG_LEVEL: 'silent' });
  svc = await startService(config, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), listen: false, pollIntervalMs: 200 });
  agent = await makeAgent(svc.app, 'ann@support.example', 'Ann');
  ticketNo = (await api(svc.app, 'POST', '/tickets', { subject: 'Before the outage', description: 'Written while the database was up' }, agent.token)).body.ticket.number;
  console = new ConsoleClient(svc.app, 'ja');
  await console.signIn(agent.email, agent.password);
});
afterAll(async () => {
  await proxy?.restore().catch(() => {});
  await svc?.stop();
  await proxy?.stop();
  await db?.drop();
});

const apiCall = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
  svc.app.inject({ method, url: `/api/v1${url}`, headers: { ...auth(token), 'content-type': 'application/json' }, ...(body ? { payload: JSON.stringify(body) } : {}) });

describe('the database goes away', () => {
  it('the API answers 503 database_unavailable with Retry-After, for agent and admin tokens, reads and writes', async () => {
    await proxy.cut();
    const calls = [
      apiCall('GET', '/tickets', agent.token),
      apiCall('GET', `/tickets/${ticketNo}`, ADMIN_TOKEN),
      apiCall('POST', '/tickets', ADMIN_TOKEN, { subject: 'During the outage', description: 'Will not be stored' }),
      apiCall('POST', '/users', ADMIN_TOKEN, { email: 'new@example.com', name: 'New' }),
      apiCall('GET', '/users?query=a', ADMIN_TOKEN),
    ];
    for (const r of await Promise.all(calls)) {
      expect(r.statusCode, r.body).toBe(503);
      expect(r.headers['retry-after']).toMatch(/^\d+$/);
      expect(r.json().error.code).toBe('database_unavailable');
      expect(r.json().error.message).not.toMatch(/127\.0\.0\.1|prisma|invocation/i);
    }
  });

  it('the console answers 503 with a page in the agent language, and sign-in does too', async () => {
    for (const url of ['/tickets', `/tickets/${ticketNo}`]) {
      const r = await console.get(url);
      expect(r.statusCode, url).toBe(503);
      expect(r.headers['retry-after']).toMatch(/^\d+$/);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain(t('ja', 'console:error.database_unavailable'));
    }
    const visitor = new ConsoleClient(svc.app, 'ru');
    await visitor.get('/login');
    const signIn = await visitor.post('/login', { email: agent.email, password: agent.password });
    expect(signIn.statusCode).toBe(503);
    expect(signIn.body).toContain(t('ru', 'console:error.database_unavailable'));
  });

  it('liveness stays up and readiness says 503 with Retry-After', async () => {
    expect((await svc.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await svc.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('once it is back, the same requests succeed without a restart, and nothing from the outage was stored', async () => {
    await proxy.restore();
    await waitFor(async () => (await svc.app.inject({ url: '/readyz' })).statusCode === 200, 30_000, 'readiness after the outage');
    expect((await apiCall('GET', '/tickets', agent.token)).statusCode).toBe(200);
    const list = (await apiCall('GET', '/tickets', ADMIN_TOKEN)).json().tickets.map((x: { subject: string }) => x.subject);
    expect(list).toEqual(['Before the outage']);
    expect((await console.get('/tickets')).statusCode).toBe(200);
  });
});
