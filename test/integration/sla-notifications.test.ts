/**
 * What brings work to an agent, through the real service: SLA policies and due times on the ticket, the SLA job's
 * warnings and breaches (each once, with a notification and the breach metric), and notifications of assignment
 * and of the customer's replies. Time passing is simulated by moving a ticket's times back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { apiClient, createAgent } from '../helpers/api-client.ts';
import { ADMIN_TOKEN, startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let call: ReturnType<typeof apiClient>;
let ann: { id: string; token: string };
let bob: { id: string; token: string };
let customer = '';
let sql: pg.Client;

const MIN = 60_000;

beforeAll(async () => {
  svc = await startTestService({ SLA_WARNING_MINUTES: '30' }, { worker: false });
  call = apiClient(svc);
  ann = await createAgent(call, 'ann@support.example', 'Ann');
  bob = await createAgent(call, 'bob@support.example', 'Bob');
  customer = (await call('POST', '/users', { email: 'carol@customer.example', name: 'Carol' })).body.user.id;
  sql = new pg.Client({ connectionString: svc.databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await svc?.stop();
  await svc?.dropDb();
});

/** As if `minutes` had passed for this ticket: every time on it moves back. */
async function age(number: number, minutes: number): Promise<void> {
  const cols = ['created_at', 'solved_at', 'first_reply_at', 'waiting_since', 'first_reply_due_at', 'next_reply_due_at', 'resolution_due_at', 'sla_due_at', 'sla_check_at'];
  await sql.query(`UPDATE tickets SET ${cols.map((c) => `${c} = ${c} - make_interval(mins => $2)`).join(', ')} WHERE number = $1`, [number, minutes]);
}
const asCustomer = { id: '', role: 'end_user' as const };
const get = async (n: number) => (await call('GET', `/tickets/${n}`, undefined, ann.token)).body.ticket;
const notes = async (token: string, q = '') => (await call('GET', `/notifications${q}`, undefined, token)).body;

describe('SLA policies', () => {
  it('are set by admins, per priority, and checked', async () => {
    expect((await call('PUT', '/sla-policies/high', { firstReplyMinutes: 60 }, ann.token)).status).toBe(403);
    const bad = await call('PUT', '/sla-policies/high', { firstReplyMinutes: 60, businessHours: { timeZone: 'Nowhere/Land', hours: [{ day: 1, start: '09:00', end: '17:00' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/time zone/);
    expect((await call('PUT', '/sla-policies/high', {})).status).toBe(400);
    const ok = await call('PUT', '/sla-policies/high', { firstReplyMinutes: 60, nextReplyMinutes: 120, resolutionMinutes: 480 });
    expect(ok.status).toBe(200);
    expect(ok.body.policy).toEqual({ priority: 'high', firstReplyMinutes: 60, nextReplyMinutes: 120, resolutionMinutes: 480, businessHours: null });
    expect((await call('GET', '/sla-policies', undefined, ann.token)).body.policies.map((p: { priority: string }) => p.priority)).toEqual(['high']);
    expect((await call('DELETE', '/sla-policies/urgent')).status).toBe(404);
  });
});

describe('a ticket under an SLA', () => {
  let n = 0;
  beforeAll(() => {
    asCustomer.id = customer;
  });

  it("a customer's request starts the clock; assigning it tells the assignee", async () => {
    const { ticket } = await svc.tickets.create({ subject: 'Site down', description: 'Our site is down since 9:00', via: 'web', submitter: asCustomer, requesterId: customer, priority: 'high' });
    n = ticket.number;
    const t = await get(n);
    const created = Date.parse(t.createdAt);
    expect(t.waitingSince).toBe(t.createdAt);
    expect(Date.parse(t.sla.firstReply.dueAt) - created).toBe(60 * MIN);
    expect(Date.parse(t.sla.resolution.dueAt) - created).toBe(480 * MIN);
    expect(t.sla).toMatchObject({ dueAt: t.sla.firstReply.dueAt, breaching: false, nextReply: null });
    expect((await call('PATCH', `/tickets/${n}`, { assigneeId: ann.id }, bob.token)).status).toBe(200);
    const mine = await notes(ann.token);
    expect(mine.unread).toBe(1);
    expect(mine.notifications[0]).toMatchObject({ kind: 'assigned', ticket: { number: n, subject: 'Site down' }, actor: { id: bob.id, name: 'Bob' }, readAt: null });
  });

  it('warns the assignee before the first reply is due, once', async () => {
    await age(n, 40); // due in 20 minutes: within the 30-minute warning
    expect(await svc.work.sla.checkDue()).toEqual({ warnings: 1, breaches: 0 });
    expect(await svc.work.sla.checkDue()).toEqual({ warnings: 0, breaches: 0 });
    expect((await notes(ann.token)).notifications[0]).toMatchObject({ kind: 'sla_warning', detail: 'first_reply', ticket: { number: n } });
  });

  it('records the breach once, tells the assignee, counts it, and shows the ticket breaching', async () => {
    await age(n, 25); // 5 minutes past due
    expect(await svc.work.sla.checkDue()).toEqual({ warnings: 0, breaches: 1 });
    expect(await svc.work.sla.checkDue()).toEqual({ warnings: 0, breaches: 0 });
    expect((await notes(ann.token)).notifications[0]).toMatchObject({ kind: 'sla_breach', detail: 'first_reply' });
    const t = await get(n);
    expect(t.sla.breaching).toBe(true);
    expect(t.sla.firstReply).toMatchObject({ achievedAt: null, breached: true });
    const metrics = (await svc.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('sla_breaches_total{target="first_reply",priority="high"} 1');
    expect(metrics).toMatch(/sla_breaching_tickets 1\b/);
    const breaching = (await call('GET', '/views', undefined, ann.token)).body.views.find((v: { id: string }) => v.id === 'breaching');
    expect(breaching.count).toBe(1);
    expect((await call('GET', '/tickets?view=breaching', undefined, ann.token)).body.tickets.map((x: { number: number }) => x.number)).toEqual([n]);
  });

  it('the late first reply stops the clock and stays marked as missed', async () => {
    expect((await call('POST', `/tickets/${n}/comments`, { body: 'We are on it', public: true }, ann.token)).status).toBe(201);
    const t = await get(n);
    expect(t.waitingSince).toBeNull();
    expect(t.sla.breaching).toBe(false);
    expect(t.sla.firstReply).toMatchObject({ achievedAt: expect.any(String), breached: true });
    expect(t.sla.dueAt).toBe(t.sla.resolution.dueAt);
    expect((await call('GET', '/tickets?view=breaching', undefined, ann.token)).body.tickets).toEqual([]);
  });

  it("the customer's reply tells the assignee and starts the next-reply target; pending stops it", async () => {
    const { comment } = await svc.tickets.comment(n, asCustomer, { body: 'Still down!', public: true, via: 'web' });
    const t = await get(n);
    expect(t.waitingSince).toEqual(expect.any(String));
    expect(Date.parse(t.sla.nextReply.dueAt) - Date.parse(t.waitingSince)).toBe(120 * MIN);
    expect((await notes(ann.token)).notifications[0]).toMatchObject({ kind: 'customer_replied', commentId: comment!.id, actor: { id: customer, name: 'Carol' } });
    expect((await notes(bob.token)).notifications).toEqual([]); // not Bob's customer
    expect((await call('GET', '/tickets?view=waiting', undefined, ann.token)).body.tickets.map((x: { number: number }) => x.number)).toEqual([n]);
    await call('PATCH', `/tickets/${n}`, { status: 'pending' }, ann.token);
    const pending = await get(n);
    expect(pending.waitingSince).toBeNull();
    expect(pending.sla.nextReply).toBeNull();
  });

  it('a priority without a policy has no running targets', async () => {
    await call('PATCH', `/tickets/${n}`, { priority: 'low', status: 'open' }, ann.token);
    const t = await get(n);
    expect(t.sla).toMatchObject({ dueAt: null, breaching: false, resolution: null });
  });

  it('lists notifications newest first and marks them read, only the agent’s own', async () => {
    const all = await notes(ann.token);
    expect(all.notifications.map((x: { kind: string }) => x.kind)).toEqual(['customer_replied', 'sla_breach', 'sla_warning', 'assigned']);
    expect(all.unread).toBe(4);
    const first = all.notifications[0].id;
    expect((await call('POST', '/notifications/read', { ids: [first] }, bob.token)).body.marked).toBe(0);
    expect((await call('POST', '/notifications/read', { ids: [first] }, ann.token)).body.marked).toBe(1);
    const unread = await notes(ann.token, '?unread=true');
    expect(unread.unread).toBe(3);
    expect(unread.notifications.map((x: { id: string }) => x.id)).not.toContain(first);
    const page = await notes(ann.token, '?limit=2');
    expect(page.notifications).toHaveLength(2);
    const rest = await notes(ann.token, `?limit=2&cursor=${page.nextCursor}`);
    expect(rest.notifications.map((x: { kind: string }) => x.kind)).toEqual(['sla_warning', 'assigned']);
    expect((await call('POST', '/notifications/read', { all: true }, ann.token)).body.marked).toBe(3);
    expect((await notes(ann.token)).unread).toBe(0);
    expect((await call('POST', '/notifications/read', {}, ann.token)).status).toBe(400);
  });

  it('nobody is told of their own doing', async () => {
    const { ticket } = await svc.tickets.create({ subject: 'Self', description: 'Assigned to myself', via: 'web', submitter: asCustomer, requesterId: customer });
    await call('PATCH', `/tickets/${ticket.number}`, { assigneeId: bob.id }, bob.token);
    expect((await notes(bob.token)).notifications).toEqual([]);
  });
});

describe('resolution', () => {
  it('a ticket solved in time stays met when it is closed later', async () => {
    const { ticket } = await svc.tickets.create({ subject: 'Quick one', description: 'Please reset my token', via: 'web', submitter: asCustomer, requesterId: customer, priority: 'high' });
    await call('PATCH', `/tickets/${ticket.number}`, { status: 'solved' }, ann.token);
    await age(ticket.number, 600); // solved 600 minutes ago, 120 minutes before its resolution was due
    expect(await svc.tickets.closeStaleSolved(0)).toBeGreaterThanOrEqual(1);
    const t = await get(ticket.number);
    expect(t.status).toBe('closed');
    expect(t.sla.resolution).toMatchObject({ breached: false });
    expect(Date.parse(t.sla.resolution.achievedAt)).toBeLessThan(Date.parse(t.sla.resolution.dueAt));
  });
});

describe('business hours', () => {
  it('puts the due time inside the schedule', async () => {
    const hours = [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '17:00' }));
    expect((await call('PUT', '/sla-policies/normal', { firstReplyMinutes: 60, businessHours: { timeZone: 'UTC', hours } })).status).toBe(200);
    const { ticket } = await svc.tickets.create({ subject: 'Question', description: 'How do I export data?', via: 'web', submitter: asCustomer, requesterId: customer });
    const t = await get(ticket.number);
    const due = new Date(t.sla.firstReply.dueAt);
    expect(due.getTime() - Date.parse(t.createdAt)).toBeGreaterThanOrEqual(60 * MIN);
    expect([1, 2, 3, 4, 5]).toContain(due.getUTCDay());
    const minuteOfDay = due.getUTCHours() * 60 + due.getUTCMinutes();
    expect(minuteOfDay).toBeGreaterThan(9 * 60);
    expect(minuteOfDay).toBeLessThanOrEqual(17 * 60);
  });
});

describe('admin token', () => {
  it('acts as the admin user for notifications too', async () => {
    expect((await call('GET', '/notifications', undefined, ADMIN_TOKEN)).status).toBe(200);
  });
});
