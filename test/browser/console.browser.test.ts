/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against the real service listening
 * on loopback, with the in-process test chat channel: sign in, work a ticket that came from a chat (internal note,
 * public reply with a status, status change), watch the delivery and the queue update without reloading, create a
 * private ticket for a new customer and make it public, and check what the requester's activity shows.
 * Screenshots of the queue and a ticket page go to test-results/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.ts';
import { startTestService, threadTicket } from '../helpers/service.ts';
import { createTestChannel } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';
import { api, makeAgent } from '../console/console-client.ts';

const SHOTS = path.join(ROOT, 'test-results/screenshots');
const platform = new TestPlatform();
let svc: Awaited<ReturnType<typeof startTestService>>;
let agent: Awaited<ReturnType<typeof makeAgent>>;
let context: BrowserContext;
let page: Page;
let profileDir = '';
let officeIt = '';
const offsite: string[] = [];
const pageErrors: string[] = [];

async function chatTicket(n: number, subject: string, email: string, priority: 'normal' | 'high' | 'urgent' = 'normal') {
  const { ticket } = await threadTicket(svc, {
    via: 'test',
    requester: { email },
    subject,
    priority,
    serviceId: officeIt,
    description: 'Since this morning the office printer shows "paper jam" although the tray is empty.',
    thread: { platform: 'test', workspaceId: 'w', chatId: `C${n}`, threadRef: `t${n}`, locale: 'en' },
    sourceUrl: `https://chat.example/archives/C${n}/p${n}`,
  });
  return { number: ticket.number, chatId: `C${n}`, threadRef: `t${n}` };
}

beforeAll(async () => {
  await platform.start();
  svc = await startTestService({}, { listen: true, channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)] });
  agent = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
  await makeAgent(svc.app, 'bob@support.example', 'Bob Builder');
  officeIt = (await api(svc.app, 'POST', '/services', { name: 'Office IT' })).body.service.id;
  for (const [email, name, organization] of [['gina@globex.example', 'Gina Russo', 'Globex'], ['hank@initech.example', 'Hank Weber', 'Initech'], ['ivy@umbrella.example', 'Ivy Chen', 'Umbrella']])
    await api(svc.app, 'POST', '/users', { email, name, organization });
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'tb-chromium-'));
  mkdirSync(SHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
  });
  // Nothing leaves the machine: any request not to the service is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(svc.url) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await svc?.stop();
  await svc?.dropDb();
  await platform.stop();
});

describe('the console in Chromium', { timeout: 90_000 }, () => {
  let chat: { number: number; chatId: string; threadRef: string };

  it('signs in from the link a bot posts and lands on the ticket', async () => {
    chat = await chatTicket(1, 'Printer reports a paper jam', 'gina@globex.example');
    await chatTicket(2, 'VPN disconnects every hour', 'hank@initech.example', 'high');
    await waitFor(() => platform.thread(chat.chatId, chat.threadRef).length === 1);
    await page.goto(`${svc.url}/tickets/${chat.number}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email', { exact: true }).fill(agent.email);
    await page.getByLabel('Password').fill(agent.password);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${svc.url}/tickets/${chat.number}`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Printer reports a paper jam');
    expect(await page.locator('.comment').count()).toBe(1);
    expect(await page.locator('a[href="https://chat.example/archives/C1/p1"]').textContent()).toBe('Open the original message');
    // keyboard: the skip link is the first stop and leads to the content
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
  });

  it('adds an internal note (the default), then a public reply that sets pending and is delivered to the chat', async () => {
    expect(await page.locator('#mode-internal').isChecked()).toBe(true);
    await page.getByLabel('Message').fill('Customer is on the legacy maintenance plan.');
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.waitForURL(/done=note/);
    const note = page.locator('.comment-internal').last();
    expect(await note.textContent()).toContain('Customer is on the legacy maintenance plan.');
    expect(await note.textContent()).toContain('Internal note');

    await page.locator('label[for="mode-public"]').click();
    expect(await page.getByRole('button', { name: 'Send public reply' }).isVisible()).toBe(true);
    await page.getByLabel('Message').fill('Please open the front cover and remove the green roller.');
    await page.getByLabel('Then set status').selectOption('pending');
    await page.getByRole('button', { name: 'Send public reply' }).click();
    await page.waitForURL(/done=reply/);
    await waitFor(() => platform.thread(chat.chatId, chat.threadRef).some((m) => m.text.includes('remove the green roller')), 10_000, 'reply in chat');
    expect(platform.messages.some((m) => m.text.includes('legacy maintenance'))).toBe(false);
    // the page learns about the delivery by itself (live update, no reload)
    await page.locator('.comment-public .delivery-sent', { hasText: 'Delivered to Test chat' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#ticket-summary .status').textContent()).toBe('Pending');
  });

  it('changes the status and assignee from the properties, and shows the history', async () => {
    await page.locator('#p-status').selectOption('on_hold');
    await page.locator('#p-assignee').selectOption({ label: 'Bob Builder' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.locator('#ticket-summary .status').textContent()).toBe('On hold');
    const history = await page.locator('#ticket-history').textContent();
    expect(history).toContain('Status changed from Pending to On hold');
    expect(history).toContain('Assignee changed from Nobody to Bob Builder');
    // the customer answers in the chat: it appears on the open page without a reload
    await svc.app.inject({
      method: 'POST',
      url: '/test/events',
      headers: { 'x-test-secret': 'test-channel-secret', 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'b-1', chatId: chat.chatId, threadRef: chat.threadRef, user: 'gina', email: 'gina@globex.example', text: 'Done, it prints again. Thanks!' }),
    });
    await page.locator('.comment', { hasText: 'Done, it prints again.' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'ticket.png'), fullPage: true });
  });

  it('shows the queue, and new tickets appear in it without a reload', async () => {
    await page.goto(`${svc.url}/tickets`);
    expect(await page.locator('table.queue tbody tr').count()).toBeGreaterThanOrEqual(2);
    await chatTicket(3, 'Projector in room 4 has no signal', 'ivy@umbrella.example', 'urgent');
    await page.locator('table.queue', { hasText: 'Projector in room 4 has no signal' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SHOTS, 'queue.png'), fullPage: true });
    await page.getByLabel('Search').fill('projector');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.waitForURL(/q=projector/);
    expect(await page.locator('table.queue tbody tr').count()).toBe(1);
  });

  it('creates a private ticket for a new customer, makes it public with a reply, and the requester never sees the note', async () => {
    await page.goto(`${svc.url}/tickets/new`);
    // an existing customer is found by the first letters of the email domain, chosen with the keyboard
    await page.getByLabel('Find a customer').pressSequentially('globex', { delay: 20 });
    await page.locator('#requester-results [role="option"]').first().waitFor();
    await page.getByLabel('Find a customer').press('ArrowDown');
    await page.getByLabel('Find a customer').press('Enter');
    expect(await page.locator('#requester-chosen-email').textContent()).toBe('gina@globex.example');
    await page.locator('#requester-clear').click();
    // nobody matches: add the customer
    await page.getByLabel('Find a customer').pressSequentially('zed', { delay: 20 });
    await page.locator('#requester-add').waitFor();
    await page.locator('#requester-add').click();
    await page.getByLabel('Name').fill('Zed Zimmer');
    await page.locator('#new-email').fill('zed@zenith.example');
    await page.getByLabel('Organization').fill('Zenith');
    await page.getByLabel('Subject').fill('Quote for 40 new laptops');
    await page.getByLabel('Description').fill('Sales wants a quote; margin notes follow internally.');
    await page.getByLabel('Service').selectOption({ label: 'Office IT' });
    await page.getByLabel('Private', { exact: true }).check();
    await page.screenshot({ path: path.join(SHOTS, 'new-ticket.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.waitForURL(/done=created/);
    expect(await page.locator('.banner-private').isVisible()).toBe(true);
    const number = Number(/\/tickets\/(\d+)/.exec(page.url())![1]);

    await page.getByLabel('Message').fill('SECRET-NOTE: approve up to 12% discount.');
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.waitForURL(/done=note/);
    const requesterId = (await api(svc.app, 'GET', `/tickets/${number}`)).body.ticket.requester.id;
    const activity = async () => JSON.stringify((await api(svc.app, 'GET', `/users/${requesterId}/activity`)).body);
    expect(await activity()).not.toContain(`"number":${number}`);

    await page.locator('label[for="mode-public"]').click();
    expect(await page.locator('.hint-public').textContent()).toContain('makes this private ticket public');
    await page.getByLabel('Message').fill('Hello Zed, your quote will be ready on Friday.');
    await page.getByRole('button', { name: 'Send public reply' }).click();
    await page.waitForURL(/done=reply/);
    expect(await page.locator('.banner-private').count()).toBe(0);
    expect(await page.locator('#ticket-history').textContent()).toContain('Made public by a public reply');
    const after = await activity();
    expect(after).toContain(`"number":${number}`);
    expect(after).not.toContain('SECRET-NOTE');
  });

  it('gives a customer a Telegram registration code from the profile', async () => {
    await page.goto(`${svc.url}/tickets/${chat.number}`);
    await page.locator('.requester-name a').click();
    await page.getByRole('button', { name: 'Give a Telegram registration code' }).click();
    expect(await page.locator('#link-code').textContent()).toMatch(/^[A-Z2-9]{8}$/);
  });

  it('shows markup people typed as text, never running it', async () => {
    const evil = (await api(svc.app, 'POST', '/tickets', { subject: '<img src=x onerror="window.__xss=1">Evil', description: '<script>window.__xss=2</script>', requesterEmail: 'mallory@evil.example' }, agent.token)).body.ticket;
    await api(svc.app, 'POST', `/tickets/${evil.number}/comments`, { body: '<svg onload="window.__xss=3">', public: true }, agent.token);
    for (const url of [`/tickets/${evil.number}`, '/tickets?status=all', `/tickets?q=${encodeURIComponent('<img src=x onerror="window.__xss=4">')}`]) {
      await page.goto(`${svc.url}${url}`);
      await page.waitForLoadState('load');
      expect(await page.evaluate('window.__xss'), url).toBeUndefined();
    }
    expect(await page.locator('h1').textContent()).not.toContain('Evil'); // the search page
    await page.goto(`${svc.url}/tickets/${evil.number}`);
    expect(await page.locator('h1').textContent()).toContain('<img src=x onerror="window.__xss=1">Evil');
    expect(await page.locator('.comment-body').first().textContent()).toBe('<script>window.__xss=2</script>');
  });

  it('asked for nothing outside the service and raised no script errors', () => {
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
