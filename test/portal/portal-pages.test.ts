/**
 * A customer's day in the help center, page by page: My activity (tickets opened on their behalf too, newest
 * first, status, last update, search), the ticket page (reply, rate with a comment, reopen with a reason, write
 * again on a closed one), chat accounts and preferences; and without a mail server, the form says so while agents
 * still sign in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/directory/directory-service.ts';
import { api, ConsoleClient, makeAgent } from '../console/console-client.ts';
import { startTestService } from '../helpers/service.ts';
import { createTestChannel } from '../helpers/test-channel/test-channel.ts';
import { PortalWorld } from './portal-world.ts';

const w = new PortalWorld();
const CAROL = 'carol@customer.example';
let carol: ConsoleClient;
let carolId = '';

beforeAll(async () => {
  await w.start({}, {
    // the in-process test channel, with account linking like a chat that takes a code in a direct message
    channels: (deps) => [{ ...createTestChannel({ apiUrl: 'http://127.0.0.1:9' }, deps), accountLinking: { platform: 'test', codeMessage: (c: string) => `link ${c}`, linksByProfileEmail: true } }],
  });
  carolId = await w.customer(CAROL, 'Carol Customer');
  carol = w.client();
  await w.signIn(carol, CAROL);
}, 60_000);
afterAll(async () => w.stop());

const rows = (body: string) => [...body.matchAll(/<td class="subject"><a href="\/tickets\/(\d+)">([^<]*)<\/a>/g)].map((m) => ({ number: Number(m[1]), subject: m[2] }));

describe('My activity', () => {
  it('lists tickets opened on the customer\'s behalf, newest first, with status and last update, and searches them', async () => {
    const a = await w.ticket(CAROL, 'Mailbox is full', 'My mailbox says it is full since Monday.');
    const b = await w.ticket(CAROL, 'New monitor request', 'I would like a second monitor for my desk.');
    await w.agentSays(a, 'We doubled your quota; please check again.', true, 'pending');
    const page = await carol.get('/my/tickets');
    const list = rows(page.body);
    expect(list.map((r) => r.number)).toEqual([b, a]);
    expect(page.body).toMatch(new RegExp(`#${a}[\\s\\S]*?Pending`));
    expect(page.body).toContain('Last update');
    // subject words, a word of a public reply, and the number
    expect(rows((await carol.get('/my/tickets?q=monitor')).body).map((r) => r.number)).toEqual([b]);
    expect(rows((await carol.get('/my/tickets?q=QUOTA')).body).map((r) => r.number)).toEqual([a]);
    expect(rows((await carol.get(`/my/tickets?q=%23${a}`)).body).map((r) => r.number)).toEqual([a]);
    expect((await carol.get('/my/tickets?q=zebra')).body).toContain('None of your requests matches this search.');
    // unknown cursors and long queries are harmless
    expect((await carol.get(`/my/tickets?cursor=garbage&q=${'x'.repeat(500)}`)).statusCode).toBe(200);
  });
});

describe('the ticket page', () => {
  it('replies: one form with one textarea adds a public comment by the requester', async () => {
    const number = await w.ticket(CAROL, 'Cannot print', 'The printer says offline.');
    const page = await carol.get(`/tickets/${number}`);
    const forms = page.body.match(/<form[\s\S]*?<\/form>/g)!.filter((f) => f.includes('<textarea'));
    expect(forms.length).toBe(1);
    expect(forms[0]!.match(/<textarea/g)!.length).toBe(1);
    expect(forms[0]).toContain(`action="/tickets/${number}/reply"`);
    const r = await carol.post(`/tickets/${number}/reply`, { body: 'It is plugged in and switched on.' });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/tickets/${number}?done=reply`);
    const after = await carol.get(r.headers.location as string);
    expect(after.body).toContain('Your reply was sent.');
    expect(after.body).toContain('It is plugged in and switched on.');
    const comments = (await api(w.svc.app, 'GET', `/tickets/${number}/comments`)).body.comments;
    expect(comments.at(-1)).toMatchObject({ body: 'It is plugged in and switched on.', public: true, via: 'web', author: { id: carolId, role: 'end_user' } });
    // an empty reply is refused, saying why, and adds nothing
    const empty = await carol.post(`/tickets/${number}/reply`, { body: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Write a message first.');
    expect((await api(w.svc.app, 'GET', `/tickets/${number}/comments`)).body.comments.length).toBe(comments.length);
  });

  it('on a solved ticket: rating 1-5 with a comment closes it', async () => {
    const number = await w.ticket(CAROL, 'Password reset', 'I forgot my password.');
    await w.agentSays(number, 'Done: use the link we sent you.', true, 'solved');
    const page = await carol.get(`/tickets/${number}`);
    expect(page.body).toContain('Support marked this request as solved.');
    expect(page.body).toContain(`action="/tickets/${number}/rate"`);
    expect(page.body).toContain(`action="/tickets/${number}/reopen"`);
    expect(page.body).not.toContain(`action="/tickets/${number}/reply"`);
    const bad = await carol.post(`/tickets/${number}/rate`, { score: '9', comment: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose from 1 to 5 stars.');
    const r = await carol.post(`/tickets/${number}/rate`, { score: '4', comment: 'Quick, thanks!' });
    expect(r.headers.location).toBe(`/tickets/${number}?done=rated`);
    const t = (await api(w.svc.app, 'GET', `/tickets/${number}`)).body.ticket;
    expect(t.status).toBe('closed');
    expect(t.rating).toMatchObject({ score: 4, comment: 'Quick, thanks!' });
    const closed = await carol.get(`/tickets/${number}`);
    expect(closed.body).toContain('★★★★☆');
    expect(closed.body).toContain('Quick, thanks!');
    // rating again is refused
    expect((await carol.post(`/tickets/${number}/rate`, { score: '1' })).statusCode).toBe(409);
  });

  it('on a solved ticket: reopening needs a reason, which becomes the customer\'s comment', async () => {
    const number = await w.ticket(CAROL, 'Wi-Fi in room 3', 'No Wi-Fi signal in meeting room 3.');
    await w.agentSays(number, 'We restarted the access point.', true, 'solved');
    await carol.get(`/tickets/${number}`);
    const noReason = await carol.post(`/tickets/${number}/reopen`, { reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Tell us why the problem is not solved.');
    const r = await carol.post(`/tickets/${number}/reopen`, { reason: 'Still no signal near the window.' });
    expect(r.headers.location).toBe(`/tickets/${number}?done=reopened`);
    expect((await api(w.svc.app, 'GET', `/tickets/${number}`)).body.ticket.status).toBe('open');
    const page = await carol.get(`/tickets/${number}`);
    expect(page.body).toContain('Still no signal near the window.');
    expect(page.body).toContain(`action="/tickets/${number}/reply"`);
    // reopening an open ticket says why not
    expect((await carol.post(`/tickets/${number}/reopen`, { reason: 'again' })).statusCode).toBe(409);
  });

  it('on a closed ticket: writing again starts a follow-up request', async () => {
    const number = await w.ticket(CAROL, 'Desk phone', 'My desk phone has no dial tone.');
    await w.agentSays(number, 'Replaced the cable.', true, 'solved');
    await carol.get(`/tickets/${number}`);
    await carol.post(`/tickets/${number}/rate`, { score: '5' });
    const page = await carol.get(`/tickets/${number}`);
    expect(page.body).toContain('Your message starts a follow-up request.');
    const r = await carol.post(`/tickets/${number}/reply`, { body: 'The dial tone is gone again.' });
    const follow = Number(/\/tickets\/(\d+)\?done=follow_up/.exec(r.headers.location as string)![1]);
    expect(follow).toBeGreaterThan(number);
    const t = (await api(w.svc.app, 'GET', `/tickets/${follow}`)).body.ticket;
    expect(t).toMatchObject({ subject: 'Desk phone', followUpOf: number, requester: { id: carolId } });
    expect((await carol.get(`/tickets/${follow}?done=follow_up`)).body).toContain('Your follow-up request was created.');
  });
});

describe('chat accounts and preferences', () => {
  it('shows a one-time code for each chat that links accounts, and says when a profile email links by itself', async () => {
    const page = await carol.get('/my/chats');
    expect(page.statusCode).toBe(200);
    const code = /data-code-message>link ([A-Z2-9]{8})</.exec(page.body)![1]!;
    expect(page.body).toContain(`If the email of your Test chat profile is ${CAROL}`);
    // the code is a real one: the directory redeems it for Carol, once
    expect(await w.db.linkCode.count({ where: { codeHash: sha256(code), userId: carolId, usedAt: null } })).toBe(1);
  });

  it('lists linked accounts and unlinks one, which also stops its direct chat getting news', async () => {
    const account = await w.db.chatIdentity.create({ data: { platform: 'test', workspaceId: 'w', platformUserId: 'carol-dm', userId: carolId, displayName: 'Carol in chat' } });
    const number = await w.ticket(CAROL, 'Chair broken', 'The office chair lost a wheel.');
    const links = await w.db.chatThreadLink.findMany({ where: { ticket: { number } } });
    expect(links.map((l) => [l.directUserId, l.status])).toEqual([['carol-dm', 'active']]);
    const page = await carol.get('/my/chats');
    expect(page.body).toContain('Carol in chat');
    const r = await carol.post(`/my/chats/${account.id}/unlink`, {});
    expect(r.headers.location).toBe('/my/chats?done=unlinked');
    expect(await w.db.chatIdentity.count({ where: { id: account.id } })).toBe(0);
    expect((await w.db.chatThreadLink.findFirstOrThrow({ where: { ticket: { number } } })).status).toBe('broken');
    const after = await carol.get('/my/chats?done=unlinked');
    expect(after.body).toContain('The account is unlinked.');
    expect(after.body).not.toContain('Carol in chat');
  });

  it('saves the language (then pages speak it, whatever the browser says) and whether replies are also emailed', async () => {
    await carol.get('/my/chats');
    const r = await carol.post('/my/preferences', { locale: 'ja' });
    expect(r.headers.location).toBe('/my/chats?done=saved');
    const u = await w.db.user.findUniqueOrThrow({ where: { id: carolId } });
    expect(u).toMatchObject({ locale: 'ja', localeChosen: true, emailReplies: false });
    const page = await carol.get('/my/tickets');
    expect(page.body).toContain('<html lang="ja">');
    expect(page.body).toContain('マイアクティビティ');
    await carol.get('/my/chats');
    expect((await carol.post('/my/preferences', { locale: 'xx', emailReplies: '1' })).statusCode).toBe(400);
    await carol.post('/my/preferences', { locale: 'en', emailReplies: '1' });
    expect(await w.db.user.findUniqueOrThrow({ where: { id: carolId } })).toMatchObject({ locale: 'en', emailReplies: true });
  });
});

describe('without a mail server', () => {
  it('says email sign-in is not available, and agents still sign in with their password', async () => {
    const svc = await startTestService();
    try {
      const ann = await makeAgent(svc.app, 'ann@support.example', 'Ann');
      await api(svc.app, 'POST', '/users', { email: CAROL, name: 'Carol' });
      const c = new ConsoleClient(svc.app);
      const page = await c.get('/login');
      expect(page.body).toContain('Signing in by email is not available on this help center yet.');
      expect(page.body).not.toContain('action="/login/email"');
      const r = await c.post('/login/email', { email: CAROL });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('Signing in by email is not available on this help center yet.');
      const jobs = await svc.app.inject({ url: '/readyz' });
      expect(jobs.statusCode).toBe(200);
      await c.signIn(ann.email, ann.password);
      expect((await c.get('/tickets')).statusCode).toBe(200);
    } finally {
      await svc.stop();
      await svc.dropDb();
    }
  });
});
