/**
 * The Telegram channel as the composition root sees it: createTelegramChannel(config, deps) -> ChannelModule.
 * The adapter parses recorded updates into the shared vocabulary (telegram-parse.ts) and tells the core's answers
 * (telegram-send.ts); start() learns the bot (getMe), registers its commands in en/ja/ru, and either registers the
 * webhook or starts long polling; routes() serves POST /telegram/webhook in webhook mode only.
 */
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import { ChannelSendError, type ChannelAdapter, type ChannelLimits } from '../../core/ports/channel-port.ts';
import { LOCALES, type Locale } from '../../core/locale.ts';
import { registerMessages, t } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { createTelegraf, createTelegramApi, messageRef, readRef, toChannelSendError } from './telegram-api.ts';
import { createTelegramParser } from './telegram-parse.ts';
import { createPollingLoop } from './telegram-polling.ts';
import { render, type TelegramMessage } from './telegram-render.ts';
import { telegramRoutes, WEBHOOK_PATH } from './telegram-routes.ts';
import { ALLOWED_UPDATES, PLATFORM, readUpdate } from './telegram-schemas.ts';
import { createSender } from './telegram-send.ts';
import { WEBHOOK_SECRET_PATTERN } from './telegram-verify.ts';

export const TELEGRAM_LIMITS: ChannelLimits = {
  maxMessageLength: 4096,
  perChatIntervalMs: 1000,
  perGroupPerMinute: 20,
  globalPerSecond: 30,
  ephemeral: false,
  buttons: true,
  // No forms: the core walks a request step by step, and asks for a rating's comment or a reason separately.
  forms: false,
  // A request made in a group is followed in the requester's private chat too.
  directCopies: true,
};

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
  const api = createTelegramApi(bot.telegram, logger);
  const me = () => {
    // Not the update's fault: it waits like a throttle (never parked for it) until getMe has answered.
    if (!bot.botInfo) throw new ChannelSendError('rate_limited', 'telegram: the bot is not identified yet (getMe)', 5000);
    return bot.botInfo;
  };
  const parseUpdate = createTelegramParser({ workspaceId: tokenMatch[1]!, bot: me, isAdmin: api.isAdmin });
  const sender = createSender({ api, botUsername: () => me().username, logger });
  const rendered = (message: TelegramMessage, locale: Locale) => render(message, { locale, bot: me().username, where: 'direct', fromGroup: false, name: '' });
  // Into a ticket's thread: in a group, as a reply to the message the ticket came from.
  const post = async (chatId: string, threadRef: string | null, message: TelegramMessage, ctx: { locale: Locale; deliveryKey: string }) => {
    const replyTo = threadRef === null ? undefined : Number(threadRef);
    const o = { replyTo: Number.isInteger(replyTo) ? replyTo : undefined };
    const ids = await sender.deliver(chatId, rendered(message, ctx.locale), ctx.deliveryKey, o).catch((e: unknown) => Promise.reject(toChannelSendError(e)));
    return { messageId: messageRef(chatId, ids) };
  };
  const adapter: ChannelAdapter = {
    platform: PLATFORM,
    limits: TELEGRAM_LIMITS,
    async parse(envelope) {
      const update = readUpdate(envelope.payload);
      if (!update) {
        // Stored by an older version or by hand: retrying cannot make it valid.
        logger.warn({ inboxId: envelope.id, externalId: envelope.externalId }, 'telegram: stored update is not an update');
        return [];
      }
      const { events, local } = await parseUpdate(update);
      for (const [i, reply] of local.entries()) await sender.tell(reply, { envelope, deliveryKey: `local-${envelope.id}-${i}` });
      return events;
    },
    tell: (reply, ctx) => sender.tell(reply, ctx),
    post: (target, message, ctx) => post(target.chatId, target.threadRef, message, ctx),
    // A private chat's id is the user's id.
    sendDirect: (user, message, ctx) => post(user.platformUserId, null, message, ctx),
    async update(target, messageId, message, ctx) {
      const ref = readRef(messageId, target.chatId);
      if (ref) await api.edit(ref.chatId, ref.ids, rendered(message, ctx.locale)).catch((e: unknown) => Promise.reject(toChannelSendError(e)));
    },
    async delete(target, messageId) {
      const ref = readRef(messageId, target.chatId);
      if (ref) await api.remove(ref.chatId, ref.ids).catch((e: unknown) => Promise.reject(toChannelSendError(e)));
    },
  };
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
      const language = lang ? { language_code: lang } : {};
      const commands = PRIVATE_COMMANDS.map((command) => ({ command, description: t(lang ?? 'en', `telegram:command.${command}`) }));
      await bot.telegram.setMyCommands(commands, { scope: { type: 'all_private_chats' }, ...language });
      await bot.telegram.setMyCommands([{ command: 'config', description: t(lang ?? 'en', 'telegram:command.config') }], { scope: { type: 'all_chat_administrators' }, ...language });
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
