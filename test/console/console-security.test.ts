/**
 * The console's defences: every page and form without a session, forms with another agent's token or none, and
 * HTML or script in every field a person can fill in, shown escaped and never as markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { startTestService, threadTicket } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let ann: Awaited<ReturnType<typeof makeAgent>>;
let bob: Awaited<ReturnType<typeof makeAgent>>;
let ticketNo = 0;
let userId = '';

const XSS = {
  subject: '<script>window.__x=1</script>Subject',
  description: '<img src=x onerror="window.__x=2">Description',
  comment: '"><script>window.__x=3</script><b>bold</b>',
  name: '<svg onload="window.__x=4">Name',
  organization: '<iframe src="javascript:alert(5)"></iframe>Org',
  search: '"><script>window.__x=6</script>',
  phone: '<a href="javascript:alert(7)">+1</a>',
};

/** Only the console's own script tag; nothing a person typed became a tag. */
function assertInert(body: string, what: string) {
  expect(body.match(/<script/g)?.length ?? 0, what).toBe(1);
  expect(body, what).toContain('<script src="/console/assets/console.js');
  for (const tag of ['<img', '<svg onload', '<iframe', '<b>bold', '<a href="javascript']) expect(body, `${what}: ${tag}`).not.toContain(tag);
  expect(body, what).not.toMatch(/href="javascript:/i);
}

beforeAll(async () => {
  svc = await startTestService();
  db = createPrisma(svc.databaseUrl);
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
  bob = await makeAgent(svc.app, 'bob@support.example', 'Bob');
  const user = await api(svc.app, 'POST', '/users', { email: 'eve@customer.example', name: XSS.name, organization: XSS.organization, phone: '+1 555 0100' });
  userId = user.body.user.id;
  const t = await api(svc.app, 'POST', '/tickets', { subject: XSS.subject, description: XSS.description, requesterId: userId }, ann.token);
  ticketNo = t.body.ticket.number;
  await api(svc.app, 'POST', `/tickets/${ticketNo}/comments`, { body: XSS.comment, public: true }, ann.token);
  await api(svc.app, 'POST', `/tickets/${ticketNo}/comments`, { body: XSS.comment, public: false }, ann.token);
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

const commentCount = () => db.comment.count();

describe('without a session', () => {
  it('every page redirects to /login, keeping the wanted page', async () => {
    const pages = ['/', '/tickets', '/tickets?status=all&q=x', '/tickets/new', `/tickets/${ticketNo}`, `/users/${userId}`, '/tickets/999999'];
    for (const url of pages) {
      const r = await svc.app.inject({ url });
      expect(r.statusCode, url).toBe(303);
      const loc = r.headers.location as string;
      expect(loc.startsWith('/login'), url).toBe(true);
      if (url !== '/' && url !== '/tickets') expect(decodeURIComponent(loc), url).toBe(`/login?next=${url}`);
      expect(r.body, url).not.toContain('Subject');
    }
  });

  it('the typeahead answers 401', async () => {
    const r = await svc.app.inject({ url: '/console/users.json?q=e' });
    expect(r.statusCode).toBe(401);
    expect(r.body).not.toContain('eve@');
  });

  it('every form is refused (303 to /login) and changes nothing, even with a signed-out visitor\'s token', async () => {
    const c = new ConsoleClient(svc.app);
    await c.get('/login'); // a real token of a signed-out visitor
    const before = await commentCount();
    const forms: [string, Record<string, string>][] = [
      ['/tickets', { subject: 's', description: 'd', requesterId: userId }],
      [`/tickets/${ticketNo}/comments`, { body: 'hi', mode: 'public', status: 'solved' }],
      [`/tickets/${ticketNo}/properties`, { status: 'solved', priority: 'urgent', assignee: '' }],
      [`/tickets/${ticketNo}/private`, {}],
      [`/users/${userId}/link-code`, {}],
      ['/logout', {}],
    ];
    for (const [url, form] of forms) {
      const r = await c.post(url, form);
      expect(r.statusCode, url).toBe(303);
      // A ticket's form leads back to its ticket after signing in (the typed text waits in the browser's draft).
      expect(r.headers.location, url).toBe(url.startsWith(`/tickets/${ticketNo}/`) ? `/login?next=${encodeURIComponent(`/tickets/${ticketNo}`)}` : '/login');
    }
    expect(await commentCount()).toBe(before);
    expect((await api(svc.app, 'GET', `/tickets/${ticketNo}`)).body.ticket.status).toBe('open');
    expect(await db.linkCode.count()).toBe(0);
  });
});

describe('form tokens', () => {
  it('refuses every form with another agent\'s token, or none (403), and changes nothing', async () => {
    const a = new ConsoleClient(svc.app);
    const b = new ConsoleClient(svc.app);
    await a.signIn(ann.email, ann.password);
    await b.signIn(bob.email, bob.password);
    const bobsToken = b.token;
    expect(bobsToken).not.toBe(a.token);
    const before = await commentCount();
    const forms: [string, Record<string, string>][] = [
      ['/tickets', { subject: 'forged', description: 'forged', requesterId: userId }],
      [`/tickets/${ticketNo}/comments`, { body: 'forged', mode: 'public' }],
      [`/tickets/${ticketNo}/properties`, { status: 'solved' }],
      [`/tickets/${ticketNo}/private`, {}],
      [`/users/${userId}/link-code`, {}],
      ['/logout', {}],
    ];
    for (const [url, form] of forms) {
      for (const token of [bobsToken, null, 'forged-token']) {
        const r = await a.post(url, { ...form, _csrf: token });
        expect(r.statusCode, `${url} with ${token}`).toBe(403);
        expect(r.headers['content-type']).toMatch(/text\/html/);
        expect(r.body).toContain('This form has expired or belongs to another session.');
      }
    }
    expect(await commentCount()).toBe(before);
    expect(await db.ticket.count({ where: { subject: 'forged' } })).toBe(0);
    expect(await db.linkCode.count()).toBe(0);
    expect((await a.get('/tickets')).statusCode).toBe(200); // still signed in: the forged sign-out did nothing
    // the agent's own token works
    expect((await a.post(`/tickets/${ticketNo}/comments`, { body: 'genuine', mode: 'internal' })).statusCode).toBe(303);
  });

  it('refuses a sign-in form posted with another visitor\'s token', async () => {
    const a = new ConsoleClient(svc.app);
    const b = new ConsoleClient(svc.app);
    await a.get('/login');
    await b.get('/login');
    const r = await a.post('/login', { email: ann.email, password: ann.password, _csrf: b.token });
    expect(r.statusCode).toBe(403);
    expect(r.cookies.some((x: { name: string }) => x.name === 'tb_session')).toBe(false);
  });

  it('limits sign-in posts per address', async () => {
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await c.post('/login', { email: `x${i}@support.example`, password: 'nope nope' })).statusCode;
    expect(last).toBe(429);
  });
});

describe('malformed input', () => {
  it('never gets a 5xx', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    const cookie = c.cookieHeader();
    const requests: { method: 'GET' | 'POST'; url: string; payload?: string; type?: string; cookie?: string }[] = [
      { method: 'POST', url: '/login', payload: '[]', type: 'application/json' },
      { method: 'POST', url: '/login', payload: 'null', type: 'application/json' },
      { method: 'POST', url: '/login', payload: '{"email":{"$gt":""},"password":[1]}', type: 'application/json' },
      { method: 'POST', url: '/login', payload: 'email[]=a&email[]=b&password=x', type: 'application/x-www-form-urlencoded' },
      { method: 'POST', url: '/login', payload: 'plain text', type: 'text/plain' },
      { method: 'POST', url: `/tickets/${ticketNo}/comments`, payload: `_csrf=${encodeURIComponent(c.token)}&body[]=a&body[]=b&mode[]=public`, type: 'application/x-www-form-urlencoded', cookie },
      { method: 'POST', url: '/tickets', payload: `_csrf=${encodeURIComponent(c.token)}&requesterId=not-a-uuid&service=00000000-0000-4000-8000-000000000000&subject=s&description=d`, type: 'application/x-www-form-urlencoded', cookie },
      { method: 'GET', url: '/tickets?status[]=x&q[]=y&cursor[]=z', cookie },
      { method: 'GET', url: `/tickets?q=${'x'.repeat(5000)}`, cookie },
      { method: 'GET', url: '/tickets/%00', cookie },
      { method: 'GET', url: '/tickets/99999999999999999999', cookie },
      { method: 'GET', url: '/users/%E0%A4%A', cookie },
      { method: 'GET', url: '/users/not-a-uuid', cookie },
      { method: 'GET', url: '/console/assets/..%2f..%2fpackage.json' },
      { method: 'GET', url: '/console/assets/__proto__' },
      { method: 'GET', url: `/invite/${'a'.repeat(150)}` },
      { method: 'GET', url: '/tickets', cookie: 'tb_session=%%%; tb_csrf=%zz' },
      { method: 'GET', url: '/login', cookie: `tb_session=${'a'.repeat(4000)}` },
      { method: 'GET', url: '/console/users.json?q[]=a', cookie },
    ];
    for (const r of requests) {
      const res = await svc.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...(r.type ? { 'content-type': r.type } : {}), ...(r.cookie ? { cookie: r.cookie } : {}) } });
      expect(res.statusCode, `${r.method} ${r.url} ${r.payload ?? ''}`).toBeLessThan(500);
    }
  });
});

describe('what people typed is shown, escaped, never run', () => {
  it('on the queue, the ticket page, the profile, the search and the new-ticket form', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    const queue = await c.get('/tickets?status=all');
    assertInert(queue.body, 'queue');
    expect(queue.body).toContain('&lt;script&gt;window.__x=1&lt;/script&gt;Subject');
    expect(queue.body).toContain('&lt;svg onload=&quot;window.__x=4&quot;&gt;Name');

    const search = await c.get(`/tickets?status=all&q=${encodeURIComponent(XSS.search)}`);
    assertInert(search.body, 'search');
    expect(search.body).toContain('value="&quot;&gt;&lt;script&gt;window.__x=6&lt;/script&gt;"');

    const page = await c.get(`/tickets/${ticketNo}`);
    expect(page.statusCode).toBe(200);
    assertInert(page.body, 'ticket page');
    expect(page.body).toContain('&lt;img src=x onerror=&quot;window.__x=2&quot;&gt;Description');
    expect(page.body).toContain('&quot;&gt;&lt;script&gt;window.__x=3&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;');
    expect(page.body).toContain('&lt;iframe src=&quot;javascript:alert(5)&quot;&gt;&lt;/iframe&gt;Org');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    const profile = await c.get(`/users/${userId}`);
    assertInert(profile.body, 'profile');
    expect(profile.body).toContain('&lt;svg onload=&quot;window.__x=4&quot;&gt;Name');

    // a refused new-ticket form shows what was typed again, escaped
    await c.get('/tickets/new');
    const again = await c.post('/tickets', { subject: XSS.subject, description: XSS.description, requesterQuery: XSS.search, newName: XSS.name, newOrganization: XSS.organization, newPhone: XSS.phone });
    expect(again.statusCode).toBe(400);
    assertInert(again.body, 'new ticket form');
    expect(again.body).toContain('value="&lt;script&gt;window.__x=1&lt;/script&gt;Subject"');
    expect(again.body).toContain('value="&lt;a href=&quot;javascript:alert(7)&quot;&gt;+1&lt;/a&gt;"');

    // names an admin gave (a service) are escaped too
    await api(svc.app, 'POST', '/services', { name: '<script>svc</script>' });
    const newForm = await c.get('/tickets/new');
    assertInert(newForm.body, 'new ticket form with a service name');
    expect(newForm.body).toContain('&lt;script&gt;svc&lt;/script&gt;');
  });

  it('never links a stored non-http URL (a chat permalink of javascript:)', async () => {
    const { ticket } = await threadTicket(svc, {
      via: 'slack',
      requester: { email: 'frank@customer.example', name: 'Frank' },
      subject: 'From chat',
      description: 'A request from a chat message',
      sourceUrl: 'javascript:alert(document.cookie)',
    });
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    const page = await c.get(`/tickets/${ticket.number}`);
    expect(page.body).not.toContain('javascript:alert');
    expect(page.body).not.toContain('Open the original message');
  });

  it('the typeahead answers JSON (never HTML) with the names as data', async () => {
    const c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
    const r = await c.get('/console/users.json?q=%3Csvg');
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(r.body).users.map((u: { name: string }) => u.name)).toEqual([XSS.name]);
  });
});
