/**
 * What each chat channel folder exports to the composition root (src/main.ts): the adapter the sync engine
 * delivers through, its HTTP routes, and start/stop hooks for work that lives as long as the process
 * (e.g. long polling, registering commands, learning the bot's own id).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../core/ports/channel-port.ts';
import type { DeskPort, InboxPort } from '../core/ports/desk-port.ts';
import type { ChatService } from '../core/chat/chat-service.ts';

export interface ChannelDeps {
  /** @deprecated the channels' old port; they move to `chat` (parse into ChatEvents, render ChatReplies). */
  desk: DeskPort;
  /** The conversation engine: request-time helpers (drafts, the service catalog) for forms that answer at once. */
  chat?: ChatService;
  inbox: InboxPort;
  logger: Logger;
  /** Base of every link the bot posts; a ticket's link is `${publicUrl}/tickets/<number>`. */
  publicUrl: string;
}

export interface ChannelModule {
  adapter: ChannelAdapter;
  /** Registered by main.ts inside its own encapsulated context; may add its own content-type parsers. */
  routes: FastifyPluginAsync;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
