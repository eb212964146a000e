/**
 * Outbound email end to end: the whole service, the worker's drain, nodemailer, and a real SMTP server receiving
 * (MailCatcher). Every mail the requester gets, and every one they must not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueThreadDrain } from '../../../src/infra/sync/drain-queue.ts';
import { waitFor } from '../../helpers/wait.ts';
import { DOMAIN, EmailWorld, PUBLIC_URL, tokenOf } from './email-world.ts';

const w = new EmailWorld();
beforeAll(async () => {
  await w.start();
}, 120_000);
afterAll(async () => {
  await w.stop();
});

const header = (m: { parsed: { headers: Map<string, unknown> } }, name: string) => m.parsed.headers.get(name);
const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

describe('mails to the requester', () => {
  it('an agent opens a public ticket on their behalf: one mail, threaded, with a reply token, the link and the preference link', async () => {
    const to = 'carol@customer.example';
    await w.customer(to, 'Carol');
    const n = await w.ticket(to, 'Printer on fire', 'We saw smoke from the printer on floor 3.');
    const m = await w.mail.waitFor(to, 1);
    expect(m.parsed.subject).toBe(`Request #${n}: Printer on fire`);
    expect(m.envelopeFrom).toBe(`support@${DOMAIN}`);
    const token = tokenOf(m);
    // The Message-ID is the delivery's (a retry sends the same one); every mail of the ticket hangs under one root.
    expect(m.parsed.messageId).toMatch(new RegExp(`^<delivery-\\d+\\.${token}@${DOMAIN.replace(/\./g, '\\.')}>$`));
    expect(m.parsed.inReplyTo).toBe(`<ticket.${token}@${DOMAIN}>`);
    expect(m.parsed.references).toBe(`<ticket.${token}@${DOMAIN}>`);
    expect(m.raw).toMatch(/^List-Unsubscribe: <http:\/\/help\.test\/my\/chats>\r?$/m);
    expect(header(m, 'auto-submitted')).toBe('auto-generated');
    expect(m.parsed.text).toContain(`${PUBLIC_URL}/tickets/${n}`);
    expect(m.parsed.text).toContain('We have opened request');
    expect(m.parsed.text).toContain('##- Please type your reply above this line -##');
    expect(m.parsed.html).toContain(`href="${PUBLIC_URL}/tickets/${n}"`);
    expect(m.parsed.html).toContain(`${PUBLIC_URL}/my/chats`);
    // What agents see of it: one delivery to the address, sent (committed just after the server's answer).
    await waitFor(async () => (await w.deliveries(n))[0]?.status === 'sent', 20_000, 'sent');
    const d = await w.deliveries(n);
    expect(d).toEqual([expect.objectContaining({ event: 'ticket.created', platform: 'email', chatId: to, status: 'sent' })]);
  });

  it('each public agent reply is a mail in the same thread; an internal note and a status change are not', async () => {
    const to = 'dave@customer.example';
    const n = await w.ticket(to, 'VPN drops', 'The VPN drops every hour.');
    const first = await w.mail.waitFor(to, 1);
    await w.agentSays(n, 'INTERNAL: customer is on the old client', false);
    await w.setStatus(n, 'pending');
    await w.agentSays(n, 'Please update the VPN client to 5.2 <and> tell us.', true);
    const reply = await w.mail.waitFor(to, 2);
    expect(tokenOf(reply)).toBe(tokenOf(first));
    expect(reply.parsed.inReplyTo).toBe(first.parsed.inReplyTo);
    expect(reply.parsed.messageId).not.toBe(first.parsed.messageId);
    expect(reply.parsed.subject).toBe(first.parsed.subject);
    expect(reply.parsed.text).toContain('Anna Agent replied to your request');
    expect(reply.parsed.text).toContain('Please update the VPN client to 5.2 <and> tell us.');
    // Escaped in HTML: the agent's text is never markup.
    expect(reply.parsed.html).toContain('5.2 &#60;and&#62; tell us.');
    expect(header(reply, 'auto-submitted')).toBeUndefined();
    await settle();
    const all = w.mail.to(to);
    expect(all).toHaveLength(2);
    expect(all.map((x) => x.raw).join('\n')).not.toContain('INTERNAL');
  });

  it('a solved ticket mails the rating invitation with its link', async () => {
    const to = 'erin@customer.example';
    const n = await w.ticket(to, 'Password reset', 'I cannot reset my password.');
    await w.mail.waitFor(to, 1);
    await w.agentSays(n, 'Done, try again.', true, 'solved');
    const reply = await w.mail.waitFor(to, 2);
    const solved = await w.mail.waitFor(to, 3);
    expect(reply.parsed.text).toContain('Done, try again.');
    expect(solved.parsed.text).toContain(`Your request #${n} “Password reset” has been solved.`);
    expect(solved.parsed.text).toContain(`${PUBLIC_URL}/tickets/${n}#rate-form`);
    expect(tokenOf(solved)).toBe(tokenOf(reply));
    await settle();
    expect(w.mail.to(to)).toHaveLength(3);
  });

  it('a private ticket mails nothing until an agent makes it public with a reply; its description never leaves', async () => {
    const to = 'frank@customer.example';
    const n = await w.ticket(to, 'Salary question', 'SECRET-DESCRIPTION about salaries', 'private');
    await w.agentSays(n, 'Another internal note', false);
    await settle(2500);
    expect(w.mail.to(to)).toEqual([]);
    expect(await w.deliveries(n)).toEqual([]);
    await w.agentSays(n, 'We have looked at it: all is fine.', true);
    const m = await w.mail.waitFor(to, 1);
    expect(m.parsed.text).toContain('We have looked at it: all is fine.');
    expect(m.raw).not.toContain('SECRET-DESCRIPTION');
    expect(m.raw).not.toContain('Another internal note');
  });

  it('mails in the requester\'s language (Japanese, Russian)', async () => {
    await w.customer('yuki@customer.example', 'Yuki');
    await w.customer('olga@customer.example', 'Olga');
    await w.db.user.update({ where: { email: 'yuki@customer.example' }, data: { locale: 'ja' } });
    await w.db.user.update({ where: { email: 'olga@customer.example' }, data: { locale: 'ru' } });
    const nj = await w.ticket('yuki@customer.example', 'プリンター', '印刷できません。');
    const nr = await w.ticket('olga@customer.example', 'Принтер', 'Не печатает.');
    const ja = await w.mail.waitFor('yuki@customer.example', 1);
    const ru = await w.mail.waitFor('olga@customer.example', 1);
    expect(ja.parsed.subject).toBe(`お問い合わせ #${nj}: プリンター`);
    expect(ja.parsed.text).toContain('返信はこの行より上に入力してください');
    expect(ja.parsed.html).toContain('lang="ja"');
    expect(ru.parsed.subject).toBe(`Заявка #${nr}: Принтер`);
    expect(ru.parsed.text).toContain('Мы открыли для вас заявку');
  });

  it('follows a language the requester chooses later', async () => {
    const to = 'lena@customer.example';
    await w.customer(to, 'Lena');
    const n = await w.ticket(to, 'Monitor', 'The monitor stays black.');
    expect((await w.mail.waitFor(to, 1)).parsed.subject).toBe(`Request #${n}: Monitor`);
    await w.db.user.update({ where: { email: to }, data: { locale: 'ru', localeChosen: true } });
    await w.agentSays(n, 'Проверьте кабель, пожалуйста.', true);
    const m = await w.mail.waitFor(to, 2);
    expect(m.parsed.subject).toBe(`Заявка #${n}: Monitor`);
    expect(m.parsed.text).toContain('Anna Agent ответил(а) на вашу заявку');
  });

  it('a requester who turned "also email me replies" off gets no mail', async () => {
    const to = 'gina@customer.example';
    await w.customer(to, 'Gina');
    await w.db.user.update({ where: { email: to }, data: { emailReplies: false } });
    const n = await w.ticket(to, 'Quiet please', 'No mails for me.');
    await w.agentSays(n, 'A reply she reads in the help center', true, 'solved');
    await settle(2500);
    expect(w.mail.to(to)).toEqual([]);
    expect(await w.deliveries(n)).toEqual([]);
  });

  it('a refused try (451) is retried with backoff and the mail arrives once', async () => {
    const to = 'hank@customer.example';
    w.mail.failWith = { code: 451, message: '4.7.1 Greylisted, try again later' };
    const n = await w.ticket(to, 'Greylisting', 'Our server greylists.');
    await waitFor(async () => (await w.deliveries(n))[0]?.lastError?.includes('451') ?? false, 20_000, 'a failed try');
    expect(w.mail.to(to)).toEqual([]);
    w.mail.failWith = null;
    await w.mail.waitFor(to, 1, 30_000);
    await waitFor(async () => (await w.deliveries(n))[0]?.status === 'sent', 20_000, 'sent');
    const [d] = await w.deliveries(n);
    expect(d!.attempts).toBeGreaterThanOrEqual(2);
    await settle();
    expect(w.mail.to(to)).toHaveLength(1);
  });

  it('a mailbox that does not exist (550) stops that address\'s thread: the delivery is failed with the reason', async () => {
    const to = 'nobody@customer.example';
    w.mail.failWith = { code: 550, message: '5.1.1 No such user' };
    try {
      const n = await w.ticket(to, 'Bounce', 'To an address that does not exist.');
      await waitFor(async () => (await w.deliveries(n))[0]?.status === 'failed', 20_000, 'failed delivery');
      const [d] = await w.deliveries(n);
      expect(d!.lastError).toContain('550');
      const link = await w.db.chatThreadLink.findFirst({ where: { ticket: { number: n }, platform: 'email' } });
      expect(link?.status).toBe('broken');
    } finally {
      w.mail.failWith = null;
    }
    expect(w.mail.to(to)).toEqual([]);
  });

  it('a crash between the SMTP server\'s 250 and our commit sends the mail again with the same Message-ID', async () => {
    const to = 'ivan@customer.example';
    const n = await w.ticket(to, 'Crash window', 'Between accept and commit.');
    const first = await w.mail.waitFor(to, 1);
    // The catcher has the mail a moment before our commit: wait for the commit, then undo it.
    await waitFor(async () => (await w.deliveries(n))[0]?.status === 'sent', 20_000, 'sent');
    const d = await w.db.delivery.findFirstOrThrow({ where: { threadLink: { ticket: { number: n }, platform: 'email' } } });
    expect(d.status).toBe('sent');
    // What a process killed right after the SMTP server's answer leaves behind: the claim, not the commit.
    await w.db.delivery.update({ where: { id: d.id }, data: { status: 'sending', sentAt: null, platformMessageId: null, claimedUntil: new Date(Date.now() - 1000) } });
    await enqueueThreadDrain(w.db, d.threadLinkId);
    const again = await w.mail.waitFor(to, 2);
    // Sent twice over SMTP, but as one message: mail programs and Gmail keep one message per Message-ID.
    expect(again.parsed.messageId).toBe(first.parsed.messageId);
    expect(again.parsed.subject).toBe(first.parsed.subject);
    // Again the catcher has the mail a moment before the drain commits it.
    await waitFor(async () => (await w.db.delivery.findUniqueOrThrow({ where: { id: d.id } })).status !== 'sending', 20_000, 'sent again');
    const after = await w.db.delivery.findUniqueOrThrow({ where: { id: d.id } });
    expect(after.status).toBe('sent');
    expect(after.platformMessageId).toBe(first.parsed.messageId);
    await settle();
    expect(w.mail.to(to)).toHaveLength(2);
  });
});
