/**
 * The ChannelAdapter the sync engine delivers through, and processInbound, which runs a stored update through the
 * telegraf handlers. Outbound failures become ChannelSendError; the engine paces, retries and gives up.
 */
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from 'pino';
import type {
  ChannelAdapter,
  ChannelLimits,
  InboundEnvelope,
  OutboundContext,
  RichMessage,
  SentMessage,
  ThreadTarget,
} from '../../core/ports/channel-port.ts';
import { PLATFORM } from './telegram-flow-context.ts';
import { renderRich } from './telegram-render.ts';
import { UpdateSchema } from './telegram-schema.ts';
import { editRendered, isMessageGone, sendRendered, toChannelSendError } from './telegram-send.ts';

export const TELEGRAM_LIMITS: ChannelLimits = {
  maxMessageLength: 4096,
  perChatIntervalMs: 1000,
  perGroupPerMinute: 20,
  globalPerSecond: 30,
  ephemeral: false,
  buttons: true,
  forms: false,
};

/** How many half-delivered long messages we remember so a retry resumes instead of repeating their first parts. */
const PARTIAL_MEMORY = 500;

export function createTelegramAdapter(bot: Telegraf, logger: Logger): ChannelAdapter {
  const api = bot.telegram;
  // deliveryKey -> parts already delivered. Only an optimisation for retries in this process: after a crash the
  // engine's own bookkeeping decides, and at worst a part is shown twice.
  const partial = new Map<string, number[]>();

  async function deliver(chatId: string, threadRef: string | null, message: RichMessage, ctx: OutboundContext) {
    const rendered = renderRich(message, ctx.locale);
    const done = partial.get(ctx.deliveryKey) ?? [];
    const replyTo = threadRef === null ? undefined : Number(threadRef);
    try {
      const ids = await sendRendered(api, chatId, rendered, {
        replyTo: Number.isInteger(replyTo) ? replyTo : undefined,
        alreadySent: done,
        onPart: (id) => {
          done.push(id);
          partial.set(ctx.deliveryKey, done);
          if (partial.size > PARTIAL_MEMORY) partial.delete(partial.keys().next().value!);
        },
      });
      partial.delete(ctx.deliveryKey);
      // The last part carries the buttons: that is the message later edits (e.g. removing them) must target.
      return { messageId: String(ids.at(-1)) };
    } catch (e) {
      throw toChannelSendError(e);
    }
  }

  return {
    platform: PLATFORM,
    limits: TELEGRAM_LIMITS,

    post(target: ThreadTarget, message: RichMessage, ctx: OutboundContext): Promise<SentMessage> {
      return deliver(target.chatId, target.threadRef, message, ctx);
    },

    // A private chat's id is the user's id.
    sendDirect(user, message, ctx): Promise<SentMessage> {
      return deliver(user.platformUserId, null, message, ctx);
    },

    async update(target, messageId, message, ctx) {
      try {
        await editRendered(api, target.chatId, Number(messageId), renderRich(message, ctx.locale));
      } catch (e) {
        throw toChannelSendError(e);
      }
    },

    async delete(target, messageId) {
      try {
        await api.deleteMessage(target.chatId, Number(messageId));
      } catch (e) {
        if (isMessageGone(e)) return;
        throw toChannelSendError(e);
      }
    },

    async processInbound(event: InboundEnvelope): Promise<void> {
      const parsed = UpdateSchema.safeParse(event.payload);
      if (!parsed.success) {
        // Stored by an older version or by hand: retrying cannot make it valid.
        logger.warn({ inboxId: event.id, externalId: event.externalId }, 'telegram: stored update is not an update');
        return;
      }
      // The schema checked every field the handlers read; telegraf's own type covers the rest of the Bot API.
      await bot.handleUpdate(parsed.data as unknown as Update);
    },
  };
}
