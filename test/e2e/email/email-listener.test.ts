/**
 * The SMTP listener itself: its limits, its answer when the database cannot take a mail, its life with the
 * process, and the configuration it refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { loadConfig } from '../../../src/config/env.ts';
import { createInboundListener } from '../../../src/channels/email/inbound-listener.ts';
import { applyMigrations } from '../../../src/infra/db/migrate.ts';
import { migrateQueue } from '../../../src/infra/queue/worker.ts';
import { createPrisma, type Db } from '../../../src/infra/db/prisma.ts';
import { createInbox } from '../../../src/infra/sync/inbox.ts';
import { createTestDatabase } from '../../helpers/test-db.ts';
import { EmailWorld, FROM } from './email-world.ts';

const log = pino({ level: 'silent' });
const send = async (port: number, msg: Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0]) => {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await t.sendMail(msg);
  } finally {
    t.close();
  }
};

let db: Db;
let drop: () => Promise<void>;
beforeAll(async () => {
  const d = await createTestDatabase();
  drop = d.drop;
  await applyMigrations(d.url);
  await migrateQueue(d.url, log);
  db = createPrisma(d.url);
}, 60_000);
afterAll(async () => {
  await db?.$disconnect();
  await drop?.();
});

describe('the SMTP listener', () => {
  it('takes a message up to its size limit and refuses a bigger one with 552, recording nothing of it', async () => {
    const l = createInboundListener({ host: '127.0.0.1', port: 0, from: FROM, maxBytes: 4096, inbox: createInbox(db), log });
    const port = await l.start();
    try {
      const ok = await send(port, { from: 'a@customer.example', to: FROM, subject: 'small', text: 'small enough', messageId: '<small@customer.example>' });
      expect(ok.response).toMatch(/^250/);
      await expect(send(port, { from: 'a@customer.example', to: FROM, subject: 'big', text: 'x'.repeat(10_000), messageId: '<big@customer.example>' })).rejects.toMatchObject({ responseCode: 552 });
      const rows = await db.inboundEvent.findMany({ where: { platform: 'email' }, select: { externalId: true, payload: true } });
      expect(rows.map((r) => r.externalId)).toEqual(['mid:<small@customer.example>']);
      // The raw message is kept exactly, base64 in the JSON payload.
      const raw = Buffer.from((rows[0]!.payload as { raw: string }).raw, 'base64').toString('utf8');
      expect(raw).toContain('Message-ID: <small@customer.example>');
      expect(raw).toContain('small enough');
    } finally {
      await l.stop();
    }
  });

  it('answers 451 (try again later) when the mail cannot be recorded, so the sending server keeps it', async () => {
    const down = createPrisma('postgresql://postgres@127.0.0.1:1/nothing_here');
    const l = createInboundListener({ host: '127.0.0.1', port: 0, from: FROM, maxBytes: 4096, inbox: createInbox(down), log });
    const port = await l.start();
    try {
      await expect(send(port, { from: 'a@customer.example', to: FROM, subject: 'later', text: 'keep it', messageId: '<later@customer.example>' })).rejects.toMatchObject({ responseCode: 451 });
    } finally {
      await l.stop();
      await down.$disconnect();
    }
  });

  it('starts and stops with the service', async () => {
    const w = await new EmailWorld().start();
    const port = w.inboundPort;
    const ok = await w.deliver({ from: 'b@customer.example', to: FROM, subject: 'Hello there', text: 'Is anyone listening?' });
    expect(ok.response).toMatch(/^250/);
    await w.stop();
    await expect(send(port, { from: 'b@customer.example', to: FROM, subject: 'after', text: 'after the stop' })).rejects.toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ESOCKET|ECONNECTION/) });
  }, 120_000);
});

describe('configuration', () => {
  const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/x', SMTP_URL: 'smtp://127.0.0.1:2525' };
  it('refuses SMTP_INBOUND_PORT without a mail domain in EMAIL_FROM (the default from PUBLIC_URL=localhost is none)', () => {
    expect(() => loadConfig({ ...base, SMTP_INBOUND_PORT: '2526' })).toThrow(/^EMAIL_FROM must name the domain that receives mail/);
    expect(() => loadConfig({ ...base, SMTP_INBOUND_PORT: '2526', EMAIL_FROM: 'support@127.0.0.1' })).toThrow(/^EMAIL_FROM/);
    expect(loadConfig({ ...base, SMTP_INBOUND_PORT: '2526', PUBLIC_URL: 'https://help.example.com' }).EMAIL_FROM).toBe('support@help.example.com');
    expect(loadConfig({ ...base, SMTP_INBOUND_PORT: '2526', EMAIL_FROM: 'help@example.org' }).SMTP_INBOUND_PORT).toBe(2526);
  });
  it('refuses SMTP_INBOUND_PORT without SMTP_URL, a port out of range, or the HTTP port', () => {
    expect(() => loadConfig({ DATABASE_URL: base.DATABASE_URL, SMTP_INBOUND_PORT: '2526', EMAIL_FROM: 'a@example.org' })).toThrow(/^SMTP_URL is required when SMTP_INBOUND_PORT is set/);
    expect(() => loadConfig({ ...base, SMTP_INBOUND_PORT: '70000', EMAIL_FROM: 'a@example.org' })).toThrow(/^SMTP_INBOUND_PORT/);
    expect(() => loadConfig({ ...base, SMTP_INBOUND_PORT: '3000', EMAIL_FROM: 'a@example.org' })).toThrow(/^SMTP_INBOUND_PORT must differ from PORT/);
    expect(loadConfig({ ...base }).SMTP_INBOUND_PORT).toBeUndefined();
  });
});
