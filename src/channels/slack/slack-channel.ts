/**
 * The Slack channel, assembled: Bolt (with our receiver, no HTTP server of its own) for routing events, commands and
 * interactions to the flows; one Web API client for everything we send; the fastify routes; the outbound adapter.
 */
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import type { InboundEnvelope } from '../../core/ports/channel-port.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { slack as slackMessages } from '../../i18n/messages/slack.ts';
import { createSlackAdapter } from './slack-adapter.ts';
import { slackFailureOf } from './slack-errors.ts';
import { SlackApi } from './slack-api.ts';
import type { FlowDeps, SlackIdentity } from './slack-flow-support.ts';
import { SlackProfiles } from './slack-profile.ts';
import { registerRatingFlow } from './slack-rating-flow.ts';
import { loggable, SlackReceiver } from './slack-receiver.ts';
import { slackRoutes } from './slack-routes.ts';
import { registerThreadFlow } from './slack-thread-flow.ts';
import { registerTicketFlow } from './slack-ticket-flow.ts';

export interface SlackChannelConfig {
  botToken: string;
  signingSecret: string;
  /** Web API base, e.g. https://slack.com/api/ (SLACK_API_URL). */
  apiUrl: string;
  /** Reaction name that starts a request (SLACK_TICKET_EMOJI), without colons. */
  ticketEmoji: string;
}

/** Bolt and the Web API client log through pino; only strings and error messages, never request bodies. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]): string =>
    parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : '')).join(' ').trim();
  return {
    debug: (...m: unknown[]) => log.debug(text(m)),
    info: (...m: unknown[]) => log.info(text(m)),
    warn: (...m: unknown[]) => log.warn(text(m)),
    error: (...m: unknown[]) => log.error(text(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** auth.test once, remembered; a failure is not remembered, so the next caller tries again. */
function cachedIdentity(api: SlackApi): () => Promise<SlackIdentity> {
  let pending: Promise<SlackIdentity> | null = null;
  return () => {
    if (!pending) {
      const attempt = api.authTest();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = null;
      });
    }
    return pending;
  };
}

const storedBodySchema = z.record(z.string(), z.unknown());

export function createSlackChannel(config: SlackChannelConfig, deps: ChannelDeps): ChannelModule {
  registerMessages('slack', slackMessages);
  const logger = deps.logger.child({ channel: 'slack' });
  const sdkLogger = boltLogger(logger);
  const api = new SlackApi({ botToken: config.botToken, apiUrl: config.apiUrl, logger: sdkLogger });
  const identity = cachedIdentity(api);
  const receiver = new SlackReceiver(logger);

  const app = new App({
    receiver,
    // Our own authorize instead of Bolt's token mode: Bolt would call auth.test in its constructor and crash the
    // process on an unhandled rejection while Slack is unreachable.
    authorize: async (_source, body) => {
      try {
        const me = await identity();
        return { botToken: config.botToken, botId: me.botId, botUserId: me.botUserId };
      } catch (e) {
        // Events need the bot's ids to drop its own messages, and fail so the worker retries them. A command or an
        // interaction runs inside Slack's 3 s and needs no ids: it goes on with the token alone.
        if (body !== undefined && 'event' in body) throw e;
        return { botToken: config.botToken };
      }
    },
    logger: sdkLogger,
    ignoreSelf: true,
    convoStore: false,
    clientOptions: { slackApiUrl: config.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
  });
  // Rethrow, so processEvent rejects and the inbox worker retries (Bolt's default handler would only log).
  app.error(async (error) => {
    throw error;
  });

  const flow: FlowDeps = {
    api,
    desk: deps.desk,
    inbox: deps.inbox,
    logger,
    profiles: new SlackProfiles(api),
    ticketEmoji: config.ticketEmoji,
    identity,
  };
  registerTicketFlow(app, flow);
  registerThreadFlow(app, flow);
  registerRatingFlow(app, flow);

  async function processInbound(envelope: InboundEnvelope): Promise<void> {
    const body = storedBodySchema.safeParse(envelope.payload);
    if (!body.success) {
      logger.warn({ inboxId: envelope.id }, 'slack: stored payload is not an object; skipped');
      return;
    }
    try {
      await receiver.processStored(body.data);
    } catch (e) {
      logger.error({ err: loggable(e), inboxId: envelope.id, externalId: envelope.externalId }, 'slack: processing failed');
      // Slack's answer goes to the inbox in the engine's terms, so a 429 can be told (with its Retry-After) from a fault.
      throw slackFailureOf(e) ?? e;
    }
  }

  return {
    adapter: createSlackAdapter({ api, processInbound }),
    // A member whose verified profile email is a customer's is linked on their first message; others send the code.
    accountLinking: { platform: 'slack', codeMessage: (code: string) => code, linksByProfileEmail: true },
    routes: slackRoutes({ signingSecret: config.signingSecret, inbox: deps.inbox, receiver, logger }),
    async start() {
      try {
        const me = await identity();
        logger.info({ team: me.teamId, botUserId: me.botUserId }, 'slack: connected');
      } catch (e) {
        // Stay up: the first event retries auth.test, and the inbox keeps what arrives meanwhile.
        logger.error({ err: loggable(e) }, 'slack: auth.test failed; will retry on the first event');
      }
    },
    async stop() {},
  };
}
