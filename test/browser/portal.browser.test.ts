/**
 * The customers' help center in a real browser (Debian's Chromium driven by playwright-core) against the real
 * service on loopback, with a real SMTP server and the Telegram channel on its strict fake: a customer asks for a
 * sign-in link, opens it from the mail, confirms, sees "My activity", opens a ticket an agent opened for them,
 * replies, rates a solved ticket, reopens another, and links Telegram by the deep link on /my/chats. In English,
 * Japanese and Russian, each in its own browser. Screenshots go to test-results/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, MailCatcher, signInMailsOnly } from '../helpers/mail-catcher.ts';
import { ROOT } from '../helpers/processes.ts';
import { TelegramServiceWorld } from '../helpers/telegram/telegram-service.ts';

const SHOTS = path.join(ROOT, 'test-results/screenshots');
const mail = new MailCatcher(null, signInMailsOnly);
const w = new TelegramServiceWorld();
const contexts: { context: BrowserContext; dir: string }[] = [];
const offsite: string[] = [];
const pageErrors: string[] = [];

async function browser(locale: string): Promise<Page> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tb-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale,
  });
  contexts.push({ context, dir });
  // Nothing leaves the machine: any request not to the service is recorded and refused (the t.me link included).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(w.svc.url) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

beforeAll(async () => {
  await mail.start();
  await w.start({ env: { SMTP_URL: mail.url, PUBLIC_URL: 'http://help.test', EMAIL_FROM: 'help@help.test' } });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) {
    await c.context.close();
    rmSync(c.dir, { recursive: true, force: true });
  }
  await w.stop();
  await mail.stop();
});

interface Journey {
  lang: 'en' | 'ja' | 'ru';
  browserLocale: string;
  name: string;
  expect: {
    checkEmail: string;
    confirmTitle: string;
    myActivity: string;
    replySent: string;
    rated: string;
    reopened: string;
    chatsTitle: string;
    statusOpen: string;
  };
}

const JOURNEYS: Journey[] = [
  {
    lang: 'en',
    browserLocale: 'en-US',
    name: 'Carol',
    expect: { checkEmail: 'Check your email', confirmTitle: 'Sign in to the help center', myActivity: 'My activity', replySent: 'Your reply was sent.', rated: 'Thank you for your rating. The request is closed.', reopened: 'The request is open again.', chatsTitle: 'Chat accounts', statusOpen: 'Open' },
  },
  {
    lang: 'ja',
    browserLocale: 'ja-JP',
    name: 'Yuki',
    expect: { checkEmail: 'メールをご確認ください', confirmTitle: 'ヘルプセンターにサインイン', myActivity: 'マイアクティビティ', replySent: '返信を送信しました。', rated: '評価いただきありがとうございます。リクエストをクローズしました。', reopened: 'リクエストを再開しました。', chatsTitle: 'チャットアカウント', statusOpen: '対応中' },
  },
  {
    lang: 'ru',
    browserLocale: 'ru-RU',
    name: 'Rita',
    expect: { checkEmail: 'Проверьте почту', confirmTitle: 'Вход в службу поддержки', myActivity: 'Мои обращения', replySent: 'Ваш ответ отправлен.', rated: 'Спасибо за оценку. Обращение закрыто.', reopened: 'Обращение снова открыто.', chatsTitle: 'Чаты', statusOpen: 'В работе' },
  },
];

describe('a customer in Chromium', { timeout: 120_000 }, () => {
  for (const j of JOURNEYS) {
    it(`signs in by the emailed link, follows and answers their requests, links Telegram (${j.lang})`, async () => {
      const page = await browser(j.browserLocale);
      const user = await w.helpCenterUser(j.name);
      const t1 = (await w.api('POST', '/tickets', { subject: `${j.name}: laptop does not start`, description: 'The laptop shows a black screen after the logo.', requesterEmail: user.email })).body.ticket.number as number;
      await w.api('POST', `/tickets/${t1}/comments`, { body: 'Please hold the power button for 30 seconds.', public: true, status: 'pending' });
      await w.api('POST', `/tickets/${t1}/comments`, { body: 'INTERNAL: warranty ends next month', public: false });
      const t2 = (await w.api('POST', '/tickets', { subject: `${j.name}: printer toner`, description: 'The printer on floor 3 needs toner.', requesterEmail: user.email })).body.ticket.number as number;

      // the link in the ticket's mail or chat message leads to sign-in, and back to the ticket afterwards
      await page.goto(`${w.svc.url}/tickets/${t1}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.locator('#link-email').fill(user.email);
      await page.locator('#link-form button[type="submit"]').click();
      await page.locator('h1', { hasText: j.expect.checkEmail }).waitFor();

      const link = linkIn(await mail.waitFor(user.email));
      await page.goto(`${w.svc.url}${new URL(link).pathname}`);
      await page.locator('h1', { hasText: j.expect.confirmTitle }).waitFor();
      expect(await page.locator('form').count()).toBe(1);
      await page.screenshot({ path: path.join(SHOTS, `portal-confirm-${j.lang}.png`) });
      await page.locator('form button[type="submit"]').click();
      await page.waitForURL(`${w.svc.url}/tickets/${t1}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(j.lang);
      const thread = await page.locator('#ticket-thread').textContent();
      expect(thread).toContain('Please hold the power button for 30 seconds.');
      expect(thread).not.toContain('INTERNAL');

      // My activity
      await page.locator('.top-nav a[href="/my/tickets"]').click();
      await page.locator('h1', { hasText: j.expect.myActivity }).waitFor();
      const subjects = await page.locator('table.my-tickets td.subject').allTextContents();
      expect(subjects.map((s) => s.trim())).toEqual([`${j.name}: printer toner`, `${j.name}: laptop does not start`]);
      await page.screenshot({ path: path.join(SHOTS, `portal-my-activity-${j.lang}.png`), fullPage: true });
      await page.locator('#my-q').fill('laptop');
      await page.locator('#my-q').press('Enter');
      await page.waitForURL(/q=laptop/);
      expect(await page.locator('table.my-tickets tbody tr').count()).toBe(1);

      // reply
      await page.locator(`table.my-tickets a[href="/tickets/${t1}"]`).first().click();
      await page.locator('#reply-body').fill('Holding the button worked, it starts again.');
      await page.locator('#reply-form button[type="submit"]').click();
      await page.waitForURL(/done=reply/);
      expect(await page.locator('[role="status"]').first().textContent()).toBe(j.expect.replySent);
      expect(await page.locator('#ticket-thread').textContent()).toContain('Holding the button worked');

      // rate a solved ticket: it closes
      await w.api('PATCH', `/tickets/${t1}`, { status: 'solved' });
      await page.reload();
      await page.locator('label[for="score-4"]').click();
      await page.locator('#rating-comment').fill('Fast and friendly.');
      await page.locator('#rate-form button[type="submit"]').click();
      await page.waitForURL(/done=rated/);
      expect(await page.locator('[role="status"]').first().textContent()).toBe(j.expect.rated);
      expect((await w.api('GET', `/tickets/${t1}`)).body.ticket).toMatchObject({ status: 'closed', rating: { score: 4, comment: 'Fast and friendly.' } });
      await page.screenshot({ path: path.join(SHOTS, `portal-ticket-${j.lang}.png`), fullPage: true });

      // reopen another with a reason
      await w.api('POST', `/tickets/${t2}/comments`, { body: 'New toner installed.', public: true, status: 'solved' });
      await page.goto(`${w.svc.url}/tickets/${t2}`);
      await page.locator('#reopen-reason').fill('The prints are still pale.');
      await page.locator('#reopen-form button[type="submit"]').click();
      await page.waitForURL(/done=reopened/);
      expect(await page.locator('[role="status"]').first().textContent()).toContain(j.expect.reopened);
      expect(await page.locator('#ticket-summary .status').textContent()).toBe(j.expect.statusOpen);

      // link Telegram by the deep link
      await page.locator('.top-nav a[href="/my/chats"]').click();
      await page.locator('h1', { hasText: j.expect.chatsTitle }).waitFor();
      const href = await page.locator('a.deep-link').getAttribute('href');
      const m = new RegExp(`^https://t\\.me/${w.fake.bot.username}\\?start=([A-Z2-9]{8})$`).exec(href ?? '');
      expect(m, String(href)).not.toBeNull();
      await page.screenshot({ path: path.join(SHOTS, `portal-chats-${j.lang}.png`), fullPage: true });
      // Telegram opens the bot and the person presses Start: the bot receives "/start <code>"
      const { tg, chat } = await w.person(j.name, j.lang);
      await w.send(w.fake.updates.command(chat, tg, '/start', m![1]!));
      expect((await w.sentCount(chat.id, 1)).at(-1)!.text).toContain(user.email);
      await page.reload();
      expect(await page.locator('.account[data-platform="telegram"]').textContent()).toContain(j.name);
    });
  }

  it('asked for nothing outside the service and raised no script errors', () => {
    expect(offsite).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
