/**
 * The queue and ticket page for agents working together, through the real service: views with their counts,
 * sorts, the tags filter, the SLA column, bulk changes (a ticket changed since the queue was loaded is refused,
 * not overwritten), tags on the ticket page, macros (inserted text, applied in one step), and hostile text in
 * every new field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let ann: Awaited<ReturnType<typeof makeAgent>>;
let bob: Awaited<ReturnType<typeof makeAgent>>;
let a: ConsoleClient;

const listed = (body: string) => [...body.matchAll(/<td class="subject"><a href="\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

async function ticket(subject: string, extra: Record<string, unknown> = {}) {
  const r = await api(svc.app, 'POST', '/tickets', { subject, description: `About ${subject}, in detail`, requesterEmail: `${subject.replace(/\W/g, '').toLowerCase()}@acme.example`, ...extra }, ann.token);
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.ticket as { number: number; version: number };
}

beforeAll(async () => {
  svc = await startTestService();
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
  bob = await makeAgent(svc.app, 'bob@support.example', 'Bob Builder');
  a = new ConsoleClient(svc.app);
  await a.signIn(ann.email, ann.password);
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

describe('queue', () => {
  it('shows the built-in views with counts, sorts, filters by tag and shows the SLA due time', async () => {
    await api(svc.app, 'PUT', '/sla-policies/urgent', { firstReplyMinutes: null, nextReplyMinutes: null, resolutionMinutes: 60 });
    const t1 = await ticket('Printer jam', { priority: 'low', tags: ['printer', 'floor-3'] });
    const t2 = await ticket('VPN down', { priority: 'urgent', assigneeId: ann.id, tags: ['vpn'] });
    const t3 = await ticket('Invoice copy', { priority: 'high', tags: ['billing', 'printer'] });
    const page = (await a.get('/tickets')).body;
    expect(page).toMatch(/data-view="mine"[^>]*>My open tickets <span class="view-count">1<\/span>/);
    expect(page).toMatch(/data-view="unassigned"[^>]*>Unassigned <span class="view-count">2<\/span>/);
    expect(page).toMatch(/data-view="breaching"[^>]*>Breaching SLA <span class="view-count">0<\/span>/);
    expect(listed((await a.get('/tickets?view=mine')).body)).toEqual([t2.number]);
    expect(listed((await a.get('/tickets?view=unassigned')).body)).toEqual([t1.number, t3.number]);
    expect(listed((await a.get('/tickets?sort=priority')).body)).toEqual([t2.number, t3.number, t1.number]);
    expect(listed((await a.get('/tickets?sort=created')).body)).toEqual([t3.number, t2.number, t1.number]);
    expect(listed((await a.get('/tickets?tag=printer')).body).sort()).toEqual([t1.number, t3.number].sort());
    expect(listed((await a.get('/tickets?tag=PRINTER,%20floor-3')).body)).toEqual([t1.number]);
    // The urgent ticket has a resolution target an hour out: due soon, not breached.
    expect(page).toMatch(new RegExp(`data-number="${t2.number}"[\\s\\S]*?<span class="sla-due sla-soon" data-sla="soon">due <time`));
    // Hostile query values become "any", never markup.
    const bad = await a.get(`/tickets?sort=${encodeURIComponent(XSS)}&view=${encodeURIComponent(XSS)}&tag=${encodeURIComponent(XSS)}&cursor=${encodeURIComponent(XSS)}`);
    expect(bad.statusCode).toBe(200);
    expect(bad.body).not.toContain('<script>alert');
    expect(bad.body).not.toContain('<img src=x');
  });

  it('changes the selected tickets in bulk, refusing one changed since the queue was loaded', async () => {
    const t1 = await ticket('Bulk one');
    const t2 = await ticket('Bulk two');
    const queue = (await a.get('/tickets')).body;
    const v1 = new RegExp(`value="${t1.number}:(\\d+)"`).exec(queue)![1]!;
    const v2 = new RegExp(`value="${t2.number}:(\\d+)"`).exec(queue)![1]!;
    // Bob changes the second ticket after Ann's queue was drawn.
    await api(svc.app, 'PATCH', `/tickets/${t2.number}`, { priority: 'low' }, bob.token);
    const body = new URLSearchParams({ _csrf: a.token, back: '/tickets?sort=created', priority: 'urgent', assignee: bob.id, status: '' });
    body.append('t', `${t1.number}:${v1}`);
    body.append('t', `${t2.number}:${v2}`);
    const r = await svc.app.inject({ method: 'POST', url: '/tickets/bulk', headers: { cookie: a.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString(), remoteAddress: a.remoteAddress });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/tickets?sort=created&bulk=1-1');
    const after1 = (await api(svc.app, 'GET', `/tickets/${t1.number}`)).body.ticket;
    const after2 = (await api(svc.app, 'GET', `/tickets/${t2.number}`)).body.ticket;
    expect([after1.priority, after1.assignee?.id]).toEqual(['urgent', bob.id]);
    expect([after2.priority, after2.assignee]).toEqual(['low', null]);
    expect((await a.get(r.headers.location as string)).body).toContain('Changed 1 tickets; 1 were not changed');
    // Nothing selected, or an unknown assignee: refused, nothing changes.
    expect((await a.post('/tickets/bulk', { priority: 'low' })).statusCode).toBe(400);
    expect((await a.post('/tickets/bulk', { t: `${t1.number}:999`, assignee: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(400);
  });
});

describe('ticket page', () => {
  it('edits tags with a version check, and shows them escaped', async () => {
    const t = await ticket('Tag me');
    const page = (await a.get(`/tickets/${t.number}`)).body;
    const version = /name="version" value="(\d+)"/.exec(page)![1]!;
    const seen = /name="seen" value="(\d+)"/.exec(page)![1]!;
    expect((await a.post(`/tickets/${t.number}/tags`, { tags: 'VPN, Floor-3  urgent-fix', version, seen })).statusCode).toBe(303);
    expect((await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket.tags).toEqual(['floor-3', 'urgent-fix', 'vpn']);
    // The same old version again: stale, refused.
    const stale = await a.post(`/tickets/${t.number}/tags`, { tags: 'other', version, seen });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Tags changed from “” to “floor-3 urgent-fix vpn”');
    expect((await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket.tags).toEqual(['floor-3', 'urgent-fix', 'vpn']);
    const bad = await a.post(`/tickets/${t.number}/tags`, { tags: XSS });
    expect(bad.statusCode).toBeLessThan(500);
    expect(bad.body).not.toContain('<script>alert');
  });

  it('offers macros in the composer (text filled in, escaped) and applies one in a single step', async () => {
    const t = await ticket('Macro target');
    const m = await api(svc.app, 'POST', '/macros', { name: `Reset <b>pw</b>`, body: 'Hello {{requester.name}}, try again. ' + XSS, public: true, status: 'pending', priority: null, assigneeId: null, assignToSelf: true, addTags: ['pw'], removeTags: [] }, ann.token);
    expect(m.status).toBe(201);
    const page = (await a.get(`/tickets/${t.number}`)).body;
    expect(page).toContain('id="macro-pick"');
    expect(page).toContain('Reset &lt;b&gt;pw&lt;/b&gt;</option>');
    expect(page).toContain('data-body="Hello macrotarget, try again. &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert');
    const version = /name="version" value="(\d+)"/.exec(page)![1]!;
    expect((await a.post(`/tickets/${t.number}/macro`, { macro: m.body.macro.id, version })).statusCode).toBe(303);
    const after = (await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket;
    expect([after.status, after.assignee?.id, after.tags]).toEqual(['pending', ann.id, ['pw']]);
    expect((await a.post(`/tickets/${t.number}/macro`, { macro: XSS })).statusCode).toBe(400);
    expect((await a.post(`/tickets/${t.number}/macro`, { macro: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(400);
  });
});
