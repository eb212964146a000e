/**
 * The Telegram adapter, assembled: recorded updates parsed into the shared vocabulary (telegram-parse.ts), the core's
 * answers told (telegram-send.ts), and the sync engine's deliveries posted, edited and deleted. The channel's life
 * (getMe, commands, webhook or polling) is telegram-module.ts.
 */
import type { Telegraf } from 'telegraf';
import type { Logger } from 'pino';
import { ChannelSendError, type ChannelAdapter, type ChannelLimits } from '../../core/ports/channel-port.ts';
import type { Locale } from '../../core/locale.ts';
import { createTelegramApi, messageRef, readRef, toChannelSendError } from './telegram-api.ts';
import { createTelegramParser } from './telegram-parse.ts';
import { render, type TelegramMessage } from './telegram-render.ts';
import { PLATFORM, readUpdate } from './telegram-schemas.ts';
import { createSender } from './telegram-send.ts';

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

/** `workspaceId` is the bot's id: Telegram's "workspace" (one bot, one namespace of chats and users). */
export function createTelegramAdapter(bot: Telegraf, logger: Logger, workspaceId: string): ChannelAdapter {
  const api = createTelegramApi(bot.telegram, logger);
  const me = () => {
    // Not the update's fault: it waits like a throttle (never parked for it) until getMe has answered.
    if (!bot.botInfo) throw new ChannelSendError('rate_limited', 'telegram: the bot is not identified yet (getMe)', 5000);
    return bot.botInfo;
  };
  const parseUpdate = createTelegramParser({ workspaceId, bot: me, isAdmin: api.isAdmin });
  const sender = createSender({ api, botUsername: () => me().username, logger });
  const rendered = (message: TelegramMessage, locale: Locale) => render(message, { locale, bot: me().username, where: 'direct', fromGroup: false, name: '' });
  // Into a ticket's thread: in a group, as a reply to the message the ticket came from.
  const post = async (chatId: string, threadRef: string | null, message: TelegramMessage, ctx: { locale: Locale; deliveryKey: string }) => {
    const replyTo = threadRef === null ? undefined : Number(threadRef);
    const o = { replyTo: Number.isInteger(replyTo) ? replyTo : undefined };
    const ids = await sender.deliver(chatId, rendered(message, ctx.locale), ctx.deliveryKey, o).catch((e: unknown) => Promise.reject(toChannelSendError(e)));
    return { messageId: messageRef(chatId, ids) };
  };
  return {
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
}
