/**
 * Customers signing in by email: the link arrives by real SMTP from the worker, in the customer's language, as
 * plain text and HTML; opening it only shows a confirmation; it works once, for 15 minutes; the answer is the same
 * whether or not the address has an account; the plaintext token is never in the database; a planted session
 * cookie is never promoted; every form needs its token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../console/console-client.ts';
import { linkIn } from '../helpers/mail-catcher.ts';
import { PortalWorld } from './portal-world.ts';

const w = new PortalWorld();
const CAROL = 'carol@customer.example';

beforeAll(async () => {
  await w.start();
  await w.customer(CAROL, 'Carol Customer');
}, 60_000);
afterAll(async () => w.stop());
// Each test asks for a few links to one address; the per-address limit has its own tests below.
beforeEach(async () => {
  await w.db.signInThrottle.deleteMany();
});

const msg = (body: string) => /role="(?:alert|status)">([^<]*)</.exec(body)?.[1];

describe('asking for a link', () => {
  it('one page for both: the password form and the email form, each with its CSRF field', async () => {
    const c = w.client();
    const page = await c.get('/login');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<form method="post" action="\/login" [^>]*>[\s\S]*name="password"/);
    const linkForm = /<form method="post" action="\/login\/email"[\s\S]*?<\/form>/.exec(page.body)?.[0] ?? '';
    expect(linkForm).toMatch(/<input[^>]+name="email"[^>]+type="email"/);
    expect(linkForm).toContain('name="_csrf"');
  });

  it('mails a customer a link that signs them in once, to My activity, after a confirmation', async () => {
    const c = w.client();
    const asked = await w.askForLink(c, 'Carol@Customer.example ');
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Check your email');
    const { path, mail } = await w.linkPath(CAROL);
    expect(mail.parsed.subject).toBe('Your sign-in link for the help center');
    expect(mail.parsed.from?.value[0]?.address).toBe('help@support.example');
    expect(mail.parsed.messageId).toMatch(/^<[^@>]+@support\.example>$/);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.parsed.text).toContain('Hello Carol Customer,');
    expect(mail.parsed.text).toContain('15 minutes');
    expect(linkIn(mail).startsWith('http://help.test/login/link/')).toBe(true);
    expect(mail.parsed.html).toContain(`href="${linkIn(mail)}"`);

    // opening the link (a person, or a mail scanner) signs nobody in and uses nothing up
    for (let i = 0; i < 2; i++) {
      const scanner = await w.svc.app.inject({ url: path });
      expect(scanner.statusCode).toBe(200);
      expect(scanner.body.match(/<form/g)?.length).toBe(1);
      expect(scanner.cookies.some((x: { name: string }) => x.name === 'tb_session')).toBe(false);
    }
    const confirm = await c.get(path);
    expect(confirm.body).toContain(`<form method="post" action="${path}"`);
    const signedIn = await c.post(path, {});
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/my/tickets');
    const session = (signedIn.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find((x) => x.name === 'tb_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const mine = await c.get('/my/tickets');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('My activity');
    expect(mine.body).toContain('Carol Customer');
    expect(await w.db.consoleSession.count({ where: { kind: 'end_user' } })).toBe(1);

    // used once: a second use (another browser, or the same) is refused
    const again = w.client();
    await again.get('/login'); // a form token of its own, so that only the link can be what is refused
    const reuse = await again.post(path, {});
    expect(reuse.statusCode).toBe(409);
    expect(msg(reuse.body)).toBe('This sign-in link was already used. Each link works once: ask for a new one.');
    expect(reuse.cookies.some((x: { name: string }) => x.name === 'tb_session')).toBe(false);
    expect((await w.svc.app.inject({ url: path })).statusCode).toBe(409);
  });

  it('answers an unknown address, an agent\'s address and a customer\'s the same, and mails only the customer', async () => {
    const answers: string[] = [];
    for (const email of ['nobody@customer.example', w.agent.email, CAROL]) {
      const c = w.client();
      const r = await w.askForLink(c, email);
      expect(r.statusCode, email).toBe(200);
      answers.push(r.body.replace(/name="_csrf" value="[^"]*"/g, '').replace(email, 'EMAIL'));
    }
    expect(answers[0]).toBe(answers[1]);
    expect(answers[1]).toBe(answers[2]);
    await w.mail.waitFor(CAROL, 2);
    // the jobs for the other two ran and sent nothing
    await expect.poll(async () => Number((await w.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier = 'send_sign_in_link'`)[0]!.n), { timeout: 15_000 }).toBe(0);
    expect(w.mail.to('nobody@customer.example')).toEqual([]);
    expect(w.mail.to(w.agent.email)).toEqual([]);
  });

  it('keeps only a hash of the token: neither the links table nor the job queue holds the link', async () => {
    const c = w.client();
    const before = w.mail.to(CAROL).length;
    await w.askForLink(c, CAROL);
    const { path } = await w.linkPath(CAROL, before + 1);
    const token = path.split('/').pop()!;
    expect(await w.db.signInLink.count()).toBeGreaterThan(0);
    // every row of every table, ours and the job queue's, as text
    const tables = await w.db.$queryRaw<{ s: string; t: string }[]>`
      SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_schema IN ('public', 'graphile_worker') AND table_type = 'BASE TABLE'`;
    expect(tables.some((x) => x.t === 'sign_in_links')).toBe(true);
    let dump = '';
    for (const { s, t } of tables) {
      const rows = await w.db.$queryRawUnsafe<{ row: string }[]>(`SELECT x::text AS row FROM "${s}"."${t}" x`);
      dump += rows.map((r) => r.row).join('\n');
    }
    expect(dump).toContain('carol@customer.example');
    expect(dump).not.toContain(token);
  });

  it('refuses an expired link and a made-up one', async () => {
    const c = w.client();
    const before = w.mail.to(CAROL).length;
    await w.askForLink(c, CAROL);
    const { path } = await w.linkPath(CAROL, before + 1);
    await w.db.signInLink.updateMany({ where: { usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const shown = await c.get(path);
    expect(shown.statusCode).toBe(410);
    expect(shown.body).not.toContain('<form method="post" action="/login/link');
    const posted = await c.post(path, { _csrf: c.token });
    expect(posted.statusCode).toBe(410);
    expect(posted.cookies.some((x: { name: string }) => x.name === 'tb_session')).toBe(false);
    for (const fake of ['/login/link/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/login/link/short', `/login/link/${'x'.repeat(150)}`, '/login/link/%00']) {
      const r = await c.get(fake);
      expect(r.statusCode, fake).toBe(400);
    }
  });

  it('leads to the page the customer wanted, never off the site', async () => {
    const number = await w.ticket(CAROL, 'Printer jam', 'The printer on floor 2 jams on every page.');
    const c = w.client();
    const first = await c.get(`/tickets/${number}`);
    expect(first.headers.location).toBe(`/login?next=%2Ftickets%2F${number}`);
    const before = w.mail.to(CAROL).length;
    await w.askForLink(c, CAROL, `/tickets/${number}`);
    const { path } = await w.linkPath(CAROL, before + 1);
    await c.get(path);
    const res = await c.post(path, {});
    expect(res.headers.location).toBe(`/tickets/${number}`);
    expect((await c.get(`/tickets/${number}`)).body).toContain('Printer jam');

    for (const next of ['/.//evil.example/x', '//evil.example', '/\\evil.example', 'https://evil.example/']) {
      const d = w.client();
      const n = w.mail.to(CAROL).length;
      await w.db.signInThrottle.deleteMany();
      await w.askForLink(d, CAROL, next);
      const link = await w.linkPath(CAROL, n + 1);
      await d.get(link.path);
      const r = await d.post(link.path, {});
      expect(r.headers.location, next).toBe('/my/tickets');
    }
  });
});

describe('a mail server that refuses for a while', () => {
  it('gets the link later: the job retries, and the page answered at once', async () => {
    const before = w.mail.to(CAROL).length;
    w.mail.failWith = { code: 451, message: 'greylisted, try again later' };
    try {
      const asked = await w.askForLink(w.client(), CAROL);
      expect(asked.statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
      expect(w.mail.to(CAROL).length).toBe(before);
    } finally {
      w.mail.failWith = null;
    }
    const { path } = await w.linkPath(CAROL, before + 1);
    const c = w.client();
    await c.get(path);
    expect((await c.post(path, {})).statusCode).toBe(303);
  });
});

describe('sessions', () => {
  it('never promotes a session cookie planted before sign-in (fixation)', async () => {
    const c = w.client();
    const planted = 'planted-by-an-attacker-0123456789abcdefghijk';
    c.cookies.set('tb_session', planted);
    await w.signIn(c, CAROL);
    const now = c.cookies.get('tb_session')!;
    expect(now).not.toBe(planted);
    // the attacker's cookie is no session at all
    const attacker = await w.svc.app.inject({ url: '/my/tickets', headers: { cookie: `tb_session=${planted}` } });
    expect(attacker.statusCode).toBe(303);
    // and a real session the browser had is ended at the next sign-in, not carried over
    const old = now;
    await c.get('/my/tickets'); // the form token of that session
    const n = w.mail.to(CAROL).length;
    expect((await c.post('/login/email', { email: CAROL })).statusCode).toBe(200);
    const { path } = await w.linkPath(CAROL, n + 1);
    await c.get(path);
    expect((await c.post(path, {})).statusCode).toBe(303);
    expect(c.cookies.get('tb_session')).not.toBe(old);
    expect((await w.svc.app.inject({ url: '/my/tickets', headers: { cookie: `tb_session=${old}` } })).statusCode).toBe(303);
  });

  it('signs out', async () => {
    const c = w.client();
    await w.signIn(c, CAROL);
    await c.get('/my/tickets');
    const out = await c.post('/logout', {});
    expect(out.headers.location).toBe('/login?signed_out=1');
    expect((await c.get('/my/tickets')).statusCode).toBe(303);
  });
});

describe('form tokens', () => {
  it('refuses the email form and the link confirmation without the page\'s token, or with another visitor\'s', async () => {
    const a = w.client();
    const b = w.client();
    await a.get('/login');
    await b.get('/login');
    const sent = w.mail.mails.length;
    for (const token of [null, b.token, 'forged']) {
      const r = await a.post('/login/email', { email: CAROL, _csrf: token });
      expect(r.statusCode).toBe(403);
    }
    const n = w.mail.to(CAROL).length;
    await w.askForLink(b, CAROL);
    const { path } = await w.linkPath(CAROL, n + 1);
    expect(w.mail.mails.length).toBe(sent + 1);
    await a.get(path);
    for (const token of [null, b.token, 'forged']) {
      const r = await a.post(path, { _csrf: token });
      expect(r.statusCode).toBe(403);
      expect(r.cookies.some((x: { name: string }) => x.name === 'tb_session')).toBe(false);
    }
    // refused posts used nothing up
    expect((await a.post(path, {})).statusCode).toBe(303);
  });
});

describe('throttling the email form', () => {
  it('sends at most 3 links per address per 15 minutes, saying so the same way for any address', async () => {
    await w.db.signInThrottle.deleteMany();
    const c = w.client();
    await c.get('/login');
    for (let i = 0; i < 3; i++) expect((await c.post('/login/email', { email: 'dan@customer.example' })).statusCode).toBe(200);
    const blocked = await c.post('/login/email', { email: 'dan@customer.example' });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Too many sign-in links were asked for.');
    // another address from the same client is not blocked yet
    expect((await c.post('/login/email', { email: CAROL })).statusCode).toBe(200);
  });

  it('lets one client address ask for at most 20 links per 15 minutes, whatever addresses it types', async () => {
    await w.db.signInThrottle.deleteMany();
    const c = w.client();
    await c.get('/login');
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await c.post('/login/email', { email: `spray${i}@customer.example` })).statusCode);
    expect(codes.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(codes[20]).toBe(429);
  });
});

describe('languages', () => {
  it('mails the link in the language of the page it was asked from, or in the language the customer chose', async () => {
    await w.db.signInThrottle.deleteMany();
    const yuki = 'yuki@customer.example';
    await w.customer(yuki, 'Yuki');
    const ja = new ConsoleClient(w.svc.app, 'ja');
    await w.askForLink(ja, yuki);
    const m1 = await w.mail.waitFor(yuki, 1);
    expect(m1.parsed.subject).toBe('ヘルプセンターのサインインリンク');
    expect(m1.parsed.text).toContain('Yuki 様');
    // Yuki chooses Russian: from now on mails (and pages) are in Russian, whatever the browser says
    await w.signIn(new ConsoleClient(w.svc.app, 'ja'), yuki);
    const yukiId = (await w.db.user.findUniqueOrThrow({ where: { email: yuki } })).id;
    await w.svc.requester.setPreferences(yukiId, { locale: 'ru' });
    const en = new ConsoleClient(w.svc.app, 'en');
    await w.askForLink(en, yuki);
    const m3 = await w.mail.waitFor(yuki, 3);
    expect(m3.parsed.subject).toBe('Ссылка для входа в службу поддержки');
    expect(m3.parsed.text).toContain('Здравствуйте, Yuki!');
  });
});
