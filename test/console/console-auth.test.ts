/**
 * Signing in to the console: the session cookie, sign-out, throttled failures that look the same for an unknown
 * email and a wrong password, the `next` parameter that never leaves the site, and the invitation flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { startTestService } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let ann: Awaited<ReturnType<typeof makeAgent>>;

beforeAll(async () => {
  svc = await startTestService();
  db = createPrisma(svc.databaseUrl);
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

describe('sign-in', () => {
  it('sends /tickets/<number> without a session to /login, and back there after signing in', async () => {
    const c = new ConsoleClient(svc.app);
    const first = await c.get('/tickets/1');
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/login?next=%2Ftickets%2F1');
    const form = await c.get(first.headers.location as string);
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/text\/html/);
    expect(form.body).toMatch(/<input[^>]+name="email"[^>]+type="email"/);
    expect(form.body).toMatch(/<input[^>]+name="password"[^>]+type="password"/);
    expect(form.body).toContain('value="/tickets/1"');
    const res = await c.post('/login', { email: 'ANN@support.example ', password: ann.password, next: '/tickets/1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/tickets/1');
    const cookie = (res.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string; secure?: boolean; maxAge?: number }[]).find((x) => x.name === 'tb_session')!;
    expect(cookie.value).toMatch(/^[\w-]{43}$/); // 32 random bytes
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.maxAge).toBe(7 * 86_400);
    // stored hashed, never as the cookie value
    const rows = await db.consoleSession.findMany({ where: { userId: ann.id } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.idHash === cookie.value)).toBe(false);
    const queue = await c.get('/tickets');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Ann Agent');
  });

  it('signs out: the session is deleted and its cookie no longer works', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    const stolen = c.cookieHeader();
    const before = await db.consoleSession.count();
    const out = await c.post('/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login?signed_out=1');
    expect(await db.consoleSession.count()).toBe(before - 1);
    const again = await svc.app.inject({ url: '/tickets', headers: { cookie: stolen } });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/login');
  });

  it('ends a session after 12 idle hours (the row says when)', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    await db.consoleSession.updateMany({ where: { userId: ann.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await c.get('/tickets');
    expect(r.statusCode).toBe(303);
  });

  it('ends a session 7 days after sign-in however busy it is', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    const now = Date.now();
    await db.consoleSession.updateMany({
      where: { userId: ann.id },
      data: { createdAt: new Date(now - 7 * 86_400_000 + 1000), lastSeenAt: new Date(now - 120_000), expiresAt: new Date(now + 3_600_000) },
    });
    expect((await c.get('/tickets')).statusCode).toBe(200); // still inside the 7 days; its expiry is capped now
    await new Promise((r) => setTimeout(r, 1100));
    expect((await c.get('/tickets')).statusCode).toBe(303);
  });

  it('answers an unknown email and a wrong password the same way', async () => {
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    const unknown = await c.post('/login', { email: 'nobody@support.example', password: 'whatever 12345' });
    const wrong = await c.post('/login', { email: ann.email, password: 'not the password' });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const msg = (b: string) => /role="alert">([^<]*)</.exec(b)?.[1];
    expect(msg(unknown.body)).toBe('The email or password is not correct.');
    expect(msg(wrong.body)).toBe(msg(unknown.body));
    expect(unknown.cookies.some((x: { name: string }) => x.name === 'tb_session')).toBe(false);
  });

  it('throttles after 5 failures for one email from one address for 15 minutes, even with the right password', async () => {
    const bob = await makeAgent(svc.app, 'bob@support.example', 'Bob');
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    for (let i = 0; i < 5; i++) expect((await c.post('/login', { email: bob.email, password: `wrong ${i} guess` })).statusCode).toBe(401);
    const blocked = await c.post('/login', { email: bob.email, password: bob.password });
    expect(blocked.statusCode).toBe(429);
    // the window began at the first failure, a moment ago: close to 15 minutes remain
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(840);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(blocked.body).toContain('Too many failed sign-ins. Try again in 15 minutes.');
    // unknown emails are throttled alike (no hint that an email exists)
    for (let i = 0; i < 5; i++) await c.post('/login', { email: 'ghost@support.example', password: `guess ${i} here` });
    expect((await c.post('/login', { email: 'ghost@support.example', password: 'x' })).statusCode).toBe(429);
    // the same email from another address is not blocked
    const other = await svc.app.inject({ method: 'GET', url: '/login', remoteAddress: '10.1.2.3' });
    const token = /name="_csrf" value="([^"]+)"/.exec(other.body)![1]!;
    const csrfCookie = other.cookies.find((x: { name: string }) => x.name === 'tb_csrf')!.value;
    const fromElsewhere = await svc.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '10.1.2.3',
      headers: { cookie: `tb_csrf=${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, email: bob.email, password: bob.password }).toString(),
    });
    expect(fromElsewhere.statusCode).toBe(303);
    // once the failures age out, the right password works again
    await db.signInThrottle.updateMany({ data: { windowStart: new Date(Date.now() - 16 * 60_000) } });
    expect((await c.post('/login', { email: bob.email, password: bob.password })).statusCode).toBe(303);
  });

  it('never redirects off the site through next', async () => {
    const attempts = ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '\\\\evil.example', 'javascript:alert(1)', '/%2F%2Fevil.example', ' //evil.example', 'http:/evil.example', '/\t/evil.example', 'evil.example'];
    for (const next of attempts) {
      const c = new ConsoleClient(svc.app);
      const page = await c.get(`/login?next=${encodeURIComponent(next)}`);
      const shown = /name="next" value="([^"]*)"/.exec(page.body)![1]!;
      // empty: whoever signs in goes to their own start page
      expect(shown === '' || (shown.startsWith('/') && !shown.startsWith('//') && !shown.startsWith('/\\')), `${next} shown as ${shown}`).toBe(true);
      const res = await c.post('/login', { email: ann.email, password: ann.password, next });
      expect(res.statusCode, next).toBe(303);
      const loc = res.headers.location as string;
      expect(loc.startsWith('/') && !loc.startsWith('//') && !loc.startsWith('/\\'), `${next} -> ${loc}`).toBe(true);
      expect(new URL(loc, 'http://help.test').host, next).toBe('help.test');
    }
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    expect((await c.post('/login', { email: ann.email, password: ann.password, next: '/tickets?status=all&q=x' })).headers.location).toBe('/tickets?status=all&q=x');
  });

  it('does not let an end user sign in, whatever their password', async () => {
    await api(svc.app, 'POST', '/users', { email: 'carol@customer.example', name: 'Carol' });
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    expect((await c.post('/login', { email: 'carol@customer.example', password: '' })).statusCode).toBe(401);
  });
});

describe('invitation', () => {
  it('lets an invited agent set a password once, then sign in with it', async () => {
    const dave = (await api(svc.app, 'POST', '/agents', { email: 'dave@support.example', name: 'Dave' })).body.agent;
    const inv = await api(svc.app, 'POST', `/agents/${dave.id}/invitation`);
    expect(inv.status).toBe(201);
    const path = new URL(inv.body.url).pathname;
    const c = new ConsoleClient(svc.app, 'ru');
    const form = await c.get(path);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Задайте пароль');
    expect((await c.post(path, { password: 'long enough 1', confirm: 'long enough 2' })).statusCode).toBe(400);
    expect((await c.post(path, { password: 'short', confirm: 'short' })).statusCode).toBe(400);
    const ok = await c.post(path, { password: 'daves new password', confirm: 'daves new password' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/login?invited=1');
    expect((await c.get('/login?invited=1')).body).toContain('Пароль установлен');
    const used = await c.post(path, { password: 'another password', confirm: 'another password' });
    expect(used.statusCode).toBe(409);
    expect(used.body).toContain('уже использована');
    await c.signIn('dave@support.example', 'daves new password');
    expect((await c.get('/tickets')).statusCode).toBe(200);
  });

  it('refuses an unknown invitation token', async () => {
    const c = new ConsoleClient(svc.app);
    await c.get('/invite/not-a-real-token-123');
    const r = await c.post('/invite/not-a-real-token-123', { password: 'long enough pw', confirm: 'long enough pw' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('This invitation link is not valid.');
  });
});
