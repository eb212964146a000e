/**
 * The two sign-in findings of the security audit, each shown failing on the code before the fix:
 * - the next-URL check ran before dot segments collapse, so `/.//evil.example/x` became `Location: //evil.example/x`
 *   (and a signed-in agent opening `/login?next=/..//evil.example/x` was sent away at once);
 * - the sign-in limit counted failures and then recorded them in two statements, so 21 of 25 parallel wrong
 *   passwords were evaluated; and behind a proxy every client had the proxy's address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { startTestService } from '../helpers/service.ts';
import { ConsoleClient, makeAgent } from './console-client.ts';

/** Values a browser reads as another host once normalised, or that try to. */
const TRICKY = [
  '/.//evil.example/x',
  '/..//evil.example/x',
  '/./..//evil.example',
  '/a/../..//evil.example',
  '/%2e%2e//evil',
  '/%2E//evil.example',
  '/.%2e//evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  '\\/evil.example',
  '//evil.example/x',
  '///evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  'https://evil.example/',
  'javascript:alert(1)',
  ' //evil.example',
];

function offSite(location: string): boolean {
  // How a browser resolves the Location header against our origin.
  return new URL(location, 'http://help.test').host !== 'help.test' || location.startsWith('//') || location.startsWith('/\\');
}

async function postLogin(svc: Awaited<ReturnType<typeof startTestService>>, remoteAddress: string, email: string, password: string, headers: Record<string, string> = {}) {
  const page = await svc.app.inject({ url: '/login', remoteAddress, headers });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const csrf = page.cookies.find((x: { name: string }) => x.name === 'tb_csrf')!.value;
  return svc.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress,
    headers: { ...headers, cookie: `tb_csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
}

describe('next after sign-in', () => {
  let svc: Awaited<ReturnType<typeof startTestService>>;
  let ann: Awaited<ReturnType<typeof makeAgent>>;
  beforeAll(async () => {
    svc = await startTestService();
    ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
  });
  afterAll(async () => {
    await svc?.stop();
    await svc?.dropDb();
  });

  it('never sends a browser off the site after the password sign-in', async () => {
    for (const next of TRICKY) {
      const c = new ConsoleClient(svc.app);
      await c.get('/login');
      const res = await c.post('/login', { email: ann.email, password: ann.password, next });
      expect(res.statusCode, JSON.stringify(next)).toBe(303);
      expect(offSite(res.headers.location as string), `${JSON.stringify(next)} -> ${res.headers.location}`).toBe(false);
    }
  });

  it('never sends a signed-in agent opening /login?next=... off the site, and keeps a good next', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    for (const next of TRICKY) {
      const res = await c.get(`/login?next=${encodeURIComponent(next)}`);
      expect(res.statusCode, JSON.stringify(next)).toBe(303);
      expect(offSite(res.headers.location as string), `${JSON.stringify(next)} -> ${res.headers.location}`).toBe(false);
    }
    expect((await c.get('/login?next=%2Ftickets%2F..%2Ftickets%3Fstatus%3Dall')).headers.location).toBe('/tickets?status=all');
    expect((await c.get('/login?next=%2Fusers%2F%252F%252Fx')).headers.location).toBe('/users/%2F%2Fx');
  });

  it('never shows a tricky next back in the sign-in form', async () => {
    for (const next of TRICKY) {
      const page = await svc.app.inject({ url: `/login?next=${encodeURIComponent(next)}` });
      const shown = /name="next" value="([^"]*)"/.exec(page.body)![1]!;
      expect(shown === '' || !offSite(shown), `${JSON.stringify(next)} shown as ${shown}`).toBe(true);
    }
  });
});

describe('the sign-in limit', () => {
  let svc: Awaited<ReturnType<typeof startTestService>>;
  let db: Db;
  let ann: Awaited<ReturnType<typeof makeAgent>>;
  beforeAll(async () => {
    svc = await startTestService();
    db = createPrisma(svc.databaseUrl);
    ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
  });
  afterAll(async () => {
    await db?.$disconnect();
    await svc?.stop();
    await svc?.dropDb();
  });

  it('evaluates at most 5 of 25 wrong passwords sent at once', async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => postLogin(svc, '10.9.9.9', ann.email, `wrong password ${i}`)));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((s) => s === 401).length).toBe(5);
    expect(codes.filter((s) => s === 429).length).toBe(20);
    // and the right password from there waits too
    expect((await postLogin(svc, '10.9.9.9', ann.email, ann.password)).statusCode).toBe(429);
  });
});

describe('the client address behind a proxy', () => {
  it('keys the limit on X-Forwarded-For only from a trusted proxy (TRUST_PROXY)', async () => {
    const svc = await startTestService({ TRUST_PROXY: '127.0.0.1,10.0.0.0/8' });
    try {
      const ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
      const viaProxy = (client: string) => ({ 'x-forwarded-for': client });
      for (let i = 0; i < 5; i++) expect((await postLogin(svc, '10.0.0.2', ann.email, `wrong ${i}`, viaProxy('203.0.113.7'))).statusCode).toBe(401);
      expect((await postLogin(svc, '10.0.0.2', ann.email, ann.password, viaProxy('203.0.113.7'))).statusCode).toBe(429);
      // another client behind the same proxy is another address
      expect((await postLogin(svc, '10.0.0.2', ann.email, ann.password, viaProxy('198.51.100.4'))).statusCode).toBe(303);
      // a header sent by someone who is not a trusted proxy is not believed: that caller is its own address
      for (let i = 0; i < 5; i++) await postLogin(svc, '192.0.2.50', ann.email, `wrong ${i}`, viaProxy(`198.51.100.${10 + i}`));
      expect((await postLogin(svc, '192.0.2.50', ann.email, ann.password, viaProxy('198.51.100.99'))).statusCode).toBe(429);
    } finally {
      await svc.stop();
      await svc.dropDb();
    }
  });

  it('believes no X-Forwarded-For by default', async () => {
    const svc = await startTestService();
    try {
      const ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
      for (let i = 0; i < 5; i++) await postLogin(svc, '127.0.0.1', ann.email, `wrong ${i}`, { 'x-forwarded-for': `203.0.113.${i}` });
      expect((await postLogin(svc, '127.0.0.1', ann.email, ann.password, { 'x-forwarded-for': '203.0.113.200' })).statusCode).toBe(429);
    } finally {
      await svc.stop();
      await svc.dropDb();
    }
  });
});
