/**
 * The console against input the database cannot hold (issue 10 of the security audit): a NUL in a form field,
 * a query string or a path segment is a 400 page in the person's language that says what is wrong, and nothing
 * is stored, with or without a session (sign-in included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/i18n/catalog.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { startTestService } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let ann: Awaited<ReturnType<typeof makeAgent>>;
let ticketNo = 0;
let userId = '';

const NUL = '\u0000';

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  db = createPrisma(svc.databaseUrl);
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
  userId = (await api(svc.app, 'POST', '/users', { email: 'carol@customer.example', name: 'Carol' })).body.user.id;
  ticketNo = (await api(svc.app, 'POST', '/tickets', { subject: 'Console ticket', description: 'Console description', requesterId: userId }, ann.token)).body.ticket.number;
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

const counts = async () => ({ users: await db.user.count(), tickets: await db.ticket.count(), comments: await db.comment.count(), sessions: await db.consoleSession.count() });

describe('sign-in with a NUL', () => {
  for (const lang of ['en', 'ja', 'ru'] as const) {
    it(`POST /login answers 400 with the reason in ${lang}, and signs nobody in`, async () => {
      const c = new ConsoleClient(svc.app, lang);
      await c.get('/login');
      const before = await counts();
      const failuresBefore = await db.signInThrottle.count();
      const r = await c.post('/login', { email: `ann${NUL}@support.example`, password: ann.password, next: '/tickets' });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain(t(lang, 'console:error.nul_character'));
      expect(await counts()).toEqual(before);
      expect(await db.signInThrottle.count()).toBe(failuresBefore);
    });
  }

  it('a NUL in the password or in next is refused the same way', async () => {
    const c = new ConsoleClient(svc.app);
    await c.get('/login');
    expect((await c.post('/login', { email: ann.email, password: `x${NUL}` })).statusCode).toBe(400);
    expect((await c.post('/login', { email: ann.email, password: ann.password, next: `/tickets${NUL}` })).statusCode).toBe(400);
  });
});

describe('signed in', () => {
  let c: ConsoleClient;
  beforeAll(async () => {
    c = new ConsoleClient(svc.app);
    await c.signIn(ann.email, ann.password);
  });

  it('the queue search and filters with a NUL: 400, not a database error', async () => {
    for (const url of ['/tickets?q=%00', '/tickets?q=printer%00', '/tickets?status=%00', '/tickets/new?requester=%00']) {
      const r = await c.get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.body, url).toContain(t('en', 'console:error.nul_character'));
    }
    const typeahead = await c.get('/console/users.json?q=ca%00');
    expect(typeahead.statusCode).toBe(400);
    expect(typeahead.json().error.message).toMatch(/^q: .*NUL/);
  });

  it('a reply, a new ticket or a property with a NUL: 400 and nothing stored', async () => {
    await c.get(`/tickets/${ticketNo}`);
    const before = await counts();
    expect((await c.post(`/tickets/${ticketNo}/comments`, { body: `hello${NUL}`, mode: 'public' })).statusCode).toBe(400);
    await c.get('/tickets/new');
    const created = await c.post('/tickets', { subject: `New${NUL}`, description: 'A description', requesterQuery: 'dave@customer.example', visibility: 'public', priority: 'normal' });
    expect(created.statusCode).toBe(400);
    const withNewUser = await c.post('/tickets', { subject: 'New', description: 'A description', newEmail: 'erin@customer.example', newName: `Erin${NUL}` });
    expect(withNewUser.statusCode).toBe(400);
    await c.get(`/tickets/${ticketNo}`);
    expect((await c.post(`/tickets/${ticketNo}/properties`, { status: `open${NUL}` })).statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('a NUL in a path segment', async () => {
    for (const url of [`/tickets/${ticketNo}%00`, `/users/${userId}%00`, '/invite/abc%00']) {
      const r = await c.get(url);
      expect(r.statusCode, url).toBe(400);
    }
  });

  it('the same forms without a NUL still work (the check is not in the way)', async () => {
    await c.get(`/tickets/${ticketNo}`);
    const r = await c.post(`/tickets/${ticketNo}/comments`, { body: 'a normal note', mode: 'internal' });
    expect(r.statusCode).toBe(303);
  });
});
