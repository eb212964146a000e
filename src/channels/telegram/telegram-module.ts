/**
 * The Telegram channel as the composition root sees it: createTelegramChannel(config, deps) -> ChannelModule, around
 * the adapter (telegram-channel.ts). start() learns the bot (getMe), registers its commands in en/ja/ru, and either
 * registers the webhook or starts long polling; when Telegram cannot be reached it keeps trying in the background
 * while the rest of the service runs (webhook updates wait in the inbox meanwhile). routes() serves
 * POST /telegram/webhook in webhook mode only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import { LOCALES } from '../../core/locale.ts';
import { backoffMs } from '../../core/sync/delivery-policy.ts';
import { registerMessages, t } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { createTelegraf, isTokenRefused, logFacts } from './telegram-api.ts';
import { createTelegramAdapter } from './telegram-channel.ts';
import { pollUpdates } from './telegram-polling.ts';
import { telegramRoutes, WEBHOOK_PATH, WEBHOOK_SECRET_PATTERN } from './telegram-routes.ts';
import { ALLOWED_UPDATES } from './telegram-schemas.ts';

export interface TelegramChannelConfig {
  /** TELEGRAM_BOT_TOKEN, "<bot id>:<secret>". */
  botToken: string;
  /** TELEGRAM_API_ROOT, e.g. https://api.telegram.org */
  apiRoot: string;
  mode: 'webhook' | 'polling';
  /** TELEGRAM_WEBHOOK_SECRET; required in webhook mode. */
  webhookSecret?: string;
}

/** Knobs for tests and operators; the defaults are what production wants. */
export interface TelegramTuning {
  pollTimeoutSeconds?: number;
  pollBackoffMs?: number;
  /** First wait before trying start-up's calls again (doubling, with jitter, up to START_RETRY_CAP_MS). */
  startRetryBaseMs?: number;
}

const START_RETRY_CAP_MS = 5 * 60_000;

/** The command menus: the private chat's, and the group administrators'. */
const COMMAND_SCOPES = [
  { scope: { type: 'all_private_chats' as const }, commands: ['new', 'tickets', 'help', 'login'] },
  { scope: { type: 'all_chat_administrators' as const }, commands: ['config'] },
];

export function createTelegramChannel(
  config: TelegramChannelConfig,
  deps: ChannelDeps,
  tuning: TelegramTuning = {},
): ChannelModule {
  const tokenMatch = /^(\d+):[A-Za-z0-9_-]+$/.exec(config.botToken);
  if (!tokenMatch) throw new Error('TELEGRAM_BOT_TOKEN: expected "<bot id>:<secret>"');
  if (config.mode === 'webhook' && !WEBHOOK_SECRET_PATTERN.test(config.webhookSecret ?? '')) {
    throw new Error('TELEGRAM_WEBHOOK_SECRET: required in webhook mode, 1-256 characters of A-Z a-z 0-9 _ -');
  }
  registerMessages('telegram', telegramMessages);

  const logger = deps.logger.child({ channel: 'telegram' });
  // telegraf resolves method URLs relative to apiRoot: without the trailing slash a path prefix would be dropped.
  const apiRoot = config.apiRoot.endsWith('/') ? config.apiRoot : `${config.apiRoot}/`;
  const bot = createTelegraf(config.botToken, apiRoot);
  const adapter = createTelegramAdapter(bot, logger, tokenMatch[1]!);
  let polling: Promise<void> | undefined;

  async function registerCommands(): Promise<void> {
    // No language_code: the fallback for every other language; then one list per catalog language.
    for (const lang of [undefined, ...LOCALES]) {
      for (const { scope, commands } of COMMAND_SCOPES) {
        const menu = commands.map((command) => ({ command, description: t(lang ?? 'en', `telegram:command.${command}`) }));
        await bot.telegram.setMyCommands(menu, { scope, ...(lang ? { language_code: lang } : {}) });
      }
    }
  }

  /** Learns the bot, then polls or registers the webhook. */
  async function connect(): Promise<void> {
    bot.botInfo = await bot.telegram.getMe();
    logger.info({ bot: bot.botInfo.username, mode: config.mode }, 'telegram: bot identified');
    try {
      await registerCommands();
    } catch (e) {
      // The bot works without its command menu; do not keep the channel down for it.
      logger.warn(logFacts(e), 'telegram: setMyCommands failed');
    }
    if (config.mode === 'polling') {
      // getUpdates answers 409 while a webhook is set.
      await bot.telegram.deleteWebhook({ drop_pending_updates: false });
      const tune = { timeoutSeconds: tuning.pollTimeoutSeconds, backoffMs: tuning.pollBackoffMs };
      if (stopping.signal.aborted) return;
      polling = pollUpdates({ api: bot.telegram, inbox: deps.inbox, logger, ...tune }, stopping.signal);
      return;
    }
    const url = `${deps.publicUrl.replace(/\/$/, '')}${WEBHOOK_PATH}`;
    if (!url.startsWith('https://')) {
      logger.warn({ url }, 'telegram: PUBLIC_URL is not https; set the webhook by hand (see docs/telegram.md)');
      return;
    }
    await bot.telegram.setWebhook(url, { secret_token: config.webhookSecret!, allowed_updates: [...ALLOWED_UPDATES] });
    logger.info({ url }, 'telegram: webhook registered');
  }

  /** One try of connect(); true when there is nothing left to retry (done, or a token Telegram refuses). */
  async function connectOnce(attempt: number): Promise<boolean> {
    try {
      await connect();
      return true;
    } catch (e) {
      if (isTokenRefused(e)) {
        logger.error(logFacts(e), 'telegram: the bot token was refused; the channel stays off');
        return true;
      }
      logger.warn({ attempt, ...logFacts(e) }, 'telegram: the Bot API cannot be reached; retrying in the background');
      return false;
    }
  }

  const stopping = new AbortController();
  let retrying: Promise<void> | undefined;

  return {
    adapter,
    // The bot's username is learned by getMe in start(); until then only the code can be shown.
    accountLinking: {
      platform: 'telegram',
      deepLink: (code) => (bot.botInfo?.username ? `https://t.me/${bot.botInfo.username}?start=${encodeURIComponent(code)}` : null),
      codeMessage: (code) => `/start ${code}`,
      botHandle: () => (bot.botInfo?.username ? `@${bot.botInfo.username}` : null),
      linksByProfileEmail: false,
    },
    routes:
      config.mode === 'webhook'
        ? telegramRoutes({ secret: config.webhookSecret!, inbox: deps.inbox, logger })
        : async () => {},

    async start() {
      // The first try is awaited, so a reachable Telegram is ready when start() returns.
      if (await connectOnce(1)) return;
      retrying = (async () => {
        for (let attempt = 2; !stopping.signal.aborted; attempt += 1) {
          const wait = backoffMs(attempt - 1, Math.random, { baseMs: tuning.startRetryBaseMs ?? 1000, capMs: START_RETRY_CAP_MS });
          await sleep(wait, undefined, { signal: stopping.signal }).catch(() => {});
          if (stopping.signal.aborted || (await connectOnce(attempt))) return;
        }
      })();
    },

    async stop() {
      stopping.abort();
      await retrying;
      await polling;
    },
  };
}
