/**
 * What each chat channel folder exports to the composition root (src/main.ts): the adapter the sync engine
 * delivers through, its HTTP routes, and start/stop hooks for work that lives as long as the process
 * (e.g. long polling, registering commands, learning the bot's own id).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../core/ports/channel-port.ts';
import type { InboxPort } from '../core/ports/inbox-port.ts';
import type { ChatService } from '../core/chat/chat-service.ts';
import type { MailPort } from '../core/ports/mail-port.ts';

export interface ChannelDeps {
  /** The conversation engine: request-time helpers (drafts, the service catalog) for forms that answer at once. */
  chat: ChatService;
  inbox: InboxPort;
  logger: Logger;
  /** Base of every link the bot posts; a ticket's link is `${publicUrl}/tickets/<number>`. */
  publicUrl: string;
  /** Outgoing mail (SMTP_URL), when configured: the email channel sends through it. */
  mail?: MailPort | null;
}

/**
 * How a customer links their account on this platform to the help center (shown on /my/chats): with a one-time
 * code (directory.createLinkCode) that the bot accepts, opened by a deep link where the platform has one, and,
 * where the platform tells the bot a verified profile email, without anything when that email is theirs.
 */
export interface AccountLinking {
  platform: string;
  /** A link that opens the bot with the code already in it; null while the bot's name is not known yet. */
  deepLink?(code: string): string | null;
  /** What the person sends to the bot themselves, e.g. "/start ABCD2345". */
  codeMessage(code: string): string;
  /** The bot's handle as people see it (e.g. "@acme_bot"), when known. */
  botHandle?(): string | null;
  /** The bot links an account by itself when the platform's verified profile email matches. */
  linksByProfileEmail: boolean;
}

export interface ChannelModule {
  adapter: ChannelAdapter;
  accountLinking?: AccountLinking;
  /** Registered by main.ts inside its own encapsulated context; may add its own content-type parsers. */
  routes: FastifyPluginAsync;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
