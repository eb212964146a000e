/**
 * The real service with a real SMTP server beside it (MailCatcher): customers sign in the way they do in
 * production, by the link in the mail the worker sends.
 */
import type { LightMyRequestResponse } from 'fastify';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import type { ServiceOptions } from '../../src/service.ts';
import { linkIn, MailCatcher, signInMailsOnly, type CaughtMail } from '../helpers/mail-catcher.ts';
import { startTestService } from '../helpers/service.ts';
import { api, ConsoleClient, makeAgent } from '../console/console-client.ts';

export class PortalWorld {
  /** Sign-in mails only: the customers here also get ticket notifications (test/e2e/email tests those). */
  readonly mail = new MailCatcher(null, signInMailsOnly);
  svc!: Awaited<ReturnType<typeof startTestService>>;
  db!: Db;
  agent!: Awaited<ReturnType<typeof makeAgent>>;

  async start(env: Record<string, string> = {}, opts: Partial<ServiceOptions> = {}): Promise<this> {
    await this.mail.start();
    this.svc = await startTestService({ SMTP_URL: this.mail.url, EMAIL_FROM: 'help@support.example', ...env }, opts);
    this.db = createPrisma(this.svc.databaseUrl);
    this.agent = await makeAgent(this.svc.app, 'ann@support.example', 'Ann Agent');
    return this;
  }

  async stop(): Promise<void> {
    await this.db?.$disconnect();
    await this.svc?.stop();
    await this.svc?.dropDb();
    await this.mail.stop();
  }

  client(lang = 'en'): ConsoleClient {
    return new ConsoleClient(this.svc.app, lang);
  }

  async customer(email: string, name: string, organization?: string): Promise<string> {
    const r = await api(this.svc.app, 'POST', '/users', { email, name, ...(organization ? { organization } : {}) });
    if (r.status !== 201) throw new Error(`user: ${JSON.stringify(r.body)}`);
    return r.body.user.id as string;
  }

  /** A ticket an agent opens on the customer's behalf (public unless said). */
  async ticket(requesterEmail: string, subject: string, description: string, visibility: 'public' | 'private' = 'public'): Promise<number> {
    const r = await api(this.svc.app, 'POST', '/tickets', { subject, description, requesterEmail, visibility }, this.agent.token);
    if (r.status !== 201) throw new Error(`ticket: ${JSON.stringify(r.body)}`);
    return r.body.ticket.number as number;
  }

  async agentSays(number: number, body: string, isPublic: boolean, status?: string) {
    const r = await api(this.svc.app, 'POST', `/tickets/${number}/comments`, { body, public: isPublic, ...(status ? { status } : {}) }, this.agent.token);
    if (r.status !== 201) throw new Error(`comment: ${JSON.stringify(r.body)}`);
  }

  async setStatus(number: number, status: string) {
    const r = await api(this.svc.app, 'PATCH', `/tickets/${number}`, { status }, this.agent.token);
    if (r.status !== 200) throw new Error(`patch: ${JSON.stringify(r.body)}`);
  }

  /** Asks for a link on the sign-in page; returns the answer and, once it arrives, the mail. */
  async askForLink(c: ConsoleClient, email: string, next?: string): Promise<LightMyRequestResponse> {
    await c.get(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
    return c.post('/login/email', { email, ...(next ? { next } : {}) });
  }

  /** The path of the newest sign-in link mailed to this address, after waiting for the `count`-th mail. */
  async linkPath(email: string, count = 1): Promise<{ path: string; mail: CaughtMail }> {
    const mail = await this.mail.waitFor(email, count);
    return { path: new URL(linkIn(mail)).pathname, mail };
  }

  /** The whole way in: ask, read the mail, open the link, press the button. Returns the final answer. */
  async signIn(c: ConsoleClient, email: string): Promise<LightMyRequestResponse> {
    const before = this.mail.to(email).length;
    const asked = await this.askForLink(c, email);
    if (asked.statusCode !== 200) throw new Error(`asking for a link: ${asked.statusCode}`);
    const { path } = await this.linkPath(email, before + 1);
    await c.get(path);
    const res = await c.post(path, {});
    if (res.statusCode !== 303) throw new Error(`sign-in by link: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  }
}
