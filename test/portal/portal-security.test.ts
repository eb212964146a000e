/**
 * What an end user can never reach, tried through every customer page and form: another customer's ticket (one of
 * their own organization too), a private ticket, internal notes and the description of a ticket that was private;
 * the agents' pages and the API with a customer's session, and the customer's pages with an agent's; forms without
 * their token; markup people typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, ConsoleClient } from '../console/console-client.ts';
import { PortalWorld } from './portal-world.ts';

const w = new PortalWorld();
const CAROL = 'carol@acme.example';
const DAVE = 'dave@acme.example';
let carolId = '';
let daveId = '';
const n = { mine: 0, madePublic: 0, privateOne: 0, daves: 0 };
let carol: ConsoleClient;

/** Words that must never reach Carol's pages. */
const SECRETS = ['SECRET-NOTE', 'SECRET-PRIVATE', 'SECRET-DESCRIPTION', 'DAVE-ONLY'];

beforeAll(async () => {
  await w.start();
  carolId = await w.customer(CAROL, 'Carol', 'Acme');
  daveId = await w.customer(DAVE, 'Dave', 'Acme');
  n.mine = await w.ticket(CAROL, 'VPN drops hourly', 'The VPN disconnects every hour on the hour.');
  await w.agentSays(n.mine, 'SECRET-NOTE: customer is on the old plan', false);
  await w.agentSays(n.mine, 'Please send us the client log.', true);
  // public, made private (its description becomes an internal note), then public again by a reply
  n.madePublic = await w.ticket(CAROL, 'Invoice question', 'SECRET-DESCRIPTION the margin is 40%');
  expect((await api(w.svc.app, 'PATCH', `/tickets/${n.madePublic}`, { visibility: 'private' }, w.agent.token)).status).toBe(200);
  await w.agentSays(n.madePublic, 'Your invoice is attached to this reply.', true);
  n.privateOne = await w.ticket(CAROL, 'SECRET-PRIVATE renewal pricing', 'SECRET-PRIVATE discount up to 12%', 'private');
  n.daves = await w.ticket(DAVE, 'DAVE-ONLY laptop battery', 'DAVE-ONLY the battery swells');
  carol = w.client();
  await w.signIn(carol, CAROL);
}, 90_000);
afterAll(async () => w.stop());

function noSecrets(body: string, where: string) {
  for (const s of SECRETS) expect(body, `${where}: ${s}`).not.toContain(s);
}

const stripTokens = (b: string) => b.replace(/value="[^"]{20,}"/g, 'value=""');

describe('what a customer sees', () => {
  it('My activity lists their public tickets only, whatever they search for', async () => {
    const page = await carol.get('/my/tickets');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('VPN drops hourly');
    expect(page.body).toContain('Invoice question');
    noSecrets(page.body, 'my tickets');
    for (const q of ['SECRET', 'SECRET-NOTE', 'SECRET-DESCRIPTION', 'margin', 'SECRET-PRIVATE', 'discount', 'DAVE-ONLY', 'battery', `#${n.privateOne}`, `#${n.daves}`, String(n.daves)]) {
      const r = await carol.get(`/my/tickets?q=${encodeURIComponent(q)}`);
      expect(r.statusCode, q).toBe(200);
      expect(r.body, q).toContain('None of your requests matches this search.');
      // the query itself stays in the search box; the results are what must not hold it
      noSecrets(r.body.replace(/id="my-q"[^>]*>/, ''), `search ${q}`);
    }
  });

  it('a ticket page shows the public conversation, never an internal note or a description that was private', async () => {
    const mine = await carol.get(`/tickets/${n.mine}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('The VPN disconnects every hour on the hour.');
    expect(mine.body).toContain('Please send us the client log.');
    noSecrets(mine.body, 'own ticket');
    const madePublic = await carol.get(`/tickets/${n.madePublic}`);
    expect(madePublic.statusCode).toBe(200);
    expect(madePublic.body).toContain('Your invoice is attached to this reply.');
    noSecrets(madePublic.body, 'made public');
  });

  it('another customer\'s ticket (same organization) and a private ticket answer exactly like one that does not exist', async () => {
    const none = await carol.get('/tickets/999999');
    expect(none.statusCode).toBe(404);
    for (const number of [n.daves, n.privateOne]) {
      const r = await carol.get(`/tickets/${number}`);
      expect(r.statusCode, String(number)).toBe(404);
      noSecrets(r.body, `ticket ${number}`);
      expect(stripTokens(r.body)).toBe(stripTokens(none.body));
    }
  });

  it('no form acts on another customer\'s ticket or a private one', async () => {
    await w.setStatus(n.daves, 'solved');
    const before = await w.db.comment.count();
    await carol.get('/my/tickets');
    for (const number of [n.daves, n.privateOne, 999999]) {
      for (const [path, form] of [['reply', { body: 'hello' }], ['rate', { score: '1', comment: 'bad' }], ['reopen', { reason: 'not fixed' }]] as const) {
        const r = await carol.post(`/tickets/${number}/${path}`, form);
        expect(r.statusCode, `${number}/${path}`).toBe(404);
        noSecrets(r.body, `${number}/${path}`);
      }
    }
    expect(await w.db.comment.count()).toBe(before);
    expect((await api(w.svc.app, 'GET', `/tickets/${n.daves}`)).body.ticket).toMatchObject({ status: 'solved', rating: null });
  });

  it('shows what people typed as text, never as markup', async () => {
    const evil = await w.ticket(CAROL, '<img src=x onerror="window.__x=1">Subject', '<script>window.__x=2</script> description');
    await w.agentSays(evil, '<svg onload="window.__x=3">reply', true);
    for (const url of [`/tickets/${evil}`, '/my/tickets', `/my/tickets?q=${encodeURIComponent('"><script>x</script>')}`]) {
      const r = await carol.get(url);
      expect(r.body.match(/<script/g)?.length ?? 0, url).toBe(1);
      expect(r.body, url).not.toContain('<img src=x');
      expect(r.body, url).not.toContain('<svg onload');
    }
    expect((await carol.get(`/tickets/${evil}`)).body).toContain('&lt;img src=x onerror=&quot;window.__x=1&quot;&gt;Subject');
  });
});

describe('sessions are told apart', () => {
  it('a customer\'s session reaches no agent page, no agent form and not the API', async () => {
    const before = await w.db.comment.count();
    for (const url of ['/tickets', '/tickets?status=all', '/tickets/new', `/users/${carolId}`, `/users/${daveId}`]) {
      const r = await carol.get(url);
      expect(r.statusCode, url).toBe(404);
      noSecrets(r.body, url);
    }
    const typeahead = await carol.get('/console/users.json?q=dave');
    expect(typeahead.statusCode).toBe(404);
    expect(typeahead.body).not.toContain('dave@');
    await carol.get('/my/tickets');
    const forms: [string, Record<string, string>][] = [
      [`/tickets/${n.mine}/comments`, { body: 'as an agent', mode: 'public', status: 'solved' }],
      [`/tickets/${n.mine}/properties`, { status: 'solved', priority: 'urgent' }],
      [`/tickets/${n.mine}/private`, {}],
      ['/tickets', { subject: 'forged', description: 'forged description', requesterId: daveId }],
      [`/users/${daveId}/link-code`, {}],
    ];
    for (const [url, form] of forms) expect((await carol.post(url, form)).statusCode, url).toBe(404);
    expect(await w.db.comment.count()).toBe(before);
    expect(await w.db.ticket.count({ where: { subject: 'forged' } })).toBe(0);
    const cookie = carol.cookieHeader();
    for (const url of ['/api/v1/tickets', `/api/v1/tickets/${n.mine}`, `/api/v1/users/${carolId}/activity`]) {
      const r = await w.svc.app.inject({ url, headers: { cookie } });
      expect(r.statusCode, url).toBe(403);
      expect(r.body, url).not.toContain('VPN');
      expect((await w.svc.app.inject({ method: 'POST', url: `/api/v1/tickets/${n.mine}/comments`, headers: { cookie, 'content-type': 'application/json' }, payload: '{"body":"x","public":true}' })).statusCode).toBe(403);
    }
    expect((await w.svc.app.inject({ url: '/api/v1/tickets' })).statusCode).toBe(401);
    // the root leads a customer to their own start page
    expect((await carol.get('/')).headers.location).toBe('/my/tickets');
  });

  it('an agent\'s session is never taken for a customer\'s', async () => {
    const agent = w.client();
    await agent.signIn(w.agent.email, w.agent.password);
    for (const url of ['/my/tickets', '/my/chats']) expect((await agent.get(url)).statusCode, url).toBe(404);
    for (const path of ['reply', 'rate', 'reopen']) expect((await agent.post(`/tickets/${n.mine}/${path}`, { body: 'x', reason: 'x', score: '5' })).statusCode, path).toBe(404);
    // the ticket link shows agents the agent view, internal note included
    const page = await agent.get(`/tickets/${n.mine}`);
    expect(page.body).toContain('SECRET-NOTE');
    expect(page.body).toContain('Make private');
  });

  it('a customer who became an agent keeps no customer session', async () => {
    const eve = 'eve@acme.example';
    const eveId = await w.customer(eve, 'Eve');
    const c = w.client();
    await w.signIn(c, eve);
    expect((await c.get('/my/tickets')).statusCode).toBe(200);
    await w.db.user.update({ where: { id: eveId }, data: { role: 'agent' } });
    const r = await c.get('/my/tickets');
    expect(r.statusCode).toBe(303);
    expect(await w.db.consoleSession.count({ where: { userId: eveId } })).toBe(0);
    // nor can an agent get a sign-in link: the job sends nothing
    await w.askForLink(w.client(), eve);
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.mail.to(eve).length).toBe(1);
  });
});

describe('form tokens on every customer form', () => {
  it('refuses each form without its token or with another session\'s, and changes nothing', async () => {
    const other = w.client();
    await w.signIn(other, DAVE);
    await other.get('/my/tickets');
    await w.setStatus(n.mine, 'solved');
    const account = await w.db.chatIdentity.create({ data: { platform: 'test', workspaceId: 'w', platformUserId: 'carol-1', userId: carolId, displayName: 'carol in chat' } });
    const before = { comments: await w.db.comment.count(), prefs: await w.db.user.findUniqueOrThrow({ where: { id: carolId } }) };
    await carol.get('/my/tickets');
    const forms: [string, Record<string, string>][] = [
      [`/tickets/${n.mine}/reply`, { body: 'forged reply' }],
      [`/tickets/${n.mine}/rate`, { score: '1', comment: 'forged' }],
      [`/tickets/${n.mine}/reopen`, { reason: 'forged reason' }],
      [`/my/chats/${account.id}/unlink`, {}],
      ['/my/preferences', { locale: 'ru', emailReplies: '' }],
      ['/logout', {}],
    ];
    for (const [url, form] of forms) {
      for (const token of [null, other.token, 'forged-token']) {
        const r = await carol.post(url, { ...form, _csrf: token });
        expect(r.statusCode, `${url} with ${token}`).toBe(403);
        expect(r.body).toContain('This form has expired or belongs to another session.');
      }
    }
    expect(await w.db.comment.count()).toBe(before.comments);
    expect((await api(w.svc.app, 'GET', `/tickets/${n.mine}`)).body.ticket.status).toBe('solved');
    expect(await w.db.chatIdentity.count({ where: { id: account.id } })).toBe(1);
    expect(await w.db.user.findUniqueOrThrow({ where: { id: carolId } })).toEqual(before.prefs);
    expect((await carol.get('/my/tickets')).statusCode).toBe(200);
  });

  it('never unlinks another customer\'s chat account', async () => {
    const daves = await w.db.chatIdentity.create({ data: { platform: 'test', workspaceId: 'w', platformUserId: 'dave-1', userId: daveId, displayName: 'dave in chat' } });
    await carol.get('/my/chats');
    const r = await carol.post(`/my/chats/${daves.id}/unlink`, {});
    expect(r.statusCode).toBe(404);
    expect(await w.db.chatIdentity.count({ where: { id: daves.id } })).toBe(1);
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) expect((await carol.post(`/my/chats/${id}/unlink`, {})).statusCode, id).toBe(404);
    // A NUL in a path is refused before anything is looked up (the console's rule for every path).
    expect((await carol.post('/my/chats/%00/unlink', {})).statusCode).toBe(400);
  });
});
