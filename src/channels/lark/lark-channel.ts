/**
 * The Lark (and Feishu) channel: what src/main.ts wires. `createLarkChannel(config, deps)` returns the adapter the
 * sync engine delivers through, the fastify routes (POST /lark/events, POST /lark/cards) and a start hook that
 * learns the bot's own open_id.
 */
import { CardActionHandler, LoggerLevel } from '@larksuiteoapi/node-sdk';
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { lark as larkMessages } from '../../i18n/messages/lark.ts';
import { createLarkAdapter } from './lark-adapter.ts';
import { createLarkApi } from './lark-api.ts';
import { decideCardAction } from './lark-card-flow.ts';
import type { LarkContext } from './lark-context.ts';
import { sdkLogger } from './lark-http.ts';
import { createInboundProcessor, HANDLED_EVENT_TYPES, withHeaders } from './lark-inbound.ts';
import { LarkProfiles } from './lark-profile.ts';
import { larkRoutes } from './lark-routes.ts';

export interface LarkChannelConfig {
  appId: string;
  appSecret: string;
  /** LARK_DOMAIN: https://open.larksuite.com, https://open.feishu.cn, or a local fake. */
  domain: string;
  verificationToken?: string | undefined;
  encryptKey?: string | undefined;
  /** Timeout of one Open API call; defaults to 10 s. */
  requestTimeoutMs?: number;
}

export function createLarkChannel(config: LarkChannelConfig, deps: ChannelDeps): ChannelModule {
  // The config refuses this already; a channel built by hand must not run open either.
  if (!config.verificationToken && !config.encryptKey) throw new Error('Lark needs a verification token or an encrypt key to authenticate its requests');
  registerMessages('lark', larkMessages);
  const logger = deps.logger.child({ channel: 'lark' });
  const sdkLog = sdkLogger(logger);
  // The SDK joins `${domain}/open-apis/...`; a trailing slash would double it.
  const domain = config.domain.replace(/\/+$/, '');
  const api = createLarkApi({
    appId: config.appId,
    appSecret: config.appSecret,
    domain,
    timeoutMs: config.requestTimeoutMs ?? 10_000,
    logger,
  });

  let botId: string | null = null;
  let learning: Promise<string> | null = null;
  async function botOpenId(): Promise<string> {
    if (botId) return botId;
    learning ??= api.botOpenId().finally(() => {
      learning = null;
    });
    botId = await learning;
    return botId;
  }

  const ctx: LarkContext = {
    api,
    desk: deps.desk,
    logger,
    profiles: new LarkProfiles(api, logger),
    domain,
    botOpenId,
  };

  // The handler's fallback receives every callback (card.action.trigger and legacy ones), already flattened.
  const cards = new CardActionHandler({ logger: sdkLog, loggerLevel: LoggerLevel.warn }, (data: unknown) =>
    decideCardAction(ctx, data),
  );

  const processInbound = createInboundProcessor(ctx, sdkLog);

  return {
    adapter: createLarkAdapter({ api, processInbound }),
    // A member whose verified profile email is a customer's is linked on their first message; others send the code.
    accountLinking: { platform: 'lark', codeMessage: (code: string) => code, linksByProfileEmail: true },
    routes: larkRoutes({
      secrets: { encryptKey: config.encryptKey, verificationToken: config.verificationToken },
      inbox: deps.inbox,
      logger,
      eventTypes: HANDLED_EVENT_TYPES,
      dispatchCard: (body) => cards.invoke(withHeaders(body)),
    }),
    async start() {
      try {
        await botOpenId();
        logger.info('lark channel ready');
      } catch (e) {
        // Not fatal: events wait in the inbox and are retried until the bot's identity is known.
        logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'lark: could not learn the bot identity yet');
      }
    },
  };
}
