/**
 * A real SMTP server for tests (smtp-server on loopback), keeping every message it receives, parsed by mailparser,
 * the way a mail server and a mail client would see it. The service is pointed at it with SMTP_URL; nothing of our
 * own mail code is replaced. With `auth`, the server demands that user and password (PLAIN/LOGIN).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait.ts';

export interface CaughtMail {
  envelopeTo: string[];
  envelopeFrom: string;
  raw: string;
  parsed: ParsedMail;
}

export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  private server: SMTPServer | null = null;
  port = 0;
  /** When set, RCPT TO answers this SMTP error (e.g. a mail server refusing mail for a while). */
  failWith: { code: number; message: string } | null = null;

  /**
   * `keep`: which received mails the catcher keeps (the rest are accepted and dropped), e.g. `signInMailsOnly` for
   * tests of sign-in that should not count the ticket notifications the same customer also gets.
   */
  constructor(
    private readonly auth: { user: string; pass: string } | null = null,
    private readonly keep: (m: CaughtMail) => boolean = () => true,
  ) {}

  async start(): Promise<this> {
    const auth = this.auth;
    this.server = new SMTPServer({
      // Plain SMTP on loopback: the test's server has no certificate worth trusting.
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth(a, _session, cb) {
        if (auth && a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username });
        return cb(Object.assign(new Error('invalid credentials'), { responseCode: 535 }));
      },
      onRcptTo: (_address, _session, cb) => {
        if (this.failWith) return cb(Object.assign(new Error(this.failWith.message), { responseCode: this.failWith.code }));
        return cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              const mail = {
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                raw,
                parsed,
              };
              if (this.keep(mail)) this.mails.push(mail);
              cb();
            })
            .catch((e: Error) => cb(e));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** SMTP_URL for the service. */
  get url(): string {
    const cred = this.auth ? `${encodeURIComponent(this.auth.user)}:${encodeURIComponent(this.auth.pass)}@` : '';
    return `smtp://${cred}127.0.0.1:${this.port}`;
  }

  to(address: string): CaughtMail[] {
    return this.mails.filter((m) => m.envelopeTo.includes(address));
  }

  /** Waits for the `count`-th mail to this address and returns it. */
  async waitFor(address: string, count = 1, timeoutMs = 20_000): Promise<CaughtMail> {
    await waitFor(() => this.to(address).length >= count, timeoutMs, `mail #${count} to ${address}`);
    return this.to(address)[count - 1]!;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Keeps only sign-in mails (not the ticket notifications of the email channel). */
export const signInMailsOnly = (m: CaughtMail): boolean => /https?:\/\/\S+\/login\/link\/[A-Za-z0-9_-]+/.test(m.parsed.text ?? '');

/** The sign-in link in a mail's plain-text body. */
export function linkIn(mail: CaughtMail): string {
  const m = /https?:\/\/\S+\/login\/link\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '');
  if (!m) throw new Error(`no sign-in link in: ${mail.parsed.text}`);
  return m[0];
}
