/**
 * The Telegram channel as the composition root sees it: createTelegramChannel(config, deps) -> ChannelModule, around
 * the adapter (telegram-channel.ts). start() learns the bot (getMe), registers its commands in en/ja/ru, and either
 * registers the webhook or starts long polling; routes() serves POST /telegram/webhook in webhook mode only.
 */
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import { LOCALES } from '../../core/locale.ts';
import { registerMessages, t } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { createTelegraf } from './telegram-api.ts';
import { createTelegramAdapter } from './telegram-channel.ts';
import { createPollingLoop } from './telegram-polling.ts';
import { telegramRoutes, WEBHOOK_PATH } from './telegram-routes.ts';
import { ALLOWED_UPDATES } from './telegram-schemas.ts';
import { WEBHOOK_SECRET_PATTERN } from './telegram-verify.ts';

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
}

const PRIVATE_COMMANDS = ['new', 'tickets', 'help', 'login'] as const;

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
  const polling =
    config.mode === 'polling'
      ? createPollingLoop({
          api: bot.telegram,
          inbox: deps.inbox,
          logger,
          ...(tuning.pollTimeoutSeconds !== undefined ? { timeoutSeconds: tuning.pollTimeoutSeconds } : {}),
          ...(tuning.pollBackoffMs !== undefined ? { backoffMs: tuning.pollBackoffMs } : {}),
        })
      : undefined;

  async function registerCommands(): Promise<void> {
    // No language_code: the fallback for every other language; then one list per catalog language.
    for (const lang of [undefined, ...LOCALES]) {
      const commands = PRIVATE_COMMANDS.map((command) => ({
        command,
        description: t(lang ?? 'en', `telegram:command.${command}`),
      }));
      await bot.telegram.setMyCommands(commands, {
        scope: { type: 'all_private_chats' },
        ...(lang ? { language_code: lang } : {}),
      });
      await bot.telegram.setMyCommands([{ command: 'config', description: t(lang ?? 'en', 'telegram:command.config') }], {
        scope: { type: 'all_chat_administrators' },
        ...(lang ? { language_code: lang } : {}),
      });
    }
  }

  return {
    adapter,
    routes:
      config.mode === 'webhook'
        ? telegramRoutes({ secret: config.webhookSecret!, inbox: deps.inbox, logger })
        : async () => {},

    async start() {
      bot.botInfo = await bot.telegram.getMe();
      logger.info({ bot: bot.botInfo.username, mode: config.mode }, 'telegram: bot identified');
      try {
        await registerCommands();
      } catch (e) {
        // The bot works without its command menu; do not keep the channel down for it.
        logger.warn({ error: (e as Error)?.message }, 'telegram: setMyCommands failed');
      }
      if (config.mode === 'polling') {
        // getUpdates answers 409 while a webhook is set.
        await bot.telegram.deleteWebhook({ drop_pending_updates: false });
        polling!.start();
        return;
      }
      const url = `${deps.publicUrl.replace(/\/$/, '')}${WEBHOOK_PATH}`;
      if (!url.startsWith('https://')) {
        logger.warn({ url }, 'telegram: PUBLIC_URL is not https; set the webhook by hand (see docs/telegram.md)');
        return;
      }
      await bot.telegram.setWebhook(url, { secret_token: config.webhookSecret!, allowed_updates: [...ALLOWED_UPDATES] });
      logger.info({ url }, 'telegram: webhook registered');
    },

    async stop() {
      await polling?.stop();
    },
  };
}
