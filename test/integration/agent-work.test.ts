/**
 * What speeds agents up, through the real service and its API: tags, the queue's sorts, saved views with counts,
 * macros and bulk changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createAgent } from '../helpers/api-client.ts';
import { ADMIN_TOKEN, startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let call: ReturnType<typeof apiClient>;
let ann: { id: string; token: string };
let bob: { id: string; token: string };

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  call = apiClient(svc);
  ann = await createAgent(call, 'ann@support.example', 'Ann');
  bob = await createAgent(call, 'bob@support.example', 'Bob');
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

async function ticket(subject: string, extra: Record<string, unknown> = {}, token = ann.token) {
  const r = await call('POST', '/tickets', { subject, description: `${subject}, described`, requesterEmail: 'carol@customer.example', ...extra }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.ticket as { number: number; version: number; tags: string[] };
}
const numbers = (r: { body: { tickets: { number: number }[] } }) => r.body.tickets.map((t) => t.number);

describe('tags', () => {
  it('are folded, added and removed, filtered by and suggested', async () => {
    const t = await ticket('Invoice wrong', { tags: ['Billing', ' VIP '] });
    expect(t.tags).toEqual(['billing', 'vip']);
    const r = await call('PATCH', `/tickets/${t.number}`, { addTags: ['Refund', 'ВАЖНО'], removeTags: ['vip'] }, ann.token);
    expect(r.status).toBe(200);
    expect(r.body.ticket.tags).toEqual(['billing', 'refund', 'важно']);
    const other = await ticket('Invoice late', { tags: ['billing'] });
    expect(numbers(await call('GET', '/tickets?tag=billing', undefined, ann.token)).sort()).toEqual([t.number, other.number].sort());
    expect(numbers(await call('GET', '/tickets?tag=billing,Refund', undefined, ann.token))).toEqual([t.number]);
    expect((await call('GET', '/tags?prefix=b', undefined, ann.token)).body.tags).toEqual(['billing']);
    const events = (await call('GET', `/tickets/${t.number}/events`, undefined, ann.token)).body.events;
    expect(events.find((e: { kind: string }) => e.kind === 'tags')).toMatchObject({ from: 'billing vip', to: 'billing refund важно' });
  });
  it('refuses what is not a tag, and too many', async () => {
    const t = await ticket('Tag limits');
    const bad = await call('PATCH', `/tickets/${t.number}`, { addTags: ['no,commas'] }, ann.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^tags:/);
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
    expect((await call('PATCH', `/tickets/${t.number}`, { tags: many }, ann.token)).status).toBe(200);
    expect((await call('PATCH', `/tickets/${t.number}`, { addTags: ['one-more'] }, ann.token)).status).toBe(400);
    expect((await call('GET', '/tickets?tag=%23x', undefined, ann.token)).status).toBe(400);
  });
});

describe('sorting the queue', () => {
  let low = 0;
  let urgent = 0;
  let high = 0;
  beforeAll(async () => {
    low = (await ticket('Sort low', { priority: 'low', tags: ['sorting'] })).number;
    urgent = (await ticket('Sort urgent', { priority: 'urgent', tags: ['sorting'] })).number;
    high = (await ticket('Sort high', { priority: 'high', tags: ['sorting'] })).number;
  });
  it('by priority, most urgent first, a page at a time', async () => {
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const r = await call('GET', `/tickets?tag=sorting&sort=priority&limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, ann.token);
      expect(r.status).toBe(200);
      seen.push(...numbers(r));
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual([urgent, high, low]);
    expect(numbers(await call('GET', '/tickets?tag=sorting&sort=priority&order=asc', undefined, ann.token))).toEqual([low, high, urgent]);
  });
  it('by last update and by creation', async () => {
    await call('PATCH', `/tickets/${low}`, { status: 'open' }, ann.token);
    expect(numbers(await call('GET', '/tickets?tag=sorting&sort=updated', undefined, ann.token))[0]).toBe(low);
    expect(numbers(await call('GET', '/tickets?tag=sorting&sort=created', undefined, ann.token))).toEqual([high, urgent, low]);
    expect(numbers(await call('GET', '/tickets?tag=sorting&sort=created&order=asc', undefined, ann.token))).toEqual([low, urgent, high]);
  });
  it('ignores a cursor made for another sort', async () => {
    const first = await call('GET', '/tickets?tag=sorting&sort=priority&limit=1', undefined, ann.token);
    const r = await call('GET', `/tickets?tag=sorting&sort=updated&limit=3&cursor=${first.body.nextCursor}`, undefined, ann.token);
    expect(numbers(r)).toHaveLength(3);
  });
  it('filters by assignee: me, none, an id', async () => {
    await call('PATCH', `/tickets/${urgent}`, { assigneeId: bob.id }, ann.token);
    expect(numbers(await call('GET', '/tickets?tag=sorting&assigneeId=me', undefined, bob.token))).toEqual([urgent]);
    expect(numbers(await call('GET', `/tickets?tag=sorting&assigneeId=${bob.id}`, undefined, ann.token))).toEqual([urgent]);
    expect(numbers(await call('GET', '/tickets?tag=sorting&assigneeId=none', undefined, ann.token)).sort()).toEqual([low, high].sort());
  });
});

describe('views', () => {
  it('has the four built-in views with counts, resolved for whoever looks', async () => {
    const t = await ticket('Mine to do');
    await call('PATCH', `/tickets/${t.number}`, { assigneeId: ann.id }, bob.token);
    const views = (await call('GET', '/views', undefined, ann.token)).body.views;
    expect(views.filter((v: { builtIn: boolean }) => v.builtIn).map((v: { id: string }) => v.id)).toEqual(['mine', 'unassigned', 'waiting', 'breaching']);
    const mine = views.find((v: { id: string }) => v.id === 'mine');
    expect(mine.count).toBe(1);
    expect(numbers(await call('GET', '/tickets?view=mine', undefined, ann.token))).toEqual([t.number]);
    const bobsMine = (await call('GET', '/views', undefined, bob.token)).body.views.find((v: { id: string }) => v.id === 'mine');
    expect(bobsMine.count).toBe(1); // the urgent ticket of the sorting tests
  });
  it('keeps personal views to their owner and shared ones to admins', async () => {
    const created = await call('POST', '/views', { name: 'VIP billing', filters: { tags: ['VIP', 'billing'] }, sort: 'updated' }, ann.token);
    expect(created.status).toBe(201);
    expect(created.body.view).toMatchObject({ name: 'VIP billing', shared: false, builtIn: false, filters: { tags: ['billing', 'vip'] } });
    const id = created.body.view.id;
    const listed = (await call('GET', '/views', undefined, ann.token)).body.views.find((v: { id: string }) => v.id === id);
    expect(listed.count).toBe(0); // the VIP tag was removed from the invoice ticket above
    expect((await call('GET', '/views', undefined, bob.token)).body.views.map((v: { id: string }) => v.id)).not.toContain(id);
    expect((await call('GET', `/tickets?view=${id}`, undefined, bob.token)).status).toBe(404);
    expect((await call('PUT', `/views/${id}`, { name: 'Taken' }, bob.token)).status).toBe(404);
    expect((await call('POST', '/views', { name: 'Everyone', shared: true }, ann.token)).status).toBe(403);
    const shared = await call('POST', '/views', { name: 'Urgent ones', shared: true, filters: { priority: 'urgent' } }, ADMIN_TOKEN);
    expect(shared.status).toBe(201);
    expect((await call('GET', `/tickets?view=${shared.body.view.id}`, undefined, bob.token)).status).toBe(200);
    expect((await call('DELETE', `/views/${shared.body.view.id}`, undefined, bob.token)).status).toBe(403);
    expect((await call('DELETE', `/views/${id}`, undefined, ann.token)).status).toBe(204);
    expect((await call('GET', '/tickets?view=nonesuch', undefined, ann.token)).status).toBe(404);
  });
});

describe('macros', () => {
  let macroId = '';
  it('a saved reply that also sets status, assignee and tags, in one step', async () => {
    const m = await call(
      'POST',
      '/macros',
      { name: 'Ask for logs', body: 'Hello {{requester.name}}, please send the logs for #{{ticket.number}}. {{agent.name}}', public: true, status: 'pending', assignToSelf: true, addTags: ['Needs-Logs'] },
      ann.token,
    );
    expect(m.status).toBe(201);
    expect(m.body.macro).toMatchObject({ shared: false, addTags: ['needs-logs'] });
    macroId = m.body.macro.id;
    const t = await ticket('Crash on start');
    const etag = (await call('GET', `/tickets/${t.number}`, undefined, ann.token)).headers.etag as string;
    const r = await call('POST', `/tickets/${t.number}/apply-macro`, { macroId }, ann.token, { 'if-match': etag });
    expect(r.status).toBe(200);
    expect(r.headers.etag).toBe(`"${t.number}-${r.body.ticket.version}"`);
    expect(r.body.comment).toMatchObject({ public: true, body: `Hello carol, please send the logs for #${t.number}. Ann` });
    expect(r.body.ticket).toMatchObject({ status: 'pending', assignee: { id: ann.id }, tags: ['needs-logs'] });
    // the same ETag again is stale now: nothing is applied twice
    const twice = await call('POST', `/tickets/${t.number}/apply-macro`, { macroId }, ann.token, { 'if-match': etag });
    expect(twice.status).toBe(412);
    expect((await call('GET', `/tickets/${t.number}/comments`, undefined, ann.token)).body.comments).toHaveLength(2);
  });
  it('a refusal of one part undoes the reply too', async () => {
    const full = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const t = await ticket('Tagged to the limit', { tags: full });
    const m = await call('POST', '/macros', { name: 'On it', body: 'We are on it', public: true, addTags: ['overflow'] }, ann.token);
    const r = await call('POST', `/tickets/${t.number}/apply-macro`, { macroId: m.body.macro.id }, ann.token);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/at most 20 tags/);
    // the reply came first in the macro, and is gone with the refused tag change
    expect((await call('GET', `/tickets/${t.number}/comments`, undefined, ann.token)).body.comments).toHaveLength(1);
    expect((await call('GET', `/tickets/${t.number}`, undefined, ann.token)).body.ticket.version).toBe(t.version);
  });
  it("keeps personal macros to their owner; a macro must do something", async () => {
    expect((await call('GET', '/macros', undefined, bob.token)).body.macros.map((m: { id: string }) => m.id)).not.toContain(macroId);
    const t = await ticket('Not yours');
    expect((await call('POST', `/tickets/${t.number}/apply-macro`, { macroId }, bob.token)).status).toBe(404);
    expect((await call('POST', '/macros', { name: 'Nothing' }, bob.token)).status).toBe(400);
    expect((await call('POST', '/macros', { name: 'Shared', shared: true, status: 'open' }, bob.token)).status).toBe(403);
    const shared = await call('POST', '/macros', { name: 'Escalate', shared: true, priority: 'urgent', addTags: ['escalated'] }, ADMIN_TOKEN);
    expect(shared.status).toBe(201);
    const applied = await call('POST', `/tickets/${t.number}/apply-macro`, { macroId: shared.body.macro.id }, bob.token);
    expect(applied.body.ticket).toMatchObject({ priority: 'urgent', tags: ['escalated'] });
    expect(applied.body.comment).toBeNull();
    expect((await call('PUT', `/macros/${shared.body.macro.id}`, { name: 'Mine now', priority: 'low' }, bob.token)).status).toBe(403);
  });
});

describe('bulk changes', () => {
  it('changes each ticket on its own and reports what it refused', async () => {
    const a = await ticket('Bulk a');
    const b = await ticket('Bulk b');
    const c = await ticket('Bulk c');
    const db = (await import('../../src/infra/db/prisma.ts')).createPrisma(svc.databaseUrl);
    await db.ticket.update({ where: { number: c.number }, data: { status: 'closed' } });
    await db.$disconnect();
    await call('PATCH', `/tickets/${b.number}`, { priority: 'low' }, bob.token); // b moves on after it was listed
    const r = await call(
      'POST',
      '/tickets/bulk',
      { tickets: [{ number: a.number, version: a.version }, { number: b.number, version: b.version }, { number: c.number }, { number: 999999 }], assigneeId: bob.id, status: 'open', addTags: ['bulk'] },
      ann.token,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ changed: 1, refused: 3 });
    expect(r.body.results.map((x: { number: number; changed: boolean; error?: { code: string } }) => [x.number, x.changed, x.error?.code ?? null])).toEqual([
      [a.number, true, null],
      [b.number, false, 'stale_ticket'],
      [c.number, false, 'ticket_closed'],
      [999999, false, 'ticket_not_found'],
    ]);
    const changed = (await call('GET', `/tickets/${a.number}`, undefined, ann.token)).body.ticket;
    expect(changed).toMatchObject({ status: 'open', assignee: { id: bob.id }, tags: ['bulk'] });
    expect(changed.version).toBe(r.body.results[0].version);
    expect((await call('GET', `/tickets/${b.number}`, undefined, ann.token)).body.ticket).toMatchObject({ status: 'new', assignee: null, tags: [] });
    const kinds = (await call('GET', `/tickets/${a.number}/events`, undefined, ann.token)).body.events.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['assignee', 'tags', 'status']));
  });
  it('refuses an empty change and too many tickets', async () => {
    expect((await call('POST', '/tickets/bulk', { tickets: [{ number: 1 }] }, ann.token)).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => ({ number: i + 1 }));
    expect((await call('POST', '/tickets/bulk', { tickets: many, status: 'open' }, ann.token)).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('lists the new calls with their schemas', async () => {
    const doc = JSON.parse((await svc.app.inject({ url: '/api/v1/openapi.json' })).body);
    const calls: [string, string][] = [['/tickets/bulk', 'post'], ['/tickets/{number}/apply-macro', 'post'], ['/macros/{id}', 'put'], ['/views', 'get'], ['/sla-policies/{priority}', 'put'], ['/notifications', 'get'], ['/notifications/read', 'post'], ['/tags', 'get']];
    for (const [path, method] of calls) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeTruthy();
    }
    expect(doc.paths['/tickets'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['sort', 'order', 'tag', 'view', 'breaching', 'waiting']));
    expect(doc.paths['/tickets/{number}'].patch.responses['412']).toBeTruthy();
  });
});
