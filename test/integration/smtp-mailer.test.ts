/**
 * The SMTP MailPort against a real SMTP server (smtp-server) that demands a password: the URL's credentials are
 * used, every header the notification channel will need arrives as given, and a refusal is an error the job
 * retries on (never a silent loss).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/infra/mail/smtp-mailer.ts';
import { MailCatcher } from '../helpers/mail-catcher.ts';

const server = new MailCatcher({ user: 'relay-user', pass: 'relay p@ss' });
beforeAll(async () => {
  await server.start();
});
afterAll(async () => server.stop());

describe('SMTP mailer', () => {
  it('logs in with the URL\'s credentials and sends text, HTML and threading headers', async () => {
    const mailer = createSmtpMailer({ url: server.url, from: { address: 'support@help.example' } });
    try {
      const id = mailer.newMessageId();
      expect(id).toMatch(/^<[0-9a-f-]{36}@help\.example>$/);
      const sent = await mailer.send({
        to: { address: 'carol@customer.example', name: 'Carol Ünïcode' },
        subject: 'Заявка #7: принтер',
        text: 'plain body',
        html: '<p>html body</p>',
        messageId: id,
        inReplyTo: '<parent@help.example>',
        references: ['<root@help.example>', '<parent@help.example>'],
        replyTo: { address: 'reply+t7@help.example' },
        headers: { 'Auto-Submitted': 'auto-replied' },
      });
      expect(sent.messageId).toBe(id);
      expect(sent.accepted).toEqual(['carol@customer.example']);
      const m = await server.waitFor('carol@customer.example');
      expect(m.envelopeFrom).toBe('support@help.example');
      expect(m.parsed).toMatchObject({ subject: 'Заявка #7: принтер', messageId: id, inReplyTo: '<parent@help.example>', references: ['<root@help.example>', '<parent@help.example>'] });
      expect(m.parsed.text?.trim()).toBe('plain body');
      expect(m.parsed.html).toContain('<p>html body</p>');
      expect(m.parsed.replyTo?.value[0]?.address).toBe('reply+t7@help.example');
      expect(m.parsed.to && !Array.isArray(m.parsed.to) ? m.parsed.to.value[0] : null).toEqual({ address: 'carol@customer.example', name: 'Carol Ünïcode' });
      expect(m.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    } finally {
      mailer.close();
    }
  });

  it('fails loudly on wrong credentials and on a refusing server', async () => {
    const wrong = createSmtpMailer({ url: `smtp://relay-user:nope@127.0.0.1:${server.port}`, from: { address: 'support@help.example' } });
    await expect(wrong.send({ to: { address: 'x@customer.example' }, subject: 's', text: 't', html: 'h' })).rejects.toThrow();
    wrong.close();
    const mailer = createSmtpMailer({ url: server.url, from: { address: 'support@help.example' } });
    server.failWith = { code: 451, message: 'try again later' };
    await expect(mailer.send({ to: { address: 'y@customer.example' }, subject: 's', text: 't', html: 'h' })).rejects.toThrow(/451|try again/);
    server.failWith = null;
    mailer.close();
    expect(server.to('x@customer.example')).toEqual([]);
  });
});
