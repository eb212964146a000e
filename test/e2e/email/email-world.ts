/**
 * The whole service with email on both ways: SMTP_URL pointed at a real local SMTP server (MailCatcher: what the
 * customer's mail server would receive), and SMTP_INBOUND_PORT, the service's own listener, written to by a real SMTP
 * client (nodemailer) the way a customer's mail server would deliver to our MX.
 */
import { createServer, type AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { createPrisma, type Db } from '../../../src/infra/db/prisma.ts';
import { MailCatcher, type CaughtMail } from '../../helpers/mail-catcher.ts';
import { startTestService } from '../../helpers/service.ts';
import { waitFor } from '../../helpers/wait.ts';
import { api, makeAgent } from '../../console/console-client.ts';

export const DOMAIN = 'help.example.test';
export const FROM = `support@${DOMAIN}`;
export const PUBLIC_URL = 'http://help.test';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** What a notification's headers say about its ticket's token. */
export function tokenOf(mail: CaughtMail): string {
  const m = /^support\+t-([0-9a-f]{32})@help\.example\.test$/.exec(mail.parsed.replyTo?.value[0]?.address ?? '');
  if (!m) throw new Error(`no reply token in ${JSON.stringify(mail.parsed.replyTo)}`);
  return m[1]!;
}

export class EmailWorld {
  readonly mail = new MailCatcher();
  svc!: Awaited<ReturnType<typeof startTestService>>;
  db!: Db;
  agent!: Awaited<ReturnType<typeof makeAgent>>;
  inboundPort = 0;

  async start(env: Record<string, string> = {}): Promise<this> {
    await this.mail.start();
    this.inboundPort = await freePort();
    this.svc = await startTestService({ SMTP_URL: this.mail.url, EMAIL_FROM: FROM, PUBLIC_URL, SMTP_INBOUND_PORT: String(this.inboundPort), ...env });
    this.db = createPrisma(this.svc.databaseUrl);
    this.agent = await makeAgent(this.svc.app, `anna@${DOMAIN}`, 'Anna Agent');
    return this;
  }

  async stop(): Promise<void> {
    await this.db?.$disconnect();
    await this.svc?.stop();
    await this.svc?.dropDb();
    await this.mail.stop();
  }

  /** A customer's mail server delivering to our listener. */
  async deliver(message: Mail.Options): Promise<{ accepted: unknown[]; response: string }> {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: this.inboundPort, secure: false, ignoreTLS: true, name: 'mx.customer.example' });
    try {
      const info = await t.sendMail(message);
      return { accepted: info.accepted, response: info.response };
    } finally {
      t.close();
    }
  }

  async customer(email: string, name: string): Promise<string> {
    const r = await api(this.svc.app, 'POST', '/users', { email, name });
    if (r.status !== 201) throw new Error(`user: ${JSON.stringify(r.body)}`);
    return r.body.user.id as string;
  }

  /** A ticket an agent opens on the customer's behalf. */
  async ticket(requesterEmail: string, subject: string, description: string, visibility: 'public' | 'private' = 'public'): Promise<number> {
    const r = await api(this.svc.app, 'POST', '/tickets', { subject, description, requesterEmail, visibility }, this.agent.token);
    if (r.status !== 201) throw new Error(`ticket: ${JSON.stringify(r.body)}`);
    return r.body.ticket.number as number;
  }

  async agentSays(number: number, body: string, isPublic: boolean, status?: string): Promise<void> {
    const r = await api(this.svc.app, 'POST', `/tickets/${number}/comments`, { body, public: isPublic, ...(status ? { status } : {}) }, this.agent.token);
    if (r.status !== 201) throw new Error(`comment: ${JSON.stringify(r.body)}`);
  }

  async setStatus(number: number, status: string): Promise<void> {
    const r = await api(this.svc.app, 'PATCH', `/tickets/${number}`, { status }, this.agent.token);
    if (r.status !== 200) throw new Error(`patch: ${JSON.stringify(r.body)}`);
  }

  async comments(number: number): Promise<{ body: string; public: boolean; via: string; author: { id: string; name: string; email?: string } }[]> {
    const r = await api(this.svc.app, 'GET', `/tickets/${number}/comments`, undefined, this.agent.token);
    return r.body.comments;
  }

  async deliveries(number: number): Promise<{ event: string; platform: string; chatId: string; status: string; attempts: number; lastError: string | null }[]> {
    const r = await api(this.svc.app, 'GET', `/tickets/${number}/deliveries`, undefined, this.agent.token);
    return r.body.deliveries;
  }

  /** Waits until every inbound mail recorded so far is handled (done or dead). */
  async inboundSettled(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.db.inboundEvent.count({ where: { platform: 'email', status: { in: ['done', 'dead'] } } })) >= count, timeoutMs, `${count} inbound mails handled`);
  }

  async ticketsOf(email: string) {
    return this.db.ticket.findMany({ where: { requester: { email } }, orderBy: { number: 'asc' } });
  }
}
