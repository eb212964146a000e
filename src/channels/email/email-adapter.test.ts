/** The adapter without a network: what it makes of raw mails, how SMTP failures map, and what it renders. */
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../core/locale.ts';
import type { MailMessage } from '../../core/ports/mail-port.ts';
import { createEmailAdapter, sendError, type InboundMailPayload } from './email-adapter.ts';
import { renderMail } from './email-render.ts';

const FROM = 'support@help.example.test';
const TOKEN = 'aaaabbbbccccddddeeeeffff00001111';
const sent: MailMessage[] = [];
const adapter = createEmailAdapter({
  mail: { from: { address: FROM }, newMessageId: () => '<x@y>', send: async (m) => (sent.push(m), { messageId: m.messageId!, accepted: [m.to.address], rejected: [] }) },
  from: FROM,
  publicUrl: 'https://help.example.test',
  log: { info() {}, warn() {} },
});

const envelope = (raw: string, over: Partial<InboundMailPayload> = {}) => ({
  id: '1',
  platform: 'email',
  externalId: 'mid:<m@c>',
  receivedAt: new Date(),
  payload: { raw: Buffer.from(raw).toString('base64'), mailFrom: 'pat@customer.example', rcptTo: [FROM], token: TOKEN.replace(/a/g, '9'), ...over },
});
const mail = (headers: string, body = 'Hello, the printer is broken again.') => `${headers}\r\nMessage-ID: <m@customer.example>\r\n\r\n${body}\r\n`;

describe('parse', () => {
  it('a new mail is a request to file at once, in a new thread of the sender\'s address', async () => {
    const [e] = await adapter.parse(envelope(mail('From: Pat <Pat@Customer.example>\r\nTo: support@help.example.test\r\nSubject: Printer')));
    expect(e).toMatchObject({ type: 'request_wanted', submitNow: true, place: { platform: 'email', workspaceId: 'help.example.test', chatId: 'pat@customer.example', threadRef: TOKEN.replace(/a/g, '9'), direct: false } });
    expect(e!.type === 'request_wanted' && e.source?.text).toBe('Printer\n\nHello, the printer is broken again.');
    expect(e!.type === 'request_wanted' && e.actor.byAddress).toBe(true);
  });
  it('a reply names its ticket by the token in a recipient address or in References, newest reference first', async () => {
    const [byTo] = await adapter.parse(envelope(mail(`From: pat@customer.example\r\nTo: support+t-${TOKEN}@help.example.test\r\nSubject: Re`)));
    expect(byTo).toMatchObject({ type: 'message', place: { chatId: 'pat@customer.example', threadRef: TOKEN } });
    const [byRef] = await adapter.parse(
      envelope(mail(`From: pat@customer.example\r\nTo: support@help.example.test\r\nIn-Reply-To: <delivery-7.${TOKEN}@help.example.test>\r\nReferences: <ticket.${TOKEN}@help.example.test> <delivery-7.${TOKEN}@help.example.test>\r\nSubject: Re`)),
    );
    expect(byRef).toMatchObject({ type: 'message', place: { threadRef: TOKEN } });
    expect(byRef!.type === 'message' && byRef.repliesTo[0]).toBe(`<delivery-7.${TOKEN}@help.example.test>`);
  });
  it('a token of another domain in References is not ours', async () => {
    const [e] = await adapter.parse(envelope(mail(`From: pat@customer.example\r\nTo: support@help.example.test\r\nReferences: <ticket.${TOKEN}@evil.example>\r\nSubject: Hi there`)));
    expect(e!.type).toBe('request_wanted');
  });
  it('ignores autoresponders, bounces, our own address and mail without a sender', async () => {
    for (const raw of [
      mail('From: pat@customer.example\r\nAuto-Submitted: auto-replied\r\nSubject: Away'),
      mail('From: pat@customer.example\r\nPrecedence: bulk\r\nSubject: News'),
      mail('From: MAILER-DAEMON@mx.customer.example\r\nSubject: Undelivered'),
      mail(`From: ${FROM}\r\nSubject: loop`),
      mail('Subject: nobody'),
    ])
      expect(await adapter.parse(envelope(raw))).toEqual([]);
    expect(await adapter.parse(envelope(mail('From: pat@customer.example\r\nSubject: bounce'), { mailFrom: '' }))).toEqual([]);
  });
  it('ignores what is not a recorded mail, and reads garbage without throwing', async () => {
    expect(await adapter.parse({ ...envelope(''), payload: { nope: 1 } })).toEqual([]);
    await expect(adapter.parse(envelope('\u0000\u0001garbage\r\n\r\n\u0000'))).resolves.toEqual([]);
  });
  it('takes the language from Content-Language, else from the script', async () => {
    const lang = async (raw: string) => {
      const [e] = await adapter.parse(envelope(raw));
      return e!.type === 'request_wanted' ? (await e.actor.profile()).locale : 'n/a';
    };
    expect(await lang(mail('From: a@customer.example\r\nContent-Language: ru-RU\r\nSubject: Hello there'))).toBe('ru');
    expect(await lang(mail('From: a@customer.example\r\nSubject: =?UTF-8?B?44OX44Oq44Oz44K/44O8?=', 'Please help me now.'))).toBe('ja');
    expect(await lang(mail('From: a@customer.example\r\nSubject: Hello there'))).toBeNull();
  });
});

describe('sending', () => {
  it('maps SMTP failures: a refused recipient for good stops the thread; everything else is retried', () => {
    expect(sendError(Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550 })).kind).toBe('permanent');
    expect(sendError(Object.assign(new Error('451 later'), { code: 'EENVELOPE', responseCode: 451 })).kind).toBe('transient');
    expect(sendError(Object.assign(new Error('535 bad auth'), { code: 'EAUTH', responseCode: 535 })).kind).toBe('transient');
    expect(sendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' })).kind).toBe('transient');
    expect(sendError(Object.assign(new Error('554 policy'), { code: 'EMESSAGE', responseCode: 554 })).kind).toBe('transient');
  });
  it('posts into the address thread with the delivery\'s Message-ID and the ticket\'s reply address', async () => {
    const ticket = { number: 5, subject: 'VPN', status: 'open' as const, priority: 'normal' as const, url: 'https://help.example.test/tickets/5' };
    const r = await adapter.post({ platform: 'email', workspaceId: 'help.example.test', chatId: 'pat@customer.example', threadRef: TOKEN }, { kind: 'ticket_confirmation', ticket }, { locale: 'en', deliveryKey: 'delivery-9' });
    expect(r.messageId).toBe(`<delivery-9.${TOKEN}@help.example.test>`);
    expect(sent.at(-1)).toMatchObject({ to: { address: 'pat@customer.example' }, replyTo: { address: `support+t-${TOKEN}@help.example.test` }, inReplyTo: `<ticket.${TOKEN}@help.example.test>` });
    await expect(adapter.post({ platform: 'email', workspaceId: 'x', chatId: 'pat@customer.example', threadRef: null }, { kind: 'ticket_confirmation', ticket }, { locale: 'en', deliveryKey: 'd' })).rejects.toMatchObject({ kind: 'permanent' });
  });
  it('renders every delivery in every language, escaping what people typed', () => {
    const ticket = { number: 7, subject: '<script>alert(1)</script> & "q"', status: 'solved' as const, priority: 'high' as const, url: 'https://h.test/tickets/7' };
    const kinds = [
      { kind: 'ticket_confirmation', ticket },
      { kind: 'agent_reply', ticket, authorName: '<b>Eve</b>', body: '<img src=x onerror=alert(1)>\nline 2' },
      { kind: 'rating_prompt', ticket },
      { kind: 'status_changed', ticket, from: 'open', to: 'pending' },
      { kind: 'reopen_prompt', ticket },
    ] as const;
    for (const locale of LOCALES)
      for (const m of kinds) {
        const r = renderMail(m, locale, 'https://h.test')!;
        expect(r.subject, `${locale} ${m.kind}`).toContain('#7');
        expect(r.html).not.toMatch(/<script|<img|<b>Eve/);
        expect(r.text).toContain('https://h.test/tickets/7');
        expect(r.text).toContain('https://h.test/my/chats');
      }
  });
});
