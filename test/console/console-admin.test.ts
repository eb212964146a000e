/**
 * First run and the admin page, through the real service: while no agent can sign in, /setup makes the first
 * admin once (from the machine itself, or with the one-time token the log printed; a proxy header means "not this
 * machine"); then the admin page invites agents, deactivates them (their session ends), revokes API tokens, adds
 * services and sets the service of a group chat. Agents, visitors and foreign form tokens are refused; hostile
 * text is shown as text.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../src/infra/db/prisma.ts';
import { createPrismaStore } from '../../src/infra/repos/prisma-store.ts';
import { auth, startTestService } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

const logLines: string[] = [];
let svc: Awaited<ReturnType<typeof startTestService>>;
const XSS = '<script>alert(1)</script>';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  svc = await startTestService({}, { logger: pino({ level: 'warn' }, sink) });
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

const setupForm = { name: 'Olga Admin', email: 'olga@support.example', password: 'a long enough password', confirm: 'a long enough password' };

describe('first run', () => {
  it('prints a one-time setup token, offers /setup on the sign-in page, and refuses without the token from elsewhere', async () => {
    const line = logLines.find((l) => l.includes('setupToken'));
    expect(line).toBeDefined();
    const token = JSON.parse(line!).setupToken as string;
    expect(token.length).toBeGreaterThanOrEqual(20);
    const c = new ConsoleClient(svc.app);
    expect((await c.get('/login')).body).toContain('<a href="/setup">Create the first admin</a>');
    const page = await c.get('/setup');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="token"');
    expect((await c.post('/setup', setupForm)).statusCode).toBe(403);
    expect((await c.post('/setup', { ...setupForm, token: 'wrong' })).statusCode).toBe(403);
    // A foreign form token is refused before anything else.
    expect((await c.post('/setup', { ...setupForm, token, _csrf: 'forged' })).statusCode).toBe(403);
    // From loopback but through a proxy header: not "this machine".
    const viaProxy = await svc.app.inject({ method: 'POST', url: '/setup', remoteAddress: '127.0.0.1', headers: { cookie: c.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' }, payload: new URLSearchParams({ ...setupForm, _csrf: c.token }).toString() });
    expect(viaProxy.statusCode).toBe(403);
    expect((await api(svc.app, 'GET', '/agents')).body.agents.filter((a: { email: string }) => a.email === setupForm.email)).toHaveLength(0);
  });

  it('makes the first admin once (here with the token; escaped name), signs them in, and then is gone', async () => {
    const token = JSON.parse(logLines.find((l) => l.includes('setupToken'))!).setupToken as string;
    const c = new ConsoleClient(svc.app);
    await c.get('/setup');
    const r = await c.post('/setup', { ...setupForm, name: `Olga ${XSS}`, token });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/admin?done=setup');
    const admin = await c.get('/admin?done=setup');
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('You are the first admin');
    expect(admin.body).toContain('Olga &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(admin.body).not.toContain(XSS);
    const other = new ConsoleClient(svc.app);
    expect((await other.get('/setup')).statusCode).toBe(404);
    await other.get('/login');
    expect((await other.post('/setup', { ...setupForm, email: 'mallory@evil.example', token })).statusCode).toBe(404);
    expect((await other.get('/login')).body).not.toContain('href="/setup"');
    const agents = (await api(svc.app, 'GET', '/agents')).body.agents as { email: string; role: string }[];
    expect(agents.filter((a) => a.email === setupForm.email)).toEqual([expect.objectContaining({ role: 'admin' })]);
    expect(agents.some((a) => a.email === 'mallory@evil.example')).toBe(false);
  });
});

describe('the admin page', () => {
  let admin: ConsoleClient;
  beforeAll(async () => {
    admin = new ConsoleClient(svc.app);
    await admin.signIn(setupForm.email, setupForm.password);
  });

  it('is for admins only: an agent gets 403, a visitor the sign-in page', async () => {
    const agent = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
    const a = new ConsoleClient(svc.app);
    await a.signIn(agent.email, agent.password);
    expect((await a.get('/admin')).statusCode).toBe(403);
    expect((await a.post('/admin/services', { name: 'Sneaky' })).statusCode).toBe(403);
    expect((await api(svc.app, 'GET', '/services')).body.services.some((s: { name: string }) => s.name === 'Sneaky')).toBe(false);
    const v = new ConsoleClient(svc.app);
    const r = await v.get('/admin');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/login?next=%2Fadmin');
    // the admin's own page, with a foreign form token: refused
    expect((await admin.post('/admin/services', { name: 'Forged', _csrf: a.token })).statusCode).toBe(403);
  });

  it('invites an agent (the link shown once), deactivates one (their session ends), revokes a token', async () => {
    const r = await admin.post('/admin/agents', { name: `Pia ${XSS}`, email: 'pia@support.example' });
    expect(r.statusCode).toBe(201);
    const url = /<code class="invite-url">([^<]+)<\/code>/.exec(r.body)![1]!;
    expect(url).toMatch(/^http:\/\/help\.test\/invite\/[A-Za-z0-9_-]+$/);
    expect(r.body).toContain('Pia &lt;script&gt;');
    expect((await svc.app.inject({ method: 'GET', url: new URL(url).pathname })).statusCode).toBe(200);
    expect((await admin.post('/admin/agents', { name: 'Pia again', email: 'pia@support.example' })).statusCode).toBe(409);

    const bob = await makeAgent(svc.app, 'bob@support.example', 'Bob Builder');
    const b = new ConsoleClient(svc.app);
    await b.signIn(bob.email, bob.password);
    expect((await b.get('/tickets')).statusCode).toBe(200);
    const page = (await admin.get('/admin')).body;
    expect(page).toContain(`action="/admin/agents/${bob.id}/deactivate"`);
    // the API token made with the agent is listed; revoke it
    const tokenId = new RegExp(`/admin/agents/${bob.id}/tokens/([0-9a-f-]{36})/revoke`).exec(page)![1]!;
    expect((await svc.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: auth(bob.token) })).statusCode).toBe(200);
    expect((await admin.post(`/admin/agents/${bob.id}/tokens/${tokenId}/revoke`, {})).statusCode).toBe(303);
    expect((await svc.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: auth(bob.token) })).statusCode).toBe(401);
    expect((await admin.post(`/admin/agents/${bob.id}/deactivate`, {})).statusCode).toBe(303);
    expect((await b.get('/tickets')).statusCode).toBe(303);
    expect((await admin.get('/admin')).body).toContain(`action="/admin/agents/${bob.id}/reactivate"`);
    // the Administrator pseudo-user of the API token is not a person: not listed
    expect((await admin.get('/admin')).body).not.toContain('admin@ticket-bridge.local');
    // bad ids: 4xx, never 5xx
    expect((await admin.post('/admin/agents/not-a-uuid/deactivate', {})).statusCode).toBe(404);
    expect((await admin.post(`/admin/agents/${bob.id}/tokens/${XSS}/revoke`, {})).statusCode).toBe(404);
  });

  it('adds a service and sets the service of a configured group chat (only a known chat, only a real service)', async () => {
    expect((await admin.post('/admin/services', { name: `Office ${XSS}`, description: 'Printers & co' })).statusCode).toBe(303);
    const services = (await api(svc.app, 'GET', '/services')).body.services as { id: string; name: string }[];
    const office = services.find((s) => s.name.startsWith('Office'))!;
    const general = services.find((s) => s !== office)!;
    // A group chat whose service was chosen there (as the chat command does).
    const db = createPrisma(svc.databaseUrl);
    const store = createPrismaStore(db);
    await store.setChatService('telegram', '-100123', '-100123', general.id);
    let page = (await admin.get('/admin')).body;
    expect(page).toContain('<code>-100123</code>');
    expect(page).toContain('Office &lt;script&gt;');
    expect((await admin.post('/admin/chats', { platform: 'telegram', workspace: '-100123', chat: '-100123', service: office.id })).statusCode).toBe(303);
    expect((await store.getChatService('telegram', '-100123', '-100123'))?.id).toBe(office.id);
    expect((await admin.post('/admin/chats', { platform: 'telegram', workspace: '-100999', chat: '-100999', service: office.id })).statusCode).toBe(404);
    expect((await admin.post('/admin/chats', { platform: 'telegram', workspace: '-100123', chat: '-100123', service: XSS })).statusCode).toBe(404);
    page = (await admin.get('/admin')).body;
    expect(page).toMatch(new RegExp(`<option value="${office.id}" selected>`));
    await db.$disconnect();
  });
});
