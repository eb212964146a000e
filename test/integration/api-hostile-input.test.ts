/**
 * The API against input a person or a script can send but the database cannot hold, and against the same new
 * thing created twice at once (issue 10 of the security audit): NUL in bodies, query strings and paths, bytes
 * that are not UTF-8, repeated JSON keys, parallel creation by one new email, and a comment whose status change
 * is refused. Each answer is a 4xx (or the success the contract names), never a 5xx, and nothing half-done is
 * stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let agent = '';
let ticketNo = 0;

interface Answer {
  status: number;
  body: any;
}

async function send(method: string, url: string, payload?: string | Buffer, token: string | null = agent): Promise<Answer> {
  const res = await svc.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: { ...(token ? auth(token) : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload } : {}),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
}
const call = (method: string, url: string, body?: unknown, token: string | null = agent) =>
  send(method, url, body === undefined ? undefined : JSON.stringify(body), token);

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  db = createPrisma(svc.databaseUrl);
  agent = (await call('POST', '/agents', { email: 'hostile.agent@support.example', name: 'Agent' }, ADMIN_TOKEN)).body.token;
  ticketNo = (await call('POST', '/tickets', { subject: 'Base ticket', description: 'Base description' })).body.ticket.number;
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

const NUL = '\u0000';

describe('NUL in human input is a 400 that names the field, and nothing is stored', () => {
  const bodies: [string, string, Record<string, unknown>, string][] = [
    ['POST', '/users', { email: 'nul.user@example.com', name: `Nul${NUL}Name` }, 'name'],
    ['POST', '/users', { email: 'nul.org@example.com', name: 'Org', organization: `Acme${NUL}` }, 'organization'],
    ['POST', '/users', { email: `nul${NUL}@example.com`, name: 'Mail' }, 'email'],
    ['POST', '/agents', { email: 'nul.agent@example.com', name: `Agent${NUL}` }, 'name'],
    ['POST', '/services', { name: `Billing${NUL}` }, 'name'],
    ['POST', '/tickets', { subject: `Sub${NUL}ject`, description: 'a description' }, 'subject'],
    ['POST', '/tickets', { subject: 'Subject', description: `De${NUL}scription` }, 'description'],
    ['POST', '/tickets', { subject: 'Subject', description: 'Description', requesterEmail: 'new.nul@example.com', requesterName: `N${NUL}` }, 'requesterName'],
  ];
  for (const [method, url, body, field] of bodies) {
    it(`${method} ${url} with NUL in ${field}`, async () => {
      const usersBefore = await db.user.count();
      const ticketsBefore = await db.ticket.count();
      const servicesBefore = await db.service.count();
      const r = await call(method, url, body, url === '/agents' || url === '/services' ? ADMIN_TOKEN : agent);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.message).toMatch(new RegExp(`^${field}: .*NUL`));
      expect(await db.user.count()).toBe(usersBefore);
      expect(await db.ticket.count()).toBe(ticketsBefore);
      expect(await db.service.count()).toBe(servicesBefore);
    });
  }

  it('a comment or a key with NUL', async () => {
    const before = await db.comment.count();
    const r = await call('POST', `/tickets/${ticketNo}/comments`, { body: `hello${NUL}`, public: true });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^body: .*NUL/);
    const key = await send('POST', `/tickets/${ticketNo}/comments`, `{"body":"hi","public":true,"x\\u0000":1}`);
    expect(key.status).toBe(400);
    expect(key.body.error.code).toBe('validation_failed');
    expect(await db.comment.count()).toBe(before);
  });

  const queries = ['/users?query=%00', '/users?query=ab%00cd', `/tickets?query=%00`, '/tickets?requesterEmail=%00', '/tickets?requesterEmail=a%00%40b.example', '/tickets?via=%00', '/admin/inbound-events?cursor=%00'];
  for (const url of queries) {
    it(`GET ${url}`, async () => {
      const r = await call('GET', url, undefined, url.startsWith('/admin') ? ADMIN_TOKEN : agent);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.message).toMatch(/NUL/);
    });
  }

  it('NUL in a path segment', async () => {
    for (const url of [`/tickets/1%00`, `/users/%00/activity`, `/tickets/${ticketNo}%00/comments`]) {
      const r = await call('GET', url);
      expect(r.status, url).toBe(400);
    }
  });
});

describe('bytes that are not UTF-8, and repeated keys', () => {
  it('a JSON body that is not UTF-8 is 400 malformed_json, and nothing is stored', async () => {
    const before = await db.user.count();
    const bytes = Buffer.concat([Buffer.from('{"email":"latin1@example.com","name":"Ren'), Buffer.from([0xe9, 0xff]), Buffer.from('e"}')]);
    const r = await send('POST', '/users', bytes);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('malformed_json');
    expect(r.body.error.message).toMatch(/UTF-8/);
    expect(await db.user.count()).toBe(before);
  });

  it('a query string with a broken percent-encoding is not a 5xx', async () => {
    for (const url of ['/users?query=%FF', '/users?query=%E9t%C3', '/tickets?query=%C0%80', '/tickets?query=%']) {
      const r = await call('GET', url);
      expect(r.status, url).toBeLessThan(500);
    }
  });

  it('a repeated key: the last one counts (as in JSON.parse), the same in every body', async () => {
    const r = await send('POST', '/users', '{"email":"first.dup@example.com","name":"Dup","email":"second.dup@example.com"}');
    expect(r.status).toBe(201);
    expect(r.body.user.email).toBe('second.dup@example.com');
    expect(await db.user.count({ where: { email: 'first.dup@example.com' } })).toBe(0);
  });
});

describe('the same new email created ten times at once', () => {
  const parallel = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
  const statuses = (rs: Answer[]) => rs.map((r) => r.status).sort();

  it('POST /users: one 201 and nine 409 email_taken', async () => {
    const rs = await parallel(10, (i) => call('POST', '/users', { email: 'Race.User@Example.com', name: `Racer ${i}` }));
    expect(statuses(rs)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of rs.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('email_taken');
    expect(await db.user.count({ where: { email: 'race.user@example.com' } })).toBe(1);
  });

  it('POST /agents: one 201 and nine 409 email_taken; one token', async () => {
    const rs = await parallel(10, (i) => call('POST', '/agents', { email: 'race.agent@support.example', name: `Agent ${i}` }, ADMIN_TOKEN));
    expect(statuses(rs)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of rs.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('email_taken');
    expect(await db.apiToken.count({ where: { user: { email: 'race.agent@support.example' } } })).toBe(1);
  });

  it('POST /tickets with one new requesterEmail: ten tickets for one user', async () => {
    const rs = await parallel(10, (i) => call('POST', '/tickets', { subject: `Race ${i}`, description: 'Ten at once', requesterEmail: 'race.requester@example.com' }));
    expect(statuses(rs)).toEqual(Array(10).fill(201));
    expect(new Set(rs.map((r) => r.body.ticket.requester.id)).size).toBe(1);
    expect(await db.user.count({ where: { email: 'race.requester@example.com' } })).toBe(1);
    expect(await db.ticket.count({ where: { requester: { email: 'race.requester@example.com' } } })).toBe(10);
  });

  it('a new organization named by ten new users at once is one organization', async () => {
    const rs = await parallel(10, (i) => call('POST', '/users', { email: `org.racer${i}@example.com`, name: `Org racer ${i}`, organization: 'Race Org' }));
    expect(statuses(rs)).toEqual(Array(10).fill(201));
    expect(new Set(rs.map((r) => r.body.user.organization.id)).size).toBe(1);
  });

  it('POST /services with one new name: one 201, the others what a later duplicate gets', async () => {
    const rs = await parallel(10, () => call('POST', '/services', { name: 'Race service' }, ADMIN_TOKEN));
    const later = await call('POST', '/services', { name: 'Race service' }, ADMIN_TOKEN);
    expect(later.status).toBe(400);
    expect(statuses(rs)).toEqual([201, ...Array(9).fill(later.status)]);
    for (const r of rs.filter((x) => x.status !== 201)) expect(r.body.error).toEqual(later.body.error);
    expect(await db.service.count({ where: { name: 'Race service' } })).toBe(1);
  });
});

describe('a comment with a status the rules refuse', () => {
  it('answers 409 and keeps no comment, so a retry cannot double it', async () => {
    const t = (await call('POST', '/tickets', { subject: 'Status with comment', description: 'A description' })).body.ticket;
    const comments = () => db.comment.count({ where: { ticket: { number: t.number } } });
    const before = await comments();
    const r = await call('POST', `/tickets/${t.number}/comments`, { body: 'Closing this', public: true, status: 'closed' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('forbidden_transition');
    expect(await comments()).toBe(before);
    expect(await db.outboxEvent.count({ where: { ticket: { number: t.number }, type: 'comment.added' } })).toBe(0);
    const again = await call('POST', `/tickets/${t.number}/comments`, { body: 'Closing this', public: true, status: 'closed' });
    expect(again.status).toBe(409);
    expect(await comments()).toBe(before);
  });

  it('an allowed status is set in the same step as the comment', async () => {
    const t = (await call('POST', '/tickets', { subject: 'Solve with comment', description: 'A description' })).body.ticket;
    const r = await call('POST', `/tickets/${t.number}/comments`, { body: 'Fixed it', public: true, status: 'solved' });
    expect(r.status).toBe(201);
    expect((await call('GET', `/tickets/${t.number}`)).body.ticket.status).toBe('solved');
  });
});
