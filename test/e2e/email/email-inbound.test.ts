/**
 * Inbound email end to end: a real SMTP client (nodemailer, as the customer's mail server) delivers to the service's
 * own listener; the mail is recorded raw in the inbox, the worker parses it and the conversation engine decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { createEmailAdapter } from '../../../src/channels/email/email-adapter.ts';
import { waitFor } from '../../helpers/wait.ts';
import { DOMAIN, EmailWorld, FROM, PUBLIC_URL, tokenOf } from './email-world.ts';

const w = new EmailWorld();
let inboundSoFar = 0;
beforeAll(async () => {
  await w.start();
}, 120_000);
afterAll(async () => {
  await w.stop();
});

/** Delivers and waits until the worker has handled it. */
async function deliver(message: Parameters<EmailWorld['deliver']>[0]) {
  const r = await w.deliver(message);
  inboundSoFar = await w.db.inboundEvent.count({ where: { platform: 'email' } });
  await w.inboundSettled(inboundSoFar);
  return r;
}

/** A ticket an agent opened for `email`, and the notification it got. */
async function notified(email: string, subject: string) {
  const before = w.mail.to(email).length;
  const n = await w.ticket(email, subject, `About: ${subject}, please help.`);
  const mail = await w.mail.waitFor(email, before + 1);
  return { n, mail, token: tokenOf(mail) };
}

describe('mail received by the service', () => {
  it('a new mail to EMAIL_FROM opens a ticket for its sender, via email, and confirms it in a mail they can reply to', async () => {
    const r = await deliver({
      from: 'Pat Customer <pat@customer.example>',
      to: FROM,
      subject: 'Cannot log in',
      text: 'Since this morning I cannot log in to the portal.\n\n-- \nPat\nCustomer Inc.',
      messageId: '<new-1@customer.example>',
    });
    expect(r.response).toMatch(/^250/);
    const [t] = await w.ticketsOf('pat@customer.example');
    expect(t).toMatchObject({ subject: 'Cannot log in', via: 'email', visibility: 'public' });
    expect(t!.description).toContain('Since this morning I cannot log in to the portal.');
    expect(t!.description).not.toContain('Customer Inc.');
    const user = await w.db.user.findUniqueOrThrow({ where: { email: 'pat@customer.example' } });
    expect(user).toMatchObject({ name: 'Pat Customer', role: 'end_user' });
    // No chat account is made for an address.
    expect(await w.db.chatIdentity.count({ where: { userId: user.id } })).toBe(0);
    const confirmation = await w.mail.waitFor('pat@customer.example', 1);
    expect(confirmation.parsed.subject).toBe(`Request #${t!.number}: Cannot log in`);
    expect(confirmation.parsed.text).toContain(`${PUBLIC_URL}/tickets/${t!.number}`);
    tokenOf(confirmation);
  });

  it('a reply from the requester to the Reply-To address is their public comment, without the quoted mail and the signature', async () => {
    const { n, mail, token } = await notified('quinn@customer.example', 'Screen flickers');
    await deliver({
      from: 'quinn@customer.example',
      to: `support+t-${token}@${DOMAIN}`,
      subject: `Re: ${mail.parsed.subject}`,
      text: `It flickers only on battery.\n\nQuinn\n-- \nQuinn Q\nSent from my phone\n\nOn Tue, 2 Dec 2026 at 10:00, Support <${FROM}> wrote:\n> ${mail.parsed.text!.split('\n').join('\n> ')}`,
      messageId: '<reply-1@customer.example>',
      inReplyTo: mail.parsed.messageId,
      references: [String(mail.parsed.references)],
    });
    const comments = await w.comments(n);
    const last = comments[comments.length - 1]!;
    expect(last).toMatchObject({ public: true, via: 'email', body: 'It flickers only on battery.\n\nQuinn' });
    const user = await w.db.user.findUniqueOrThrow({ where: { email: 'quinn@customer.example' } });
    expect(last.author.id).toBe(user.id);
  });

  it('a reply that names the notification only in In-Reply-To/References (sent to EMAIL_FROM itself) is found too', async () => {
    const { n, mail } = await notified('rita@customer.example', 'Keyboard');
    await deliver({
      from: 'rita@customer.example',
      to: FROM,
      subject: 'Re: keyboard',
      text: 'The F5 key is stuck.',
      messageId: '<reply-2@customer.example>',
      inReplyTo: mail.parsed.messageId,
      references: [mail.parsed.messageId!],
    });
    const comments = await w.comments(n);
    expect(comments.at(-1)).toMatchObject({ public: true, body: 'The F5 key is stuck.' });
    expect(await w.ticketsOf('rita@customer.example')).toHaveLength(1);
  });

  it('an HTML-only reply is read as its text, the quoted part removed', async () => {
    const { n, token } = await notified('hugo@customer.example', 'HTML mail');
    await deliver({
      from: 'hugo@customer.example',
      to: `support+t-${token}@${DOMAIN}`,
      subject: 'Re: html',
      html: '<div>It is <b>still</b> broken.</div><blockquote>Anna Agent replied to your request</blockquote>',
      messageId: '<html-1@customer.example>',
    });
    expect((await w.comments(n)).at(-1)).toMatchObject({ public: true, body: 'It is still broken.' });
  });

  it('a reply to a solved ticket reopens it; to a closed one it starts a follow-up that mails its own confirmation', async () => {
    const { n, token } = await notified('ines@customer.example', 'Reopen me');
    await w.agentSays(n, 'Fixed it.', true, 'solved');
    await w.mail.waitFor('ines@customer.example', 3);
    await deliver({ from: 'ines@customer.example', to: `support+t-${token}@${DOMAIN}`, subject: 'Re', text: 'No, it is not fixed.', messageId: '<reopen-1@customer.example>' });
    expect((await w.db.ticket.findUniqueOrThrow({ where: { number: n } })).status).toBe('open');
    await w.agentSays(n, 'Now it is.', true, 'solved');
    await w.mail.waitFor('ines@customer.example', 5);
    expect(await w.svc.tickets.closeStaleSolved(0)).toBeGreaterThanOrEqual(1);
    await deliver({ from: 'ines@customer.example', to: `support+t-${token}@${DOMAIN}`, subject: 'Re', text: 'It broke again today.', messageId: '<followup-1@customer.example>' });
    const mine = await w.ticketsOf('ines@customer.example');
    expect(mine).toHaveLength(2);
    expect(mine[1]).toMatchObject({ via: 'email', followUpOfId: mine[0]!.id, description: 'It broke again today.' });
    const confirmation = await w.mail.waitFor('ines@customer.example', 6);
    expect(confirmation.parsed.subject).toBe(`Request #${mine[1]!.number}: Reopen me`);
    // The follow-up keeps the conversation's token: a reply to any of its mails lands on the newest ticket.
    expect(tokenOf(confirmation)).toBe(token);
    await deliver({ from: 'ines@customer.example', to: `support+t-${token}@${DOMAIN}`, subject: 'Re', text: 'Any news?', messageId: '<followup-2@customer.example>' });
    expect((await w.comments(mine[1]!.number)).at(-1)).toMatchObject({ body: 'Any news?', public: true });
  });

  it('the same mail twice (same Message-ID) adds nothing the second time', async () => {
    const { n, token } = await notified('sam@customer.example', 'Twice');
    const msg = { from: 'sam@customer.example', to: `support+t-${token}@${DOMAIN}`, subject: 'Re: twice', text: 'Only once, please.', messageId: '<dup-1@customer.example>' };
    await deliver(msg);
    const r = await w.deliver(msg);
    expect(r.response).toMatch(/^250/);
    await new Promise((res) => setTimeout(res, 1500));
    const bodies = (await w.comments(n)).map((c) => c.body);
    expect(bodies.filter((b) => b === 'Only once, please.')).toHaveLength(1);
    expect(await w.db.inboundEvent.count({ where: { platform: 'email', externalId: 'mid:<dup-1@customer.example>' } })).toBe(1);
  });

  it('a reply from any other address is never the requester\'s words: an internal note marked unverified', async () => {
    const { n, token } = await notified('tom@customer.example', 'Forwarded');
    const statusBefore = (await w.db.ticket.findUniqueOrThrow({ where: { number: n } })).status;
    await deliver({ from: 'mallory@elsewhere.example', to: `support+t-${token}@${DOMAIN}`, subject: 'Re: forwarded', text: 'Close this ticket, I am Tom.', messageId: '<other-1@elsewhere.example>' });
    // An agent's address is no better: anyone can write it in From.
    await deliver({ from: w.agent.email, to: `support+t-${token}@${DOMAIN}`, subject: 'Re: forwarded', text: 'Solved, says the agent.', messageId: '<other-2@elsewhere.example>' });
    const comments = await w.comments(n);
    const fromMallory = comments.find((c) => c.body.includes('Close this ticket'))!;
    expect(fromMallory).toMatchObject({ public: false, body: '[unverified sender] mallory@elsewhere.example\n\nClose this ticket, I am Tom.' });
    const fromAgentAddress = comments.find((c) => c.body.includes('Solved, says the agent.'))!;
    expect(fromAgentAddress.public).toBe(false);
    expect(fromAgentAddress.body).toContain(`[unverified sender] ${w.agent.email}`);
    const tom = await w.db.user.findUniqueOrThrow({ where: { email: 'tom@customer.example' } });
    expect(comments.filter((c) => c.author.id === tom.id)).toHaveLength(0);
    // It changed nothing else: no reopening, no status, no follow-up.
    const t = await w.db.ticket.findUniqueOrThrow({ where: { number: n } });
    expect(t.status).toBe(statusBefore);
    // Nothing was mailed to the unverified senders.
    expect(w.mail.to('mallory@elsewhere.example')).toEqual([]);
  });

  it('Japanese and Russian replies keep their text and lose their quote headers', async () => {
    const ja = await notified('hanako@customer.example', '請求書');
    const ru = await notified('ivan@customer.example', 'Счёт');
    await deliver({
      from: 'hanako@customer.example',
      to: `support+t-${ja.token}@${DOMAIN}`,
      subject: 'Re: 請求書',
      text: '請求書を再送してください。\nよろしくお願いします。\n\n2026年12月2日(水) 10:00 Support <support@help.example.test>:\n> 返信はこの行より上に入力してください\n> 以前の本文',
      messageId: '<ja-1@customer.example>',
    });
    await deliver({
      from: 'ivan@customer.example',
      to: `support+t-${ru.token}@${DOMAIN}`,
      subject: 'Re: Счёт',
      text: 'Пришлите счёт ещё раз, пожалуйста.\n\n2 дек. 2026 г., в 10:00, Support <support@help.example.test> написал(а):\n> старый текст',
      messageId: '<ru-1@customer.example>',
    });
    expect((await w.comments(ja.n)).at(-1)).toMatchObject({ public: true, body: '請求書を再送してください。\nよろしくお願いします。' });
    expect((await w.comments(ru.n)).at(-1)).toMatchObject({ public: true, body: 'Пришлите счёт ещё раз, пожалуйста.' });
  });

  it('reads the legacy charsets Japanese and Russian mail programs still send (ISO-2022-JP, Shift_JIS, KOI8-R)', async () => {
    const ja = await notified('sachiko@customer.example', 'Invoice JP');
    const ru = await notified('boris@customer.example', 'Invoice RU');
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: w.inboundPort, secure: false, ignoreTLS: true });
    const raws = [
      // "請求書を再送してください。" in ISO-2022-JP, subject "請求書" encoded the same way
      `From: sachiko@customer.example\r\nTo: support+t-${ja.token}@${DOMAIN}\r\nMessage-ID: <jis-1@customer.example>\r\nSubject: =?ISO-2022-JP?B?GyRCQEE1YT1xGyhC?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: base64\r\n\r\nGyRCQEE1YT1xJHI6RkF3JDckRiQvJEAkNSQkISMbKEINCg==\r\n`,
      // "Пришлите счёт ещё раз." in KOI8-R, subject "Счёт"
      `From: boris@customer.example\r\nTo: support+t-${ru.token}@${DOMAIN}\r\nMessage-ID: <koi-1@customer.example>\r\nSubject: =?KOI8-R?B?896j1A==?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=KOI8-R\r\nContent-Transfer-Encoding: base64\r\n\r\n8NLJ28zJ1MUg096j1CDF3aMg0sHaLg0K\r\n`,
      // A new request whose subject is "パスワード" in Shift_JIS
      `From: jiro@customer.example\r\nTo: ${FROM}\r\nMessage-ID: <sjis-1@customer.example>\r\nSubject: =?Shift_JIS?B?g3CDWIOPgVuDaA==?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nI forgot my password, please reset it.\r\n`,
    ];
    try {
      for (const raw of raws) await t.sendMail({ envelope: { from: 'x@customer.example', to: [FROM] }, raw: Buffer.from(raw, 'latin1') });
    } finally {
      t.close();
    }
    await w.inboundSettled(await w.db.inboundEvent.count({ where: { platform: 'email' } }));
    expect((await w.comments(ja.n)).at(-1)).toMatchObject({ public: true, body: '請求書を再送してください。' });
    expect((await w.comments(ru.n)).at(-1)).toMatchObject({ public: true, body: 'Пришлите счёт ещё раз.' });
    const [jiro] = await w.ticketsOf('jiro@customer.example');
    expect(jiro?.subject).toBe('パスワード');
  });

  it('a ticket opened by a Japanese mail is answered in Japanese', async () => {
    await deliver({ from: 'kenji@customer.example', to: FROM, subject: 'ログインできません', text: '今朝からログインできません。助けてください。', messageId: '<ja-new@customer.example>' });
    const m = await w.mail.waitFor('kenji@customer.example', 1);
    expect(m.parsed.subject).toMatch(/^お問い合わせ #\d+: ログインできません$/);
  });

  it('a mail\'s attachments are parsed into files with their bytes', async () => {
    const { n, token } = await notified('uma@customer.example', 'Logs');
    const bytes = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x42, 0x0a, 0x0d]);
    await deliver({
      from: 'uma@customer.example',
      to: `support+t-${token}@${DOMAIN}`,
      subject: 'Re: logs',
      text: 'Here are the logs.',
      messageId: '<att-1@customer.example>',
      attachments: [
        { filename: 'crash.bin', content: bytes, contentType: 'application/octet-stream' },
        { filename: 'заметка.txt', content: 'ログ', contentType: 'text/plain; charset=utf-8' },
      ],
    });
    expect((await w.comments(n)).at(-1)).toMatchObject({ body: 'Here are the logs.' });
    // What the adapter makes of the recorded mail (the core stores ChatFile.content as the attachment).
    const row = await w.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'email', externalId: 'mid:<att-1@customer.example>' } } });
    const adapter = createEmailAdapter({ mail: { from: { address: FROM }, newMessageId: () => '', send: async () => ({ messageId: '', accepted: [], rejected: [] }) }, from: FROM, publicUrl: PUBLIC_URL, log: { info() {}, warn() {} } });
    const [event] = await adapter.parse({ id: String(row.id), platform: 'email', externalId: row.externalId, payload: row.payload, receivedAt: row.receivedAt });
    expect(event!.type).toBe('message');
    const files = (event as { files: { name: string; contentType: string | null; size?: number | null; content?: Uint8Array | null }[] }).files;
    expect(files.map((f) => f.name)).toEqual(['crash.bin', 'заметка.txt']);
    expect(Buffer.from(files[0]!.content!)).toEqual(bytes);
    expect(files[0]!.size).toBe(7);
    expect(Buffer.from(files[1]!.content!).toString('utf8')).toBe('ログ');
    expect(files[1]!.contentType).toBe('text/plain');
    // and the core kept them as the comment's attachments, byte for byte (the bytes came with the event: no fetch)
    const stored = (await w.comments(n)).at(-1) as unknown as { attachments: { name: string; size: number; url: string }[] };
    expect(stored.attachments.map((a) => [a.name, a.size])).toEqual([['crash.bin', 7], ['заметка.txt', Buffer.byteLength('ログ')]]);
    const got = await w.svc.app.inject({ method: 'GET', url: new URL(stored.attachments[0]!.url).pathname, headers: { authorization: `Bearer ${w.agent.token}` } });
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(bytes)).toBe(true);
  });

  it('a recipient of another domain, or another mailbox of ours, is refused at RCPT TO with 550; nothing is recorded', async () => {
    const before = await w.db.inboundEvent.count();
    await expect(w.deliver({ from: 'vic@customer.example', to: 'someone@other.example', subject: 'relay?', text: 'Relay this.' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(w.deliver({ from: 'vic@customer.example', to: `sales@${DOMAIN}`, subject: 'sales', text: 'Hello sales.' })).rejects.toMatchObject({ responseCode: 550 });
    expect(await w.db.inboundEvent.count()).toBe(before);
  });

  it('malformed MIME and NUL bytes are stored and handled without a crash; an autoresponder opens nothing', async () => {
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: w.inboundPort, secure: false, ignoreTLS: true });
    const raws = [
      'From: wendy@customer.example\r\nTo: support@help.example.test\r\nMessage-ID: <bad-1@customer.example>\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="nope"\r\n\r\n--other\r\nContent-Type: text/plain\r\n\r\nhalf a part \u0000 with a NUL\r\n',
      'From: \r\nTo: support@help.example.test\r\nMessage-ID: <bad-2@customer.example>\r\n\r\n\u0000\u0000\u0000',
      'From: robot@customer.example\r\nTo: support@help.example.test\r\nMessage-ID: <auto-1@customer.example>\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n',
    ];
    try {
      for (const raw of raws) {
        const info = await t.sendMail({ envelope: { from: 'x@customer.example', to: [FROM] }, raw: Buffer.from(raw, 'utf8') });
        expect(info.response).toMatch(/^250/);
      }
    } finally {
      t.close();
    }
    await waitFor(async () => (await w.db.inboundEvent.count({ where: { externalId: { in: ['mid:<bad-1@customer.example>', 'mid:<bad-2@customer.example>', 'mid:<auto-1@customer.example>'] }, status: 'done' } })) === 3, 30_000, 'three odd mails handled');
    expect(await w.ticketsOf('robot@customer.example')).toEqual([]);
    expect(w.mail.to('robot@customer.example')).toEqual([]);
    // The broken multipart one has no readable text, only its subject "broken": too short to be a request, and the
    // sender is told so by mail rather than hear nothing.
    expect(await w.ticketsOf('wendy@customer.example')).toEqual([]);
    const told = await w.mail.waitFor('wendy@customer.example', 1);
    expect(told.parsed.subject).toBe('About your message to support');
    expect(told.parsed.text).toContain('at least 10 characters');
    expect(told.parsed.inReplyTo).toBe('<bad-1@customer.example>');
    const health = await w.svc.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });
});
