/**
 * Two agents on one ticket in the console (the real service, forms posted as a browser posts them): a save from a
 * page loaded before someone else's change never overwrites it; the refusal says who changed what since and offers
 * the agent's own change again; only what the agent changed on the form is sent. The Administrator pseudo-user of
 * the API token is never an assignee, and the composer says truthfully where a public reply goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, threadTicket } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let ann: Awaited<ReturnType<typeof makeAgent>>;
let bob: Awaited<ReturnType<typeof makeAgent>>;
let a: ConsoleClient;
let b: ConsoleClient;

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? null;
/** The hidden fields of the form posting to `action`, as the browser would send them. */
function formOf(body: string, action: string): Record<string, string> {
  const start = body.indexOf(`action="${action}"`);
  const form = body.slice(start, body.indexOf('</form>', start));
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!;
  return out;
}

beforeAll(async () => {
  svc = await startTestService();
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
  bob = await makeAgent(svc.app, 'bob@support.example', 'Bob Builder');
  a = new ConsoleClient(svc.app);
  b = new ConsoleClient(svc.app);
  await a.signIn(ann.email, ann.password);
  await b.signIn(bob.email, bob.password);
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

async function newTicket(subject: string) {
  return (await api(svc.app, 'POST', '/tickets', { subject, description: 'The printer on floor 3 is jammed', requesterEmail: `${subject.length}x@acme.example` }, ann.token)).body.ticket.number as number;
}

describe('a stale save', () => {
  it('never overwrites: shows who changed what since, and the agent applies their change again', async () => {
    const n = await newTicket('Printer jam on floor three');
    const annPage = (await a.get(`/tickets/${n}`)).body;
    const annForm = formOf(annPage, `/tickets/${n}/properties`);
    expect(Number(annForm.version)).toBeGreaterThan(0);
    // Bob sets it Urgent and Pending from his own page.
    const bobPage = (await b.get(`/tickets/${n}`)).body;
    const bobForm = formOf(bobPage, `/tickets/${n}/properties`);
    expect((await b.post(`/tickets/${n}/properties`, { ...bobForm, _csrf: b.token, status: 'pending', priority: 'urgent', assignee: '' })).statusCode).toBe(303);
    // Ann, from what she loaded, assigns it to herself (her form still shows Open and Normal).
    const res = await a.post(`/tickets/${n}/properties`, { ...annForm, _csrf: a.token, status: annForm.was_status!, priority: 'normal', assignee: ann.id });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Not saved: this ticket changed since you opened it.');
    expect(res.body).toMatch(/<strong>Bob Builder<\/strong>: Priority changed from Normal to Urgent/);
    expect(res.body).toMatch(/<strong>Bob Builder<\/strong>: Status changed from New to Pending/);
    let t = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket;
    expect([t.status, t.priority, t.assignee]).toEqual(['pending', 'urgent', null]);
    // The page offered again shows Bob's state, with only Ann's own change (the assignee) filled in and marked.
    const again = formOf(res.body, `/tickets/${n}/properties`);
    expect(again.was_priority).toBe('urgent');
    expect(res.body).toMatch(/<select id="p-assignee" name="assignee" class="reapply" data-reapply="1">/);
    expect(res.body).toMatch(new RegExp(`<option value="${ann.id}" selected>Ann Agent</option>`));
    expect(res.body).toMatch(/<select id="p-priority" name="priority">[\s\S]*?<option value="urgent" selected>/);
    expect((await a.post(`/tickets/${n}/properties`, { ...again, _csrf: a.token, status: 'pending', priority: 'urgent', assignee: ann.id })).statusCode).toBe(303);
    t = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket;
    expect([t.status, t.priority, t.assignee?.id]).toEqual(['pending', 'urgent', ann.id]);
  });

  it('sends only the fields the agent changed, so two saves of different fields both stand', async () => {
    const n = await newTicket('VPN drops every hour');
    const annForm = formOf((await a.get(`/tickets/${n}`)).body, `/tickets/${n}/properties`);
    const bobForm = formOf((await b.get(`/tickets/${n}`)).body, `/tickets/${n}/properties`);
    expect((await b.post(`/tickets/${n}/properties`, { ...bobForm, _csrf: b.token, status: 'open', priority: 'high', assignee: '' })).statusCode).toBe(303);
    // Ann's version is old: refused, though she touched another field; nothing of hers or Bob's is lost.
    const r = await a.post(`/tickets/${n}/properties`, { ...annForm, _csrf: a.token, status: 'open', priority: 'normal', assignee: bob.id });
    expect(r.statusCode).toBe(409);
    const t = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket;
    expect([t.priority, t.assignee]).toEqual(['high', null]);
  });

  it('keeps a stale reply out, with its text in the box, and sends it on the second try', async () => {
    const n = await newTicket('Monitor flickers');
    const annForm = formOf((await a.get(`/tickets/${n}`)).body, `/tickets/${n}/comments`);
    await api(svc.app, 'POST', `/tickets/${n}/comments`, { body: 'Bob looked: the cable is loose.', public: false }, bob.token);
    const r = await a.post(`/tickets/${n}/comments`, { ...annForm, _csrf: a.token, body: 'Please <b>replace</b> the cable', mode: 'public', status: '' });
    expect(r.statusCode).toBe(409);
    expect(r.body).toContain('<strong>Bob Builder</strong>: Internal note added');
    expect(r.body).toContain('Please &lt;b&gt;replace&lt;/b&gt; the cable</textarea>');
    let comments = (await api(svc.app, 'GET', `/tickets/${n}/comments`)).body.comments as { body: string }[];
    expect(comments.some((c) => c.body.includes('replace'))).toBe(false);
    const again = formOf(r.body, `/tickets/${n}/comments`);
    expect((await a.post(`/tickets/${n}/comments`, { ...again, _csrf: a.token, body: 'Please replace the cable', mode: 'public', status: '' })).statusCode).toBe(303);
    comments = (await api(svc.app, 'GET', `/tickets/${n}/comments`)).body.comments;
    expect(comments.filter((c) => c.body === 'Please replace the cable')).toHaveLength(1);
  });

  it('refuses a stale "make private" too', async () => {
    const n = await newTicket('Wrong invoice address');
    const form = formOf((await a.get(`/tickets/${n}`)).body, `/tickets/${n}/private`);
    await api(svc.app, 'PATCH', `/tickets/${n}`, { priority: 'low' }, bob.token);
    const r = await a.post(`/tickets/${n}/private`, { ...form, _csrf: a.token });
    expect(r.statusCode).toBe(409);
    expect((await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket.visibility).toBe('public');
  });
});

describe('assignees and the composer hint', () => {
  it('never offers the Administrator pseudo-user, and refuses it as an assignee', async () => {
    // A ticket made with the API's ADMIN_TOKEN: its submitter is the Administrator pseudo-user.
    const made = (await api(svc.app, 'POST', '/tickets', { subject: 'Keyboard missing keys', description: 'Several keys fell off', requesterEmail: 'kb@acme.example' })).body.ticket;
    expect(made.submitter.name).toBe('Administrator');
    const n = made.number as number;
    const page = (await a.get(`/tickets/${n}`)).body;
    expect(page).toContain('>Bob Builder</option>');
    expect(page).not.toContain(`<option value="${made.submitter.id}"`);
    const form = formOf(page, `/tickets/${n}/properties`);
    const r = await a.post(`/tickets/${n}/properties`, { ...form, _csrf: a.token, status: 'open', priority: 'normal', assignee: made.submitter.id });
    expect(r.statusCode).toBe(400);
    expect((await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket.assignee).toBe(null);
  });

  it('says a public reply reaches the help center only when the ticket has no chat thread, and names the chat when it has one', async () => {
    const web = await newTicket('Scanner is slow');
    expect((await a.get(`/tickets/${web}`)).body).toContain('The requester sees this reply in the help center only: this ticket has no working chat thread or email to send it to.');
    const { ticket } = await threadTicket(svc, {
      via: 'test',
      requester: { email: 'chat@acme.example' },
      subject: 'From the chat',
      description: 'The projector in room 2 does not turn on',
      thread: { platform: 'telegram', workspaceId: 'w', chatId: 'C1', threadRef: 't1', locale: 'en' },
    });
    expect((await a.get(`/tickets/${ticket.number}`)).body).toContain('it is sent to: Telegram.');
  });
});
