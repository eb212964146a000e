/**
 * Email as a channel: parses a received mail (recorded raw in the inbox by the SMTP listener) into the shared chat
 * vocabulary, and sends the sync engine's deliveries as mails through the MailPort. No rule lives here: who is
 * mailed, what a reply from which address means, when a mail opens a ticket are the core's.
 *
 * A thread here is the requester's address (chatId) plus the ticket's token (threadRef); see mail-ids.ts for how
 * the token travels in the reply address and the Message-IDs.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { ChatEvent, ChatFile, ChatPerson, ChatPlace } from '../../core/chat/chat-events.ts';
import { toLocale, type Locale } from '../../core/locale.ts';
import { ChannelSendError, type ChannelAdapter, type ChannelLimits, type InboundEnvelope, type RichMessage, type SentMessage, type ThreadTarget, type OutboundContext } from '../../core/ports/channel-port.ts';
import type { MailPort } from '../../core/ports/mail-port.ts';
import { renderMail, renderNotice, preferencesUrl } from './email-render.ts';
import { EMAIL_PLATFORM, isOurMailbox, messageIdFor, replyAddress, rootIdFor, splitAddress, tokenFromAddress, tokenFromMessageId } from './mail-ids.ts';
import { visibleReply } from './reply-text.ts';

/** What the SMTP listener records for one received mail. */
export interface InboundMailPayload {
  /** The message exactly as received, base64 (a mail may hold any bytes; the inbox keeps JSON text). */
  raw: string;
  /** The SMTP envelope: MAIL FROM (empty for a bounce) and the accepted RCPT TO addresses. */
  mailFrom: string;
  rcptTo: string[];
  /** A fresh token recorded with the mail: the thread ref of the ticket it opens, if it opens one. */
  token: string;
}

export interface EmailAdapterOptions {
  mail: MailPort;
  /** EMAIL_FROM. */
  from: string;
  publicUrl: string;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

const LIMITS: ChannelLimits = {
  maxMessageLength: 100_000,
  perChatIntervalMs: 0,
  perGroupPerMinute: 0,
  // Gentle on the relay; a notification is not a chat message and may wait a moment.
  globalPerSecond: 20,
  ephemeral: false,
  buttons: false,
  forms: false,
  directCopies: false,
};

function isPayload(p: unknown): p is InboundMailPayload {
  const o = p as Record<string, unknown> | null;
  return !!o && typeof o['raw'] === 'string' && typeof o['token'] === 'string' && Array.isArray(o['rcptTo']);
}

const addressesOf = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.flatMap((v) => (v.address ? [v.address.toLowerCase()] : [])));

/** The language a mail was written in, when it says or shows it: Content-Language, else the script of its text. */
function localeOf(mail: ParsedMail, text: string): Locale | null {
  const header = mail.headers.get('content-language');
  if (typeof header === 'string' && header.trim() !== '') {
    const l = toLocale(header.split(',')[0]);
    if (l !== 'en' || /^en/i.test(header.trim())) return l;
  }
  if (/[\u3040-\u30ff]/.test(text)) return 'ja';
  if (/[\u0400-\u04ff]/.test(text)) return 'ru';
  return null;
}

/** Mail no person wrote to us (autoresponders, bulk, bounces): answering or filing it would only loop. */
function isAutomatic(mail: ParsedMail, mailFrom: string, sender: string): boolean {
  const auto = String(mail.headers.get('auto-submitted') ?? '').trim().toLowerCase();
  if (auto !== '' && auto !== 'no') return true;
  const precedence = String(mail.headers.get('precedence') ?? '').trim().toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return true;
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) return true;
  return mailFrom === '' || [mailFrom, sender].some((a) => /^(mailer-daemon|postmaster)@/i.test(a));
}

function filesOf(mail: ParsedMail): ChatFile[] {
  return mail.attachments
    .filter((a) => a.contentDisposition !== 'inline' || !a.related)
    .map((a) => ({
      name: a.filename ?? 'attachment',
      url: null,
      size: a.size ?? a.content.length,
      contentType: a.contentType ?? null,
      content: new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength),
    }));
}

export function sendError(err: unknown): ChannelSendError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const what = `SMTP: ${e.responseCode ?? e.code ?? ''} ${String(e.message ?? err).slice(0, 300)}`.trim();
  // A recipient the mail server refuses for good (no such mailbox) stops this address's thread; anything else
  // (our relay down, a 4xx, bad credentials: not the recipient's fault) is retried.
  if (e.code === 'EENVELOPE' && (e.responseCode ?? 0) >= 500) return new ChannelSendError('permanent', what);
  return new ChannelSendError('transient', what);
}

export function createEmailAdapter(opts: EmailAdapterOptions): ChannelAdapter {
  const { mail, from, publicUrl, log } = opts;
  const domain = splitAddress(from).domain;

  async function send(to: string, token: string, message: RichMessage, ctx: OutboundContext): Promise<SentMessage> {
    const rendered = renderMail(message, ctx.locale, publicUrl);
    if (!rendered) throw new ChannelSendError('permanent', `nothing to mail for ${message.kind}`);
    const messageId = messageIdFor(ctx.deliveryKey, token, domain);
    const root = rootIdFor(token, domain);
    try {
      await mail.send({
        to: { address: to },
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        inReplyTo: root,
        references: [root],
        replyTo: { address: replyAddress(from, token), ...(mail.from.name ? { name: mail.from.name } : {}) },
        headers: {
          'List-Unsubscribe': `<${preferencesUrl(publicUrl)}>`,
          ...(rendered.automatic ? { 'Auto-Submitted': 'auto-generated' } : {}),
          'X-Auto-Response-Suppress': 'All',
        },
      });
    } catch (err) {
      throw sendError(err);
    }
    return { messageId };
  }

  return {
    platform: EMAIL_PLATFORM,
    limits: LIMITS,

    async parse(envelope: InboundEnvelope): Promise<ChatEvent[]> {
      if (!isPayload(envelope.payload)) {
        log.warn({ inboundId: envelope.id }, 'email: not a recorded mail; ignored');
        return [];
      }
      const p = envelope.payload;
      let parsed: ParsedMail;
      try {
        parsed = await simpleParser(Buffer.from(p.raw, 'base64'), { skipImageLinks: true, skipTextLinks: true });
      } catch (err) {
        // mailparser reads nearly anything; what it cannot read is kept in the inbox and means nothing here.
        log.warn({ inboundId: envelope.id, err: (err as Error)?.message }, 'email: unreadable message; ignored');
        return [];
      }
      const sender = parsed.from?.value.find((v) => v.address)?.address?.trim().toLowerCase() ?? '';
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(sender) || isOurMailbox(sender, from) || isAutomatic(parsed, p.mailFrom, sender)) {
        log.info({ inboundId: envelope.id }, 'email: automatic, ours, or without a sender; ignored');
        return [];
      }
      const text = (parsed.text ?? '').replace(/\r\n?/g, '\n');
      const subject = (parsed.subject ?? '').trim();
      const messageId = parsed.messageId?.trim() || `sha256:${createHash('sha256').update(p.raw).digest('hex')}`;
      const name = parsed.from?.value.find((v) => v.address)?.name?.trim() || splitAddress(sender).local;
      const locale = localeOf(parsed, `${subject}\n${text}`);
      const author: ChatPerson = {
        platform: EMAIL_PLATFORM,
        workspaceId: domain,
        platformUserId: sender,
        byAddress: true,
        profile: async () => ({ platform: EMAIL_PLATFORM, workspaceId: domain, platformUserId: sender, displayName: name, verifiedEmail: null, locale }),
      };
      const files = filesOf(parsed);
      const refs = [parsed.inReplyTo ?? '', ...(Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : [])]
        .flatMap((r) => r.split(/\s+/))
        .filter((r) => r !== '');
      const recipients = [...p.rcptTo.map((r) => r.toLowerCase()), ...addressesOf(parsed.to), ...addressesOf(parsed.cc)];
      const token =
        recipients.map((r) => tokenFromAddress(r, from)).find((x) => x !== null) ??
        refs.map((r) => tokenFromMessageId(r, domain)).find((x) => x !== null) ??
        null;
      if (token) {
        // A reply about a ticket: from its requester's address it is in the requester's thread (chatId); the core
        // decides what a reply from any other address is.
        const place: ChatPlace = { platform: EMAIL_PLATFORM, workspaceId: domain, chatId: sender, threadRef: token, direct: false };
        return [{ type: 'message', place, messageId, author, text: visibleReply(text), files, mentionsBot: false, repliesTo: [...refs].reverse() }];
      }
      // A new mail: a request, in a new thread of the sender's address with the token recorded at receipt.
      const place: ChatPlace = { platform: EMAIL_PLATFORM, workspaceId: domain, chatId: sender, threadRef: p.token, direct: false };
      const body = visibleReply(text);
      return [
        {
          type: 'request_wanted',
          place,
          actor: author,
          source: { messageId, text: subject !== '' ? `${subject}\n\n${body}` : body, files, url: null },
          submitNow: true,
        },
      ];
    },

    // Only a refusal is mailed back to the sender (e.g. a new mail too short to be a request): a ticket's
    // confirmation and follow-up reach the requester as the ticket's own notifications, and the core says nothing
    // to an address that is not a ticket's requester (it could be forged).
    async tell(reply, ctx) {
      const to = reply.actor?.platformUserId;
      if (reply.message.kind !== 'notice' || reply.to !== 'actor' || !to) {
        log.info({ kind: reply.message.kind }, 'email: answer not mailed');
        return;
      }
      const m = renderNotice(reply.message.key, reply.message.params, reply.locale);
      const original = ctx.envelope.externalId.startsWith('mid:') ? ctx.envelope.externalId.slice(4) : null;
      try {
        await mail.send({
          to: { address: to },
          ...m,
          messageId: `<${ctx.deliveryKey.replace(/[^A-Za-z0-9_-]/g, '_')}@${domain}>`,
          ...(original ? { inReplyTo: original, references: [original] } : {}),
          headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
        });
      } catch (err) {
        throw sendError(err);
      }
    },

    async post(target: ThreadTarget, message: RichMessage, ctx: OutboundContext): Promise<SentMessage> {
      if (!target.threadRef) throw new ChannelSendError('permanent', 'an email thread needs its ticket token');
      return send(target.chatId, target.threadRef, message, ctx);
    },

    async sendDirect(): Promise<SentMessage> {
      // The core links an address only as a ticket's thread (address plus token); a token-less mail could not be replied to.
      throw new ChannelSendError('permanent', 'email is delivered only into a ticket thread');
    },

    // A sent mail cannot be changed or taken back; the help center shows the current text.
    async update() {},
    async delete() {},
  };
}
