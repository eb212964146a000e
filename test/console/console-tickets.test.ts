/**
 * What agents do in the console, through the real service and a chat channel on loopback: the queue and its
 * filters, the ticket page, replies and notes with a status in the same step, properties, private tickets, new
 * tickets on behalf of customers, registration codes, and the three languages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { startTestService, threadTicket } from '../helpers/service.ts';
import { createTestChannel } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';
import { api, ConsoleClient, makeAgent } from './console-client.ts';

const platform = new TestPlatform();
let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let ann: Awaited<ReturnType<typeof makeAgent>>;
let bob: Awaited<ReturnType<typeof makeAgent>>;
let c: ConsoleClient;
let seq = 0;

async function chatTicket(extra: { subject?: string; email?: string; sourceUrl?: string } = {}) {
  const n = ++seq;
  const { ticket } = await threadTicket(svc, {
    via: 'test',
    requester: { email: extra.email ?? `cust${n}@acme.example`, name: `Customer ${n}` },
    subject: extra.subject ?? `Chat problem ${n}`,
    description: `The printer on floor ${n} is jammed`,
    thread: { platform: 'test', workspaceId: 'w', chatId: `C${n}`, threadRef: `t${n}`, locale: 'en' },
    sourceUrl: extra.sourceUrl ?? null,
  });
  return { number: ticket.number, chatId: `C${n}`, threadRef: `t${n}` };
}

/** Ticket numbers listed in the queue table, in order. */
function listed(body: string): number[] {
  return [...body.matchAll(/<td class="subject"><a href="\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  await platform.start();
  svc = await startTestService({}, { channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)] });
  db = createPrisma(svc.databaseUrl);
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
  bob = await makeAgent(svc.app, 'bob@support.example', 'Bob Agent');
  c = new ConsoleClient(svc.app);
  await c.signIn(ann.email, ann.password);
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
  await platform.stop();
});

describe('queue', () => {
  it('filters by status, priority, service, assignee, channel and text', async () => {
    const svcId = (await api(svc.app, 'POST', '/services', { name: 'Printers' })).body.service.id;
    const a = (await api(svc.app, 'POST', '/tickets', { subject: 'Invoice missing', description: 'Where is my invoice', requesterEmail: 'q1@acme.example', priority: 'urgent', service: svcId }, ann.token)).body.ticket.number;
    const b = (await api(svc.app, 'POST', '/tickets', { subject: 'Password reset', description: 'Cannot log in', requesterEmail: 'q2@acme.example' }, ann.token)).body.ticket.number;
    await api(svc.app, 'PATCH', `/tickets/${b}`, { status: 'solved', assigneeId: bob.id }, ann.token);
    await api(svc.app, 'PATCH', `/tickets/${a}`, { assigneeId: ann.id }, ann.token);
    const chat = await chatTicket({ subject: 'Toner empty' });

    const unsolved = listed((await c.get('/tickets')).body);
    expect(unsolved).toContain(a);
    expect(unsolved).toContain(chat.number);
    expect(unsolved).not.toContain(b);
    expect(unsolved).toEqual([...unsolved].sort((x, y) => y - x)); // newest first
    expect(listed((await c.get('/tickets?status=solved')).body)).toEqual([b]);
    expect(listed((await c.get('/tickets?status=all')).body)).toEqual(expect.arrayContaining([a, b, chat.number]));
    expect(listed((await c.get('/tickets?priority=urgent')).body)).toEqual([a]);
    expect(listed((await c.get(`/tickets?service=${svcId}`)).body)).toEqual([a]);
    expect(listed((await c.get('/tickets?assignee=me')).body)).toEqual([a]);
    expect(listed((await c.get(`/tickets?status=all&assignee=${bob.id}`)).body)).toEqual([b]);
    expect(listed((await c.get('/tickets?via=test')).body)).toEqual([chat.number]);
    expect(listed((await c.get('/tickets?q=invoice')).body)).toEqual([a]);
    expect(listed((await c.get(`/tickets?status=all&q=%23${b}`)).body)).toEqual([b]);
    const empty = await c.get('/tickets?q=nothing-matches-this');
    expect(empty.body).toContain('No tickets match these filters.');
    // nonsense filters fall back instead of failing
    expect((await c.get('/tickets?status=bogus&service=not-a-uuid&assignee=x&via=%3Cb%3E&cursor=eyJ4Ijox')).statusCode).toBe(200);
    expect((await c.get('/tickets?cursor=MWUzMA')).statusCode).toBe(200); // "1e30"
  });

  it('marks the page for live updates: the stamp changes when a listed ticket does', async () => {
    const t = await chatTicket();
    const stamp = (b: string) => /data-live="queue" data-stamp="([0-9a-f]+)"/.exec(b)?.[1];
    const before = stamp((await c.get('/tickets')).body);
    expect(before).toBeTruthy();
    await api(svc.app, 'PATCH', `/tickets/${t.number}`, { priority: 'high' }, ann.token);
    expect(stamp((await c.get('/tickets')).body)).not.toBe(before);
  });
});

describe('ticket page', () => {
  it('shows a chat ticket: requester with organization and other tickets, channel with a link back, thread oldest first, history', async () => {
    await api(svc.app, 'POST', '/users', { email: 'gina@globex.example', name: 'Gina Globex', organization: 'Globex', phone: '+81 3 1234' });
    const older = await chatTicket({ email: 'gina@globex.example', subject: 'Older request' });
    const t = await chatTicket({ email: 'gina@globex.example', subject: 'Scanner offline', sourceUrl: 'https://chat.example/archives/C1/p123' });
    await svc.app.inject({ method: 'POST', url: '/test/events', headers: { 'x-test-secret': 'test-channel-secret', 'content-type': 'application/json' }, payload: JSON.stringify({ id: 'ev-1', chatId: t.chatId, threadRef: t.threadRef, user: 'gina', email: 'gina@globex.example', text: 'Still offline this morning' }) });
    await waitFor(async () => (await db.comment.count({ where: { ticket: { number: t.number } } })) === 2);
    const page = await c.get(`/tickets/${t.number}`);
    expect(page.statusCode).toBe(200);
    const b = page.body;
    expect(b).toContain('<h1><span class="ticket-number">#' + t.number + '</span> Scanner offline</h1>');
    expect(b).toContain('Gina Globex');
    expect(b).toContain('gina@globex.example');
    expect(b).toContain('Globex');
    expect(b).toContain('+81 3 1234');
    expect(b).toContain(`href="/tickets/${older.number}"`);
    expect(b).toContain('href="https://chat.example/archives/C1/p123"');
    expect(b).toContain('Opened via Test chat');
    expect(b.indexOf('The printer on floor')).toBeLessThan(b.indexOf('Still offline this morning'));
    expect(b.match(/class="comment comment-public"/g)).toHaveLength(2);
    expect(b).toContain('data-via="test"');
    expect(b).toMatch(/Ticket created with status New/);
    expect(b).toMatch(/Linked to a Test chat chat|Public reply added/);
    expect(b).toContain('<span class="badge badge-ok">Active</span>');
  });

  it('replies: internal note by default; a public reply with a status in one step reaches the chat and shows delivered', async () => {
    const t = await chatTicket();
    await waitFor(() => platform.thread(t.chatId, t.threadRef).length === 1);
    const page = await c.get(`/tickets/${t.number}`);
    expect(page.body).toMatch(/id="mode-internal" checked/);
    expect(page.body).not.toMatch(/id="mode-public" checked/);

    const note = await c.post(`/tickets/${t.number}/comments`, { body: 'Customer is on the legacy plan', mode: 'internal', status: '' });
    expect(note.statusCode).toBe(303);
    expect(note.headers.location).toMatch(new RegExp(`^/tickets/${t.number}\\?done=note#comment-`));
    const reply = await c.post(`/tickets/${t.number}/comments`, { body: 'Please open the front cover', mode: 'public', status: 'pending' });
    expect(reply.statusCode).toBe(303);
    await waitFor(() => platform.thread(t.chatId, t.threadRef).some((m) => m.text.includes('Please open the front cover')));
    expect(platform.messages.some((m) => m.text.includes('legacy plan'))).toBe(false);
    expect((await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket.status).toBe('pending');
    await waitFor(async () => (await c.get(`/tickets/${t.number}`)).body.includes('Delivered to Test chat'), 10_000, 'delivered mark');
    const after = (await c.get(`/tickets/${t.number}?done=reply`)).body;
    expect(after).toContain('Public reply sent.');
    expect(after).toMatch(/<li class="comment comment-internal"[^>]*data-kind="internal">[\s\S]*?Internal note[\s\S]*?Customer is on the legacy plan/);
    expect(after).toMatch(/<li class="comment comment-public"[^>]*>[\s\S]*?Please open the front cover[\s\S]*?Delivered to Test chat/);
    expect(after).toContain('Status changed from Open to Pending');
    expect(after).toContain('Internal note added');
  });

  it('refuses an empty reply, and any reply on a closed ticket, saying why', async () => {
    const t = await chatTicket();
    expect((await c.post(`/tickets/${t.number}/comments`, { body: '   ', mode: 'public' })).statusCode).toBe(400);
    // a rated ticket is closed: replies are refused
    await api(svc.app, 'PATCH', `/tickets/${t.number}`, { status: 'solved' }, ann.token);
    const requester = (await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket.requester.id;
    await svc.tickets.rate(t.number, { id: requester, role: 'end_user' }, 4, 'Quick and kind', 'test');
    const refused = await c.post(`/tickets/${t.number}/comments`, { body: 'one more thing', mode: 'public' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This ticket is closed and can no longer be changed.');
    expect(refused.body).not.toContain('id="reply-body"');
    const page = (await c.get(`/tickets/${t.number}`)).body;
    expect(page).toContain('aria-label="Rated 4 out of 5"');
    expect(page).toContain('Quick and kind');
    expect(page).not.toContain('id="reply-body"');
  });

  it('changes status, priority and assignee; closed cannot be chosen', async () => {
    const t = await chatTicket();
    const r = await c.post(`/tickets/${t.number}/properties`, { status: 'on_hold', priority: 'high', assignee: bob.id });
    expect(r.statusCode).toBe(303);
    const ticket = (await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket;
    expect(ticket).toMatchObject({ status: 'on_hold', priority: 'high', assignee: { id: bob.id } });
    const page = (await c.get(`/tickets/${t.number}`)).body;
    expect(page).toContain('Assignee changed from Nobody to Bob Agent');
    expect(page).toContain('Priority changed from Normal to High');
    expect(page).not.toMatch(/<select id="p-status"[^>]*>[\s\S]*?value="closed"[\s\S]*?<\/select>/);
    // posting closed anyway changes nothing
    await c.post(`/tickets/${t.number}/properties`, { status: 'closed' });
    expect((await api(svc.app, 'GET', `/tickets/${t.number}`)).body.ticket.status).toBe('on_hold');
  });

  it('makes a ticket private only while it has one public comment, and says why not otherwise', async () => {
    const t = await chatTicket();
    expect((await c.get(`/tickets/${t.number}`)).body).toContain('Possible now, while the ticket has only its first public message');
    expect((await c.post(`/tickets/${t.number}/private`, {})).statusCode).toBe(303);
    const page = (await c.get(`/tickets/${t.number}`)).body;
    expect(page).toContain('Private ticket.');
    expect(page).toContain('class="comment comment-internal"');
    expect(page).toContain('A public reply makes it public.');

    const u = await chatTicket();
    await c.post(`/tickets/${u.number}/comments`, { body: 'We are on it', mode: 'public' });
    expect((await c.get(`/tickets/${u.number}`)).body).toContain('Not possible now: the ticket has 2 public messages.');
    const refused = await c.post(`/tickets/${u.number}/private`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This ticket cannot be made private: the requester has already seen more than its first message.');
  });

  it('answers 404 for a ticket that does not exist', async () => {
    for (const n of ['999999', 'abc', '0', '1e3']) {
      const r = await c.get(`/tickets/${n}`);
      expect(r.statusCode, n).toBe(404);
      expect(r.body).toContain('There is no such ticket.');
    }
  });
});

describe('new ticket on behalf of a customer', () => {
  it('finds requesters by the first letters of name, email domain, phone or organization', async () => {
    await api(svc.app, 'POST', '/users', { email: 'hana@initech.example', name: 'Hana Sato', organization: 'Initech', phone: '+44 20 7946' });
    const names = async (q: string) => JSON.parse((await c.get(`/console/users.json?q=${encodeURIComponent(q)}`)).body).users.map((u: { name: string }) => u.name);
    expect(await names('han')).toContain('Hana Sato');
    expect(await names('initech.ex')).toContain('Hana Sato');
    expect(await names('+44 20')).toContain('Hana Sato');
    expect(await names('INIT')).toContain('Hana Sato');
    expect(await names('zzzz-nobody')).toEqual([]);
    expect(await names('')).toEqual([]);
  });

  it('creates a ticket for a chosen requester, and a private one for a new customer that a public reply makes public', async () => {
    const hana = JSON.parse((await c.get('/console/users.json?q=hana')).body).users[0];
    await c.get('/tickets/new');
    const first = await c.post('/tickets', { requesterId: hana.id, subject: 'VPN drops', description: 'Drops every hour', priority: 'high', visibility: 'public', service: '', assignee: ann.id });
    expect(first.statusCode).toBe(303);
    const n1 = Number(/\/tickets\/(\d+)/.exec(first.headers.location as string)![1]);
    expect((await api(svc.app, 'GET', `/tickets/${n1}`)).body.ticket).toMatchObject({ via: 'web', priority: 'high', requester: { id: hana.id }, assignee: { id: ann.id }, submitter: { id: ann.id } });

    await c.get('/tickets/new');
    const created = await c.post('/tickets', {
      requesterQuery: 'ivan',
      newName: 'Ivan Petrov', newEmail: 'ivan@umbrella.example', newPhone: '+7 495 000', newOrganization: 'Umbrella',
      subject: 'Contract renewal', description: 'Internal: discuss discount with sales first', priority: 'normal', visibility: 'private',
    });
    expect(created.statusCode).toBe(303);
    const n2 = Number(/\/tickets\/(\d+)/.exec(created.headers.location as string)![1]);
    const ivan = (await api(svc.app, 'GET', `/tickets/${n2}`)).body.ticket;
    expect(ivan).toMatchObject({ visibility: 'private', requester: { email: 'ivan@umbrella.example', name: 'Ivan Petrov' } });
    const activity = async () => JSON.stringify((await api(svc.app, 'GET', `/users/${ivan.requester.id}/activity`)).body);
    expect(await activity()).not.toContain(`"number":${n2}`);

    await c.post(`/tickets/${n2}/comments`, { body: 'SECRET-NOTE pricing floor is 20%', mode: 'internal' });
    const reply = await c.post(`/tickets/${n2}/comments`, { body: 'Hello Ivan, your renewal is being prepared', mode: 'public' });
    expect(reply.statusCode).toBe(303);
    expect((await api(svc.app, 'GET', `/tickets/${n2}`)).body.ticket.visibility).toBe('public');
    const after = await activity();
    expect(after).toContain(`"number":${n2}`);
    expect(after).not.toContain('SECRET-NOTE');
    const page = (await c.get(`/tickets/${n2}`)).body;
    expect(page).toContain('Made public by a public reply');
    expect(page).toContain('Visible to the requester in the help center (no chat thread).');

    // the same email again is refused with a way out
    await c.get('/tickets/new');
    const dup = await c.post('/tickets', { newEmail: 'ivan@umbrella.example', newName: 'Ivan again', subject: 'x', description: 'y' });
    expect(dup.statusCode).toBe(409);
    expect(dup.body).toContain('A customer with this email already exists.');
    // without a requester
    const none = await c.post('/tickets', { subject: 'x', description: 'y' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose a requester from the search, or add a new customer.');
    // an email typed in the search box is enough
    const byEmail = await c.post('/tickets', { requesterQuery: 'kim@newco.example', subject: 'Hello', description: 'First contact' });
    expect(byEmail.statusCode).toBe(303);
  });

  // A private ticket's description is an internal note: a later public reply does not reveal it.
  it('keeps the internal description of a private ticket out of the requester\'s activity', async () => {
    await c.get('/tickets/new');
    const created = await c.post('/tickets', { newName: 'Lea', newEmail: 'lea@umbrella.example', subject: 'Renewal', description: 'INTERNAL-DESC margin notes', visibility: 'private' });
    const n = Number(/\/tickets\/(\d+)/.exec(created.headers.location as string)![1]);
    await c.post(`/tickets/${n}/comments`, { body: 'Hello Lea', mode: 'public' });
    const requester = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket.requester.id;
    expect(JSON.stringify((await api(svc.app, 'GET', `/users/${requester}/activity`)).body)).not.toContain('INTERNAL-DESC');
  });
});

describe('customer profile', () => {
  it('gives a Telegram registration code', async () => {
    const user = (await api(svc.app, 'POST', '/users', { email: 'jun@customer.example', name: 'Jun' })).body.user;
    const profile = await c.get(`/users/${user.id}`);
    expect(profile.body).toContain('Give a Telegram registration code');
    const r = await c.post(`/users/${user.id}/link-code`, {});
    expect(r.statusCode).toBe(200);
    const code = /<p class="code" id="link-code">([A-Z2-9]{8})<\/p>/.exec(r.body)?.[1];
    expect(code).toBeTruthy();
    expect(r.body).toContain(`/start ${code}`);
    const linked = await svc.directory.redeemLinkCode(code!);
    expect(linked.id).toBe(user.id);
    expect((await c.get('/users/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('languages', () => {
  it('speaks Japanese and Russian, chosen from Accept-Language', async () => {
    const t = await chatTicket();
    const ja = new ConsoleClient(svc.app, 'ja-JP,ja;q=0.9,en;q=0.5');
    const loginJa = await ja.get('/login');
    expect(loginJa.body).toContain('<html lang="ja">');
    expect(loginJa.body).toContain('サインイン');
    await ja.signIn(ann.email, ann.password);
    const pageJa = (await ja.get(`/tickets/${t.number}`)).body;
    expect(pageJa).toContain('社内メモ');
    expect(pageJa).toContain('公開返信');
    const ru = new ConsoleClient(svc.app, 'ru');
    await ru.signIn(ann.email, ann.password);
    const queueRu = (await ru.get('/tickets')).body;
    expect(queueRu).toContain('<html lang="ru">');
    expect(queueRu).toContain('Очередь');
    expect(queueRu).toContain('Новая заявка');
    const fr = new ConsoleClient(svc.app, 'fr-FR');
    expect((await fr.get('/login')).body).toContain('<html lang="en">');
  });
});
