/**
 * The Slack channel, assembled: one Web API client for everything we read and send, the people and the bot's own
 * identity, the parser the inbox worker runs, the request-time interactions, the fastify route and the adapter.
 * Bolt's App is not used: the shared webhook route already verifies and records, zod reads the payloads, and the
 * few request-time answers are plain functions (Bolt's WebClient is).
 */
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { slack as slackMessages } from '../../i18n/messages/slack.ts';
import { createSlackAdapter } from './slack-adapter.ts';
import { SlackApi } from './slack-api.ts';
import { createSlackInteractions } from './slack-interactions.ts';
import { createSlackParser, type BotIdentity } from './slack-parse.ts';
import { SlackPeople } from './slack-profile.ts';
import { slackRoutes } from './slack-routes.ts';

export interface SlackChannelConfig {
  botToken: string;
  signingSecret: string;
  /** Web API base, e.g. https://slack.com/api/ (SLACK_API_URL). */
  apiUrl: string;
  /** Reaction name that starts a request (SLACK_TICKET_EMOJI), without colons. */
  ticketEmoji: string;
}

/** auth.test once, remembered; a failure is not remembered, so the next caller tries again. */
function cachedIdentity(api: SlackApi): () => Promise<BotIdentity> {
  let pending: Promise<BotIdentity> | null = null;
  return () =>
    (pending ??= api.authTest().catch((e: unknown) => {
      pending = null;
      throw e;
    }));
}

export function createSlackChannel(config: SlackChannelConfig, deps: ChannelDeps): ChannelModule {
  const { chat } = deps;
  if (!chat) throw new Error('the Slack channel needs the chat service');
  registerMessages('slack', slackMessages);
  const logger = deps.logger.child({ channel: 'slack' });
  const api = new SlackApi({ botToken: config.botToken, apiUrl: config.apiUrl, logger });
  const identity = cachedIdentity(api);
  const people = new SlackPeople(api);
  const parse = createSlackParser({ api, people, identity, chat, ticketEmoji: config.ticketEmoji, logger });
  const interactions = createSlackInteractions({ api, people, chat, logger });

  return {
    adapter: createSlackAdapter({ api, parse, ticketEmoji: config.ticketEmoji }),
    // A member whose verified profile email is a customer's is linked on their first message; others send the code.
    accountLinking: { platform: 'slack', codeMessage: (code: string) => `link ${code}`, linksByProfileEmail: true },
    routes: slackRoutes({ signingSecret: config.signingSecret, inbox: deps.inbox, logger, interactions }),
    async start() {
      try {
        const me = await identity();
        logger.info({ team: me.teamId, botUserId: me.botUserId }, 'slack: connected');
      } catch (e) {
        // Stay up: the first event asks again, and the inbox keeps what arrives meanwhile.
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'slack: auth.test failed; will retry on the first event');
      }
    },
  };
}
