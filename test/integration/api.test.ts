import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let agentToken = '';
let agentId = '';

async function call(method: string, url: string, body?: unknown, token: string | null = agentToken) {
  const res = await svc.app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: { ...(token ? auth(token) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
}

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  const r = await call('POST', '/agents', { email: 'Agent.One@Support.example', name: 'Agent One', password: 'correct horse battery' }, ADMIN_TOKEN);
  expect(r.status).toBe(201);
  agentToken = r.body.token;
  agentId = r.body.agent.id;
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

describe('agents and auth', () => {
  it('stores the email lower-cased and returns a working token', async () => {
    const services = await call('GET', '/services');
    expect(services.status).toBe(200);
    expect(services.body.services.map((s: { name: string }) => s.name)).toEqual(['General']);
  });
  it('rejects a missing or wrong token with 401 and the error shape', async () => {
    expect(await call('GET', '/tickets', undefined, null)).toEqual({
      status: 401,
      body: { error: { code: 'unauthenticated', message: expect.any(String) } },
    });
    expect((await call('GET', '/tickets', undefined, 'agt_wrong')).status).toBe(401);
  });
  it('forbids agents the admin calls', async () => {
    expect((await call('POST', '/agents', { email: 'x@y.example', name: 'X' })).body.error.code).toBe('forbidden');
    expect((await call('POST', '/services', { name: 'Databases' })).status).toBe(403);
  });
  it('admin adds services; duplicate agent email is 409', async () => {
    const s = await call('POST', '/services', { name: 'Object storage' }, ADMIN_TOKEN);
    expect(s.status).toBe(201);
    expect(s.body.service.name).toBe('Object storage');
    expect((await call('POST', '/agents', { email: 'agent.one@support.example', name: 'Again' }, ADMIN_TOKEN)).status).toBe(409);
  });
});

describe('proactive tickets, visibility and activity (the must-show flow)', () => {
  let publicNo = 0;
  let privateNo = 0;
  let customerId = '';

  it('creates a public ticket for a new customer by email', async () => {
    const r = await call('POST', '/tickets', { subject: 'Backup failed', description: 'Nightly backup failed at 02:00', requesterEmail: 'Carol@Customer.example', priority: 'high' });
    expect(r.status).toBe(201);
    expect(r.body.ticket).toMatchObject({
      subject: 'Backup failed',
      status: 'new',
      priority: 'high',
      visibility: 'public',
      via: 'api',
      requester: { email: 'carol@customer.example', name: 'carol' },
      submitter: { id: agentId },
      url: `http://help.test/tickets/${r.body.ticket.number}`,
      rating: null,
    });
    publicNo = r.body.ticket.number;
    customerId = r.body.ticket.requester.id;
  });

  it('without a requester the agent is the requester', async () => {
    const r = await call('POST', '/tickets', { subject: 'Internal task', description: 'Check the disks' });
    expect(r.body.ticket.requester.id).toBe(agentId);
  });

  it('creates a private ticket whose description is an internal note', async () => {
    const r = await call('POST', '/tickets', { subject: 'Proactive: quota', description: 'Customer is near quota', requesterId: customerId, visibility: 'private' });
    expect(r.status).toBe(201);
    privateNo = r.body.ticket.number;
    expect(privateNo).toBeGreaterThan(publicNo);
    const comments = await call('GET', `/tickets/${privateNo}/comments`);
    expect(comments.body.comments).toHaveLength(1);
    expect(comments.body.comments[0]).toMatchObject({ body: 'Customer is near quota', public: false });
  });

  it("the customer's activity shows the public ticket only", async () => {
    const a = await call('GET', `/users/${customerId}/activity`);
    expect(a.body.tickets.map((t: { number: number }) => t.number)).toEqual([publicNo]);
  });

  it('internal notes on a private ticket keep it private; a public reply makes it public', async () => {
    const note = await call('POST', `/tickets/${privateNo}/comments`, { body: 'checking usage first', public: false });
    expect(note.status).toBe(201);
    expect(note.body.comment.public).toBe(false);
    expect((await call('GET', `/tickets/${privateNo}`)).body.ticket.visibility).toBe('private');
    const reply = await call('POST', `/tickets/${privateNo}/comments`, { body: 'Your quota is at 95%', public: true });
    expect(reply.body.comment.public).toBe(true);
    const t = (await call('GET', `/tickets/${privateNo}`)).body.ticket;
    expect(t.visibility).toBe('public');
    expect(t.status).toBe('open');
    const activity = await call('GET', `/users/${customerId}/activity`);
    expect(activity.body.tickets.map((x: { number: number }) => x.number).sort()).toEqual([publicNo, privateNo].sort());
    // its description was an internal note and stays one: the requester never sees it
    const shown = activity.body.tickets.find((x: { number: number }) => x.number === privateNo);
    expect(shown.description).toBeNull();
    expect(JSON.stringify(activity.body)).not.toContain('Customer is near quota');
  });

  it('a ticket with more than one public comment cannot be made private', async () => {
    await call('POST', `/tickets/${privateNo}/comments`, { body: 'Second public answer', public: true });
    const r = await call('PATCH', `/tickets/${privateNo}`, { visibility: 'private' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('cannot_make_private');
  });

  it('a public ticket with exactly one public comment turns private; its comment becomes internal', async () => {
    const r = await call('PATCH', `/tickets/${publicNo}`, { visibility: 'private' });
    expect(r.status).toBe(200);
    expect(r.body.ticket.visibility).toBe('private');
    const comments = (await call('GET', `/tickets/${publicNo}/comments`)).body.comments;
    expect(comments.map((c: { public: boolean }) => c.public)).toEqual([false]);
    expect((await call('GET', `/users/${customerId}/activity`)).body.tickets.map((x: { number: number }) => x.number)).toEqual([privateNo]);
    // PATCH to public is always 409: only a public reply makes it public
    expect((await call('PATCH', `/tickets/${publicNo}`, { visibility: 'public' })).status).toBe(409);
    const events = (await call('GET', `/tickets/${publicNo}/events`)).body.events;
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['created', 'visibility', 'comment_made_internal']));
  });

  it('status rules: agents cannot close; pending then customer reply etc. happen through the core', async () => {
    expect((await call('PATCH', `/tickets/${privateNo}`, { status: 'closed' })).body.error.code).toBe('forbidden_transition');
    const s = await call('PATCH', `/tickets/${privateNo}`, { status: 'solved', priority: 'urgent' });
    expect(s.body.ticket).toMatchObject({ status: 'solved', priority: 'urgent' });
  });

  it('lists with filters and pages with a cursor', async () => {
    const solved = await call('GET', '/tickets?status=solved');
    expect(solved.body.tickets.map((t: { number: number }) => t.number)).toEqual([privateNo]);
    const byEmail = await call('GET', '/tickets?requesterEmail=CAROL@customer.example');
    expect(byEmail.body.tickets).toHaveLength(2);
    const p1 = await call('GET', '/tickets?limit=1');
    expect(p1.body.tickets).toHaveLength(1);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await call('GET', `/tickets?limit=1&cursor=${p1.body.nextCursor}`);
    expect(p2.body.tickets[0].number).toBeLessThan(p1.body.tickets[0].number);
    const all = await call('GET', '/tickets?limit=200');
    expect(all.body.nextCursor).toBeNull();
    expect((await call('GET', '/tickets?query=quota')).body.tickets.map((t: { number: number }) => t.number)).toEqual([privateNo]);
  });
});

describe('users and requester search', () => {
  it('creates users and finds them by prefix of name, email, domain, phone and organization', async () => {
    const u = await call('POST', '/users', { email: 'dmitry@bigcorp.example', name: 'Dmitry Ivanov', phone: '+7 999 123', organization: 'BigCorp' });
    expect(u.status).toBe(201);
    expect(u.body.user.organization.name).toBe('BigCorp');
    expect((await call('POST', '/users', { email: 'DMITRY@bigcorp.example', name: 'Dup' })).status).toBe(409);
    for (const q of ['dmi', 'DMITRY@', 'bigcorp.ex', '+7 99', 'bigc']) {
      const r = await call('GET', `/users?query=${encodeURIComponent(q)}`);
      expect(r.body.users.map((x: { email: string }) => x.email), q).toContain('dmitry@bigcorp.example');
    }
    expect((await call('GET', '/users?query=ivanov')).body.users).toEqual([]); // prefix, not substring
    expect((await call('GET', '/users?query=%25')).body.users).toEqual([]); // LIKE wildcards are literal
  });
  it('issues one-time link codes', async () => {
    const u = await call('POST', '/users', { email: 'erin@small.example', name: 'Erin' });
    const r = await call('POST', `/users/${u.body.user.id}/link-code`);
    expect(r.status).toBe(201);
    expect(r.body.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(new Date(r.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });
});

describe('bad input never gets a 5xx', () => {
  const cases: [string, string, unknown, number, string?][] = [
    ['POST', '/tickets', '{"subject": ', 400, 'malformed_json'],
    ['POST', '/tickets', { subject: 42, description: 'x' }, 400, 'validation_failed'],
    ['POST', '/tickets', { subject: 'a' }, 400, 'validation_failed'],
    ['POST', '/tickets', { subject: 'a', description: 'b', requesterEmail: 'not-an-email' }, 400],
    ['POST', '/tickets', { subject: 'a', description: 'b', visibility: 'secret' }, 400],
    ['POST', '/tickets', { subject: 'a', description: 'b', extra: true }, 400],
    ['POST', '/tickets', { subject: 'a', description: 'b', requesterId: '00000000-0000-4000-8000-000000000000' }, 404],
    ['POST', '/tickets', { subject: 'a', description: 'b', status: 'closed' }, 409],
    ['GET', '/tickets/999999', undefined, 404, 'ticket_not_found'],
    ['GET', '/tickets/abc', undefined, 400],
    ['GET', '/tickets/-1', undefined, 400],
    ['GET', '/tickets/99999999999999', undefined, 400],
    ['PATCH', '/tickets/999999', { status: 'open' }, 404],
    ['PATCH', '/tickets/1', {}, 400],
    ['PATCH', '/tickets/1', { status: 'done' }, 400],
    ['POST', '/tickets/999999/comments', { body: 'x', public: true }, 404],
    ['POST', '/tickets/1/comments', { body: 'x', public: 'yes' }, 400],
    ['POST', '/tickets/1/comments', { body: '', public: true }, 400],
    ['GET', '/tickets/999999/comments', undefined, 404],
    ['GET', '/tickets?status=bogus', undefined, 400],
    ['GET', '/tickets?limit=500', undefined, 400],
    ['GET', '/users/not-a-uuid/activity', undefined, 400],
    ['GET', '/users/00000000-0000-4000-8000-000000000000/activity', undefined, 404],
    ['POST', '/users/00000000-0000-4000-8000-000000000000/link-code', undefined, 404],
    ['POST', '/users', { email: 'a@b.example' }, 400],
    ['POST', '/users', [], 400],
    ['POST', '/users', 'null', 400],
    ['GET', '/nope', undefined, 404],
  ];
  for (const [method, url, body, status, code] of cases) {
    it(`${method} ${url} ${typeof body === 'string' ? body : JSON.stringify(body ?? '')} -> ${status}`, async () => {
      const r = await call(method, url, body);
      expect(r.status).toBe(status);
      expect(r.body.error.message).toEqual(expect.any(String));
      if (code) expect(r.body.error.code).toBe(code);
    });
  }
  it('treats a cursor it did not make as the first page', async () => {
    const crafted = Buffer.from('1e30').toString('base64url');
    const r = await call('GET', `/tickets?cursor=${crafted}`);
    expect(r.status).toBe(200);
    expect((await call('GET', `/users?cursor=${Buffer.from('{"a":1}').toString('base64url')}`)).status).toBe(200);
  });
  it('refuses an end user as assignee', async () => {
    const u = (await call('POST', '/users', { email: 'not.agent@example.com', name: 'Not Agent' })).body.user;
    const r = await call('POST', '/tickets', { subject: 's', description: 'd', assigneeId: u.id });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^assigneeId:/);
  });
  it('names the field in validation errors', async () => {
    const r = await call('POST', '/tickets', { subject: 'ok', description: 'ok', priority: 'asap' });
    expect(r.body.error.message).toMatch(/^priority:/);
  });
  it('answers 413 to a body over 1 MiB', async () => {
    const r = await call('POST', '/tickets', { subject: 'big', description: 'x'.repeat(1024 * 1024 + 10) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('body_too_large');
  });
  it('answers 415 to a body that is not JSON', async () => {
    const res = await svc.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { ...auth(agentToken), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(res.statusCode).toBe(415);
  });
  it('a closed ticket refuses every change with 409', async () => {
    const t = (await call('POST', '/tickets', { subject: 'to close', description: 'd', requesterEmail: 'frank@x.example' })).body.ticket;
    await call('PATCH', `/tickets/${t.number}`, { status: 'solved' });
    // close it the only ways there are: a rating (through the core, as a chat would) or the auto-close
    await svc.app.inject({ method: 'GET', url: '/healthz' });
    const { createPrisma } = await import('../../src/infra/db/prisma.ts');
    const db = createPrisma(svc.databaseUrl);
    await db.ticket.update({ where: { number: t.number }, data: { status: 'closed' } });
    await db.$disconnect();
    expect((await call('PATCH', `/tickets/${t.number}`, { priority: 'low' })).status).toBe(409);
    expect((await call('POST', `/tickets/${t.number}/comments`, { body: 'hi', public: true })).status).toBe(409);
  });
});

describe('service endpoints', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await svc.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await svc.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const m = await svc.app.inject({ url: '/metrics' });
    expect(m.body).toContain('tickets_created_total{via="api"}');
    expect(m.body).toContain('http_request_duration_seconds_bucket');
    expect(m.body).toContain('process_cpu_user_seconds_total');
    const doc = JSON.parse((await svc.app.inject({ url: '/api/v1/openapi.json' })).body);
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/tickets'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(expect.arrayContaining(['subject', 'description']));
    expect(create.properties.visibility.enum).toEqual(['public', 'private']);
  });
});
