/**
 * Lost updates (issue 15): agent A has a ticket open, agent B sets it Urgent and Pending, A changes only the
 * assignee and saves. With the ETag A loaded, A's save is refused (412 stale_ticket) and B's changes stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createAgent } from '../helpers/api-client.ts';
import { startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let call: ReturnType<typeof apiClient>;
let a: { id: string; token: string };
let b: { id: string; token: string };

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  call = apiClient(svc);
  a = await createAgent(call, 'anna@support.example', 'Anna');
  b = await createAgent(call, 'boris@support.example', 'Boris');
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

async function newTicket(): Promise<number> {
  const r = await call('POST', '/tickets', { subject: 'Disk full', description: 'The disk is full again', requesterEmail: 'carol@customer.example' }, a.token);
  expect(r.status).toBe(201);
  expect(r.headers.etag).toBe(`"${r.body.ticket.number}-${r.body.ticket.version}"`);
  return r.body.ticket.number;
}

describe('ETag and If-Match on tickets', () => {
  it("refuses A's save over B's change, and keeps B's change", async () => {
    const n = await newTicket();
    const seenByA = await call('GET', `/tickets/${n}`, undefined, a.token);
    const etagA = seenByA.headers.etag as string;
    expect(etagA).toMatch(/^"\d+-\d+"$/);

    const byB = await call('PATCH', `/tickets/${n}`, { priority: 'urgent', status: 'pending' }, b.token);
    expect(byB.status).toBe(200);
    expect(byB.headers.etag).not.toBe(etagA);

    const byA = await call('PATCH', `/tickets/${n}`, { assigneeId: a.id }, a.token, { 'if-match': etagA });
    expect(byA.status).toBe(412);
    expect(byA.body.error.code).toBe('stale_ticket');

    const now = (await call('GET', `/tickets/${n}`, undefined, a.token)).body.ticket;
    expect(now).toMatchObject({ priority: 'urgent', status: 'pending', assignee: null });

    // Loaded again, A's change goes through on top of B's.
    const fresh = await call('GET', `/tickets/${n}`, undefined, a.token);
    const again = await call('PATCH', `/tickets/${n}`, { assigneeId: a.id }, a.token, { 'if-match': fresh.headers.etag as string });
    expect(again.status).toBe(200);
    expect(again.body.ticket).toMatchObject({ priority: 'urgent', status: 'pending', assignee: { id: a.id } });
  });

  it('a comment is a change too', async () => {
    const n = await newTicket();
    const etag = (await call('GET', `/tickets/${n}`, undefined, a.token)).headers.etag as string;
    expect((await call('POST', `/tickets/${n}/comments`, { body: 'Looking into it', public: false }, b.token)).status).toBe(201);
    expect((await call('PATCH', `/tickets/${n}`, { priority: 'low' }, a.token, { 'if-match': etag })).status).toBe(412);
    // and a comment can be made conditional itself: nothing is added
    const stale = await call('POST', `/tickets/${n}/comments`, { body: 'Closing as duplicate', public: true }, a.token, { 'if-match': etag });
    expect(stale.status).toBe(412);
    const bodies = (await call('GET', `/tickets/${n}/comments`, undefined, a.token)).body.comments.map((c: { body: string }) => c.body);
    expect(bodies).not.toContain('Closing as duplicate');
  });

  it('without If-Match a PATCH applies as before; * and weak tags are understood', async () => {
    const n = await newTicket();
    const first = await call('GET', `/tickets/${n}`, undefined, a.token);
    expect((await call('PATCH', `/tickets/${n}`, { priority: 'high' }, b.token)).status).toBe(200);
    expect((await call('PATCH', `/tickets/${n}`, { priority: 'low' }, a.token)).status).toBe(200);
    expect((await call('PATCH', `/tickets/${n}`, { priority: 'normal' }, a.token, { 'if-match': '*' })).status).toBe(200);
    const cur = await call('GET', `/tickets/${n}`, undefined, a.token);
    expect((await call('PATCH', `/tickets/${n}`, { priority: 'high' }, a.token, { 'if-match': `W/${cur.headers.etag}` })).status).toBe(200);
    expect(cur.body.ticket.version).toBeGreaterThan(first.body.ticket.version);
  });

  it("refuses another ticket's tag and a tag that is not ours, changing nothing", async () => {
    const n1 = await newTicket();
    const n2 = await newTicket();
    const etag1 = (await call('GET', `/tickets/${n1}`, undefined, a.token)).headers.etag as string;
    for (const tag of [etag1, '"garbage"', 'abc']) {
      const r = await call('PATCH', `/tickets/${n2}`, { priority: 'urgent' }, a.token, { 'if-match': tag });
      expect(r.status, tag).toBe(412);
    }
    expect((await call('GET', `/tickets/${n2}`, undefined, a.token)).body.ticket.priority).toBe('normal');
  });

  it('two saves from one version: exactly one wins', async () => {
    const n = await newTicket();
    const etag = (await call('GET', `/tickets/${n}`, undefined, a.token)).headers.etag as string;
    const [x, y] = await Promise.all([
      call('PATCH', `/tickets/${n}`, { priority: 'urgent' }, a.token, { 'if-match': etag }),
      call('PATCH', `/tickets/${n}`, { priority: 'low' }, b.token, { 'if-match': etag }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 412]);
    const winner = x.status === 200 ? 'urgent' : 'low';
    expect((await call('GET', `/tickets/${n}`, undefined, a.token)).body.ticket.priority).toBe(winner);
  });
});
