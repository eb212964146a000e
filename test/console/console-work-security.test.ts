/**
 * Every route and form added for agents working together, refused the same way as the rest of the console:
 * without a session (sign-in page, or 401 for the stream), with a customer's (end user's) session (404, as if the
 * page did not exist), and with a form token of another session (403); nothing changes in any of these cases.
 * Hostile text in every new field is answered with a 4xx or stored as text, never a 5xx, never markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { createSessionRepo } from '../../src/infra/repos/console-session-repo.ts';
import { startTestService } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let admin: Awaited<ReturnType<typeof makeAgent>>;
let n = 0;
let tokenId = '';
const XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

beforeAll(async () => {
  svc = await startTestService();
  db = createPrisma(svc.databaseUrl);
  admin = await makeAgent(svc.app, 'olga@support.example', 'Olga Admin');
  await db.user.update({ where: { id: admin.id }, data: { role: 'admin' } });
  n = (await api(svc.app, 'POST', '/tickets', { subject: 'Printer jam', description: 'The tray is empty', requesterEmail: 'gina@globex.example' }, admin.token)).body.ticket.number;
  tokenId = (await api(svc.app, 'GET', `/agents/${admin.id}/tokens`)).body.tokens[0].id;
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

const FORMS = (): [string, Record<string, string>][] => [
  ['/console/presence', { ticket: String(n), state: 'viewing' }],
  ['/notifications/read', {}],
  ['/tickets/bulk', { t: `${n}:1`, priority: 'urgent' }],
  [`/tickets/${n}/tags`, { tags: 'hacked' }],
  [`/tickets/${n}/macro`, { macro: '00000000-0000-4000-8000-000000000000' }],
  ['/admin/agents', { name: 'Eve', email: 'eve@evil.example' }],
  [`/admin/agents/${'00000000-0000-4000-8000-000000000001'}/deactivate`, {}],
  [`/admin/agents/${'00000000-0000-4000-8000-000000000001'}/tokens/${'00000000-0000-4000-8000-000000000002'}/revoke`, {}],
  ['/admin/services', { name: 'Evil service' }],
  ['/admin/chats', { platform: 'telegram', workspace: '1', chat: '1', service: '00000000-0000-4000-8000-000000000003' }],
];
const PAGES = ['/notifications', '/admin', '/console/events'];

async function unchanged() {
  const t = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket;
  expect([t.priority, t.tags]).toEqual(['normal', []]);
  expect((await api(svc.app, 'GET', '/services')).body.services.some((s: { name: string }) => s.name === 'Evil service')).toBe(false);
  expect(await db.user.count({ where: { email: 'eve@evil.example' } })).toBe(0);
  expect((await api(svc.app, 'GET', `/agents/${admin.id}/tokens`)).body.tokens[0].revokedAt).toBe(null);
}

describe('new console routes', () => {
  it('without a session: pages lead to sign-in (the stream answers 401), forms are refused', async () => {
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    for (const url of PAGES) {
      const r = await c.get(url);
      if (url.startsWith('/console/')) expect(r.statusCode, url).toBe(401);
      else {
        expect(r.statusCode, url).toBe(303);
        expect(r.headers.location, url).toMatch(/^\/login/);
      }
    }
    for (const [url, form] of FORMS()) expect((await c.post(url, form)).statusCode, url).toBe(303);
    await unchanged();
  });

  it('with a customer session: 404 everywhere, even with that session\'s own form token', async () => {
    const customer = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket.requester.id as string;
    const { cookieValue } = await createSessionRepo(db).create(customer, 'end_user');
    const c = new ConsoleClient(svc.app);
    c.cookies.set('tb_session', cookieValue);
    const mine = await c.get('/my/tickets');
    expect(mine.statusCode).toBe(200);
    expect(c.token).not.toBe('');
    for (const url of PAGES) expect((await c.get(url)).statusCode, url).toBe(404);
    for (const [url, form] of FORMS()) expect((await c.post(url, form)).statusCode, url).toBe(404);
    await unchanged();
  });

  it('with another session\'s form token: 403, nothing changes', async () => {
    const other = await makeAgent(svc.app, 'bob@support.example', 'Bob Builder');
    const b = new ConsoleClient(svc.app);
    await b.signIn(other.email, other.password);
    const a = new ConsoleClient(svc.app);
    await a.signIn(admin.email, admin.password);
    for (const [url, form] of FORMS()) expect((await a.post(url, { ...form, _csrf: b.token })).statusCode, url).toBe(403);
    for (const [url, form] of FORMS()) expect((await a.post(url, { ...form, _csrf: null })).statusCode, url).toBe(403);
    await unchanged();
  });

  it('hostile text in every new field: a 4xx or text, never a 5xx or markup', async () => {
    const a = new ConsoleClient(svc.app);
    await a.signIn(admin.email, admin.password);
    const hostile: [string, Record<string, string>][] = [
      ['/console/presence', { ticket: XSS, state: XSS }],
      ['/tickets/bulk', { t: XSS, status: XSS, priority: XSS, assignee: XSS, back: `javascript:${XSS}` }],
      [`/tickets/${n}/tags`, { tags: XSS, version: XSS, seen: XSS }],
      [`/tickets/${n}/macro`, { macro: XSS, version: XSS }],
      [`/tickets/${n}/properties`, { status: XSS, priority: XSS, assignee: XSS, version: XSS, was_status: XSS }],
      [`/tickets/${n}/comments`, { body: XSS, mode: 'internal', version: XSS, seen: XSS }],
      ['/admin/agents', { name: XSS, email: XSS }],
      [`/admin/agents/${encodeURIComponent(XSS)}/deactivate`, {}],
      ['/admin/services', { name: XSS, description: XSS }],
      ['/admin/chats', { platform: XSS, workspace: XSS, chat: XSS, service: XSS }],
      ['/setup', { name: XSS, email: XSS, password: XSS, confirm: XSS, token: XSS }],
    ];
    for (const [url, form] of hostile) {
      await a.get('/tickets');
      const r = await a.post(url, form);
      expect(r.statusCode, url).toBeLessThan(500);
      expect(r.body, url).not.toContain('<script>alert(1)');
      expect(r.body, url).not.toContain('<img src=x');
      if (r.statusCode === 303) expect(r.headers.location, url).toMatch(/^\//);
    }
    // What was stored as text comes back escaped.
    const svcPage = (await a.get('/admin')).body;
    expect(svcPage).not.toContain('<script>alert(1)');
    const ticketPage = (await a.get(`/tickets/${n}`)).body;
    expect(ticketPage).not.toContain('<script>alert(1)');
    expect(ticketPage).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
