/**
 * Two agents at once in two Chromium contexts against the real service (loopback): the first admin made at
 * /setup from this machine, presence (Bob replying shows on Ann's page), a change pushed to the other agent's
 * page without a reload (server-sent events from LISTEN/NOTIFY), a stale save refused with what changed and
 * applied again, a notification with its unread marker, bulk changes, tags, a macro inserted with "m", the
 * shortcuts on "?", a draft kept across a reload, and the layout at 390 px. Screenshots of the queue, a ticket
 * and the admin page in English, Japanese and Russian, and at 390 px, go to test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.ts';
import { startTestService } from '../helpers/service.ts';
import { api, makeAgent } from '../console/console-client.ts';

const SHOTS = path.join(ROOT, 'test-results/screenshots');
let svc: Awaited<ReturnType<typeof startTestService>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
let annPage: Page;
let bobPage: Page;
let ann: { id: string; token: string; email: string; password: string };
let bob: Awaited<ReturnType<typeof makeAgent>>;
const offsite: string[] = [];
const pageErrors: string[] = [];
const ADMIN = { name: 'Ann Admin', email: 'ann@support.example', password: 'correct horse battery' };

async function newContext(locale = 'en-US', viewport = { width: 1360, height: 900 }): Promise<Page> {
  const ctx = await browser.newContext({ locale, viewport, extraHTTPHeaders: { 'accept-language': locale } });
  contexts.push(ctx);
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(svc.url) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  return p;
}

async function signIn(p: Page, email: string, password: string, next = '/tickets') {
  await p.goto(`${svc.url}${next}`);
  await p.locator('#login-email').fill(email);
  await p.locator('#login-password').fill(password);
  await p.locator('#login-password').press('Enter');
  await p.waitForURL(`${svc.url}${next}`);
}

beforeAll(async () => {
  svc = await startTestService({}, { listen: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  annPage = await newContext();
  bobPage = await newContext();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await svc?.stop();
  await svc?.dropDb();
});

async function ticket(subject: string, extra: Record<string, unknown> = {}) {
  const r = await api(svc.app, 'POST', '/tickets', { subject, description: `${subject}: since this morning, on every floor`, requesterEmail: `${subject.replace(/\W/g, '').toLowerCase().slice(0, 20)}@globex.example`, ...extra }, bob.token);
  return r.body.ticket as { number: number };
}

describe('two agents in Chromium', { timeout: 120_000 }, () => {
  let n = 0;

  it('makes the first admin at /setup from this machine, then the admin page works', async () => {
    await annPage.goto(`${svc.url}/login`);
    await annPage.locator('#setup-offer a').click();
    await annPage.waitForURL(`${svc.url}/setup`);
    expect(await annPage.locator('#setup-token').count()).toBe(0); // loopback: no token asked
    await annPage.locator('#setup-name').fill(ADMIN.name);
    await annPage.locator('#setup-email').fill(ADMIN.email);
    await annPage.locator('#setup-password').fill(ADMIN.password);
    await annPage.locator('#setup-confirm').fill(ADMIN.password);
    await annPage.getByRole('button', { name: 'Create the admin and sign in' }).click();
    await annPage.waitForURL(/\/admin\?done=setup/);
    expect(await annPage.locator('h1').textContent()).toBe('Administration');
    const agents = (await api(svc.app, 'GET', '/agents')).body.agents as { id: string; email: string }[];
    const me = agents.find((a) => a.email === ADMIN.email)!;
    const token = (await api(svc.app, 'POST', `/agents/${me.id}/tokens`, { label: 'tests' })).body.token as string;
    ann = { id: me.id, token, email: ADMIN.email, password: ADMIN.password };
    bob = await makeAgent(svc.app, 'bob@support.example', 'Bob Builder');
    await api(svc.app, 'POST', '/services', { name: 'Office IT' });
    await annPage.goto(`${svc.url}/admin`);
    await annPage.locator('#inv-name').fill('Carla Nuevo');
    await annPage.locator('#inv-email').fill('carla@support.example');
    await annPage.getByRole('button', { name: 'Create the invitation' }).click();
    expect(await annPage.locator('.invite-url').textContent()).toMatch(/\/invite\//);
    await annPage.screenshot({ path: path.join(SHOTS, 'admin-en.png'), fullPage: true });
  });

  it('shows who else is on the ticket, and pushes Bob\'s change to Ann\'s open page', async () => {
    n = (await ticket('Printer reports a paper jam')).number;
    await signIn(bobPage, bob.email, bob.password, `/tickets/${n}`);
    await annPage.goto(`${svc.url}/tickets/${n}`);
    // Bob is on the page: Ann sees him, then sees him replying as he types.
    await annPage.locator('#presence', { hasText: 'Also viewing: Bob Builder' }).waitFor({ timeout: 20_000 });
    await bobPage.locator('#reply-body').pressSequentially('Checking the tray', { delay: 10 });
    await annPage.locator('#presence', { hasText: 'Replying now: Bob Builder' }).waitFor({ timeout: 20_000 });
    await bobPage.locator('#reply-body').fill('');
    // Bob sets it Urgent; Ann's page shows it without a reload.
    await bobPage.locator('#p-priority').selectOption('urgent');
    await bobPage.locator('#properties-form').getByRole('button', { name: 'Save' }).click();
    await bobPage.waitForURL(/done=saved/);
    await annPage.locator('#ticket-summary .priority', { hasText: 'Urgent' }).waitFor({ timeout: 20_000 });
  });

  it('refuses Ann\'s stale save, says what Bob changed, and applies hers on the second save', async () => {
    // Ann's properties form still holds the version she loaded: she assigns herself.
    await annPage.locator('#p-assignee').selectOption({ label: 'Ann Admin' });
    await annPage.locator('#properties-form').getByRole('button', { name: 'Save' }).click();
    await annPage.locator('#stale-notice').waitFor();
    expect(await annPage.locator('#stale-notice').textContent()).toContain('Bob Builder: Priority changed from Normal to Urgent');
    expect(await annPage.locator('#p-priority').inputValue()).toBe('urgent');
    expect(await annPage.locator('#p-assignee').inputValue()).toBe(ann.id);
    await annPage.screenshot({ path: path.join(SHOTS, 'stale-save.png'), fullPage: true });
    await annPage.locator('#properties-form').getByRole('button', { name: 'Save' }).click();
    await annPage.waitForURL(/done=saved/);
    const t = (await api(svc.app, 'GET', `/tickets/${n}`)).body.ticket;
    expect([t.priority, t.assignee?.id]).toEqual(['urgent', ann.id]);
  });

  it('tells Ann of a ticket assigned to her, with an unread marker, and the queue updates by itself', async () => {
    await annPage.goto(`${svc.url}/tickets`);
    expect(await annPage.locator('#unread-count').isHidden()).toBe(true);
    const t2 = await ticket('VPN disconnects every hour', { priority: 'high' });
    await annPage.locator('table.queue', { hasText: 'VPN disconnects every hour' }).waitFor({ timeout: 20_000 });
    await api(svc.app, 'PATCH', `/tickets/${t2.number}`, { assigneeId: ann.id }, bob.token);
    await annPage.locator('#unread-count', { hasText: '1' }).waitFor({ timeout: 20_000 });
    await annPage.locator('#nav-notifications').click();
    expect(await annPage.locator('.notification.unread').first().textContent()).toContain(`Bob Builder assigned #${t2.number} “VPN disconnects every hour” to you`);
    await annPage.locator('.notification.unread a').first().click();
    await annPage.waitForURL(`${svc.url}/tickets/${t2.number}`);
    await annPage.goto(`${svc.url}/notifications`);
    expect(await annPage.locator('.notification.unread').count()).toBe(0);
  });

  it('changes tickets in bulk from the queue, with views and their counts', async () => {
    await ticket('Scanner is slow');
    await annPage.goto(`${svc.url}/tickets`);
    expect(await annPage.locator('[data-view="mine"] .view-count').textContent()).toBe('2');
    const boxes = annPage.locator('#queue-live input[type="checkbox"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await annPage.locator('#b-priority').selectOption('low');
    await annPage.getByRole('button', { name: 'Apply to selected' }).click();
    await annPage.waitForURL(/bulk=2-0/);
    expect(await annPage.locator('.notice-ok').textContent()).toContain('Changed 2 tickets.');
    await annPage.locator('[data-view="unassigned"]').click();
    await annPage.waitForURL(/view=unassigned/);
    expect(await annPage.locator('table.queue tbody tr').count()).toBe(1);
  });

  it('edits tags, inserts a macro with "m", lists the shortcuts on "?", and keeps a draft across a reload', async () => {
    await api(svc.app, 'POST', '/macros', { name: 'Restart the printer', body: 'Hello {{requester.name}}, please restart the printer.', public: true, status: null, priority: null, assigneeId: null, assignToSelf: false, addTags: [], removeTags: [] }, ann.token);
    await annPage.goto(`${svc.url}/tickets/${n}`);
    await annPage.locator('#p-tags').fill('Printer, floor-3');
    await annPage.getByRole('button', { name: 'Save tags' }).click();
    await annPage.waitForURL(/done=tags/);
    expect(await annPage.locator('#p-tags').inputValue()).toBe('floor-3 printer');
    await annPage.locator('body').click({ position: { x: 5, y: 300 } });
    await annPage.keyboard.press('?');
    expect(await annPage.locator('#shortcuts').isVisible()).toBe(true);
    expect(await annPage.locator('#shortcuts').textContent()).toContain('Insert a macro into the message');
    await annPage.keyboard.press('Escape');
    expect(await annPage.locator('#shortcuts').isVisible()).toBe(false);
    await annPage.keyboard.press('m');
    expect(await annPage.evaluate('document.activeElement.id')).toBe('macro-pick');
    await annPage.locator('#macro-pick').selectOption({ label: 'Restart the printer' });
    expect(await annPage.locator('#reply-body').inputValue()).toBe('Hello printerreportsapaper, please restart the printer.');
    expect(await annPage.locator('#mode-public').isChecked()).toBe(true);
    await annPage.screenshot({ path: path.join(SHOTS, 'ticket-en.png'), fullPage: true });
    await annPage.reload();
    expect(await annPage.locator('#reply-body').inputValue()).toBe('Hello printerreportsapaper, please restart the printer.');
    expect(await annPage.locator('#draft-restored').isVisible()).toBe(true);
    await annPage.getByRole('button', { name: 'Send public reply' }).click();
    await annPage.waitForURL(/done=reply/);
    await annPage.reload();
    expect(await annPage.locator('#reply-body').inputValue()).toBe('');
  });

  it('works at 390 px: Sign out reachable, the queue scrolls sideways instead of being clipped', async () => {
    const phone = await newContext('en-US', { width: 390, height: 844 });
    await signIn(phone, bob.email, bob.password);
    const signOut = phone.getByRole('button', { name: 'Sign out' });
    expect(await signOut.isVisible()).toBe(true);
    const box = (await signOut.boundingBox())!;
    const wide = await phone.evaluate(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('#queue-live, .top-nav, .table-scroll')).slice(0, 8).map((e) => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))`);
    expect(wide).toEqual([]);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const scroll = await phone.evaluate(`(() => { const q = document.getElementById('queue-live'); return { sw: q.scrollWidth, cw: q.clientWidth, ox: getComputedStyle(q).overflowX }; })()`) as { sw: number; cw: number; ox: string };
    expect(scroll.ox).toBe('auto');
    expect(scroll.sw).toBeGreaterThan(scroll.cw);
    await phone.screenshot({ path: path.join(SHOTS, 'queue-390.png'), fullPage: true });
    await phone.goto(`${svc.url}/tickets/${n}`);
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: path.join(SHOTS, 'ticket-390.png'), fullPage: true });
    const adminPhone = await newContext('en-US', { width: 390, height: 844 });
    await signIn(adminPhone, ann.email, ann.password, '/admin');
    expect(await adminPhone.evaluate(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391 && !(e.parentElement && e.parentElement.closest('.top-nav, .table-scroll'))).slice(0, 8).map((e) => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))`)).toEqual([]);
    const why = await adminPhone.evaluate(`[...document.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible').slice(0, 10).map((e) => e.tagName + '#' + e.id + '.' + e.className + ':' + e.scrollWidth + '/' + e.clientWidth)`);
    expect(await adminPhone.evaluate('document.documentElement.scrollWidth'), JSON.stringify(why)).toBeLessThanOrEqual(390);
    await adminPhone.screenshot({ path: path.join(SHOTS, 'admin-390.png'), fullPage: true });
  });

  it('speaks Japanese and Russian on the queue, a ticket and the admin page', async () => {
    for (const [locale, queueTitle, sla] of [['ja-JP', 'ビュー', '自分の未解決チケット'], ['ru-RU', 'Представления', 'Мои открытые заявки']] as const) {
      const p = await newContext(locale);
      await signIn(p, ann.email, ann.password);
      expect(await p.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
      expect(await p.locator('nav[aria-label] .views').count()).toBe(1);
      expect(await p.locator('[data-view="mine"]').textContent()).toContain(sla);
      expect(await p.locator('nav[aria-label="' + queueTitle + '"]').count()).toBe(1);
      await p.screenshot({ path: path.join(SHOTS, `queue-${locale.slice(0, 2)}.png`), fullPage: true });
      await p.goto(`${svc.url}/tickets/${n}`);
      await p.screenshot({ path: path.join(SHOTS, `ticket-${locale.slice(0, 2)}.png`), fullPage: true });
      await p.goto(`${svc.url}/admin`);
      await p.screenshot({ path: path.join(SHOTS, `admin-${locale.slice(0, 2)}.png`), fullPage: true });
    }
    await annPage.goto(`${svc.url}/tickets`);
    await annPage.screenshot({ path: path.join(SHOTS, 'queue-en.png'), fullPage: true });
  });

  it('asked for nothing outside the service and raised no script errors', () => {
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
