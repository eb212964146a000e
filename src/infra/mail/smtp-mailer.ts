/**
 * The core's MailPort over SMTP with nodemailer, configured by SMTP_URL (`smtp://[user:pass@]host:port`, STARTTLS
 * when the server offers it, or `smtps://` for TLS from the first byte). Every mail gets a Message-ID in the domain
 * of EMAIL_FROM. The URL holds a password: it is never logged.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { MailAddress, MailMessage, MailPort, SentMail } from '../../core/ports/mail-port.ts';

export interface SmtpMailer extends MailPort {
  close(): void;
}

export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

const formatted = (a: MailAddress) => (a.name ? { name: a.name, address: a.address } : a.address);

export function createSmtpMailer(opts: { url: string; from: MailAddress }): SmtpMailer {
  const transport = nodemailer.createTransport({
    url: opts.url,
    // A mail server that hangs must not hold a worker job for minutes.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    logger: false,
  });
  const domain = emailDomain(opts.from.address);
  const newMessageId = () => `<${randomUUID()}@${domain}>`;

  return {
    from: opts.from,
    newMessageId,
    async send(m: MailMessage): Promise<SentMail> {
      const messageId = m.messageId ?? newMessageId();
      const info = await transport.sendMail({
        from: formatted(opts.from),
        to: formatted(m.to),
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId,
        ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
        ...(m.references?.length ? { references: m.references } : {}),
        ...(m.replyTo ? { replyTo: formatted(m.replyTo) } : {}),
        ...(m.headers ? { headers: m.headers } : {}),
      });
      const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String((x as { address?: string }).address ?? x))) : []);
      return { messageId: info.messageId ?? messageId, accepted: list(info.accepted), rejected: list(info.rejected) };
    },
    close: () => transport.close(),
  };
}
