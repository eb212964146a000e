/**
 * The service's own SMTP listener (smtp-server), the email channel's "webhook": it accepts mail only for the
 * EMAIL_FROM mailbox and its plus-addresses (anything else: 550 at RCPT TO), at most `maxBytes` per message (552
 * beyond), records each message raw in the inbox and answers 250 only once that insert has committed (a database
 * failure answers 451: the sending server keeps the mail and tries again). The same Message-ID twice is one inbox
 * row (the inbox's external id). Parsing happens later, in the worker (email-adapter.ts), never here.
 *
 * Plain SMTP without AUTH: this is a mail exchanger (MX) or a relay's next hop, not a submission server. TLS is the
 * relay's (see README, "Email").
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import type { InboundMailPayload } from './email-adapter.ts';
import { EMAIL_PLATFORM, isOurMailbox } from './mail-ids.ts';

export interface InboundListenerOptions {
  host: string;
  port: number;
  /** EMAIL_FROM: mail is accepted for it and its plus-addresses only. */
  from: string;
  maxBytes: number;
  inbox: InboxPort;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

export interface InboundListener {
  start(): Promise<number>;
  stop(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/** The Message-ID header of a raw message (headers unfolded), or null. */
export function messageIdOf(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 256 * 1024)).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(<[^<>\s]{1,900}>)/im.exec(head);
  return m ? m[1]! : null;
}

export function createInboundListener(opts: InboundListenerOptions): InboundListener {
  const { inbox, log } = opts;
  let server: SMTPServer | null = null;

  async function record(raw: Buffer, session: SMTPServerSession): Promise<{ duplicate: boolean }> {
    const id = messageIdOf(raw);
    const externalId = id ? `mid:${id.toLowerCase()}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
    const payload: InboundMailPayload = {
      raw: raw.toString('base64'),
      mailFrom,
      rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
      token: randomBytes(16).toString('hex'),
    };
    // One sender's mails are handled in the order they came (a reply right after the mail that opened a ticket).
    const r = await inbox.record({ platform: EMAIL_PLATFORM, externalId, payload, orderingKey: `${EMAIL_PLATFORM}:${mailFrom}` });
    return { duplicate: r.duplicate };
  }

  return {
    async start() {
      server = new SMTPServer({
        name: opts.from.slice(opts.from.lastIndexOf('@') + 1),
        banner: 'ticket-bridge',
        disabledCommands: ['AUTH', 'STARTTLS'],
        authOptional: true,
        size: opts.maxBytes,
        // One connection may deliver several messages; a stalled client is cut off.
        socketTimeout: 60_000,
        closeTimeout: 5_000,
        maxClients: 100,
        logger: false,
        onRcptTo(address, _session, cb) {
          if (!isOurMailbox(address.address, opts.from)) return cb(smtpError(550, '5.1.1 No such mailbox here'));
          cb();
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (err) => cb(err));
          stream.on('end', () => {
            if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return cb(smtpError(552, '5.3.4 Message too big'));
            record(Buffer.concat(chunks), session).then(
              ({ duplicate }) => {
                log.info({ duplicate }, 'email: message received');
                cb();
              },
              (err: unknown) => {
                log.error({ err: (err as Error)?.message }, 'email: could not record a message; the sender will retry');
                cb(smtpError(451, '4.3.0 Temporary failure, try again later'));
              },
            );
          });
        },
      });
      server.on('error', (err) => log.warn({ err: err.message }, 'email: SMTP listener error'));
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(opts.port, opts.host, () => {
          server!.server.off('error', reject);
          resolve();
        });
      });
      const port = (server.server.address() as AddressInfo).port;
      log.info({ port }, 'email: SMTP listener started');
      return port;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
