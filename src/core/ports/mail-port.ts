/**
 * Outgoing email as the core sees it: one message with both a plain-text and an HTML body, and the headers that
 * threading and replies need. src/infra/mail implements it over SMTP; the sign-in links use it today, and the
 * email notification channel is meant to use the same port (Message-ID, In-Reply-To/References, Reply-To).
 */

export interface MailAddress {
  address: string;
  name?: string;
}

export interface MailMessage {
  to: MailAddress;
  subject: string;
  /** The plain-text body; every mail has one, for clients that show no HTML. */
  text: string;
  html: string;
  /** `<id@domain>`; made by the sender (newMessageId) when absent. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  replyTo?: MailAddress;
  /** Extra headers, e.g. `Auto-Submitted: auto-generated` so that autoresponders stay quiet. */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

export interface MailPort {
  /** The sender of every mail (EMAIL_FROM). */
  readonly from: MailAddress;
  /** A fresh Message-ID in the sender's domain, for callers that record it before sending. */
  newMessageId(): string;
  send(message: MailMessage): Promise<SentMail>;
}
