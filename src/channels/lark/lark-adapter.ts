/**
 * The ChannelAdapter the sync engine delivers through. Every send passes the delivery key as Lark's `uuid`, so a
 * retry after a crash (between Lark's answer and our commit) returns the message already posted instead of a
 * second one; that is why there is no findDelivered.
 */
import type {
  ChannelAdapter,
  ChannelLimits,
  InboundEnvelope,
  OutboundContext,
  RichMessage,
  SentMessage,
  ThreadTarget,
} from '../../core/ports/channel-port.ts';
import type { LarkApi } from './lark-api.ts';
import { PLATFORM } from './lark-profile.ts';
import { renderRichMessage } from './lark-render.ts';
import { larkUuid } from './lark-uuid.ts';

/**
 * Lark: 5 QPS per chat shared by the bots in it, 50/s and 1000/min per app for sends; a text message body may be
 * 150 KB (30,000 characters stay under it even in 4-byte UTF-8), a card 30 KB.
 */
export const LARK_LIMITS: ChannelLimits = {
  maxMessageLength: 30_000,
  perChatIntervalMs: 200,
  perGroupPerMinute: 0,
  globalPerSecond: 50,
  ephemeral: true,
  buttons: true,
  forms: true,
};

export function createLarkAdapter(deps: {
  api: LarkApi;
  processInbound(envelope: InboundEnvelope): Promise<void>;
}): ChannelAdapter {
  const { api } = deps;
  return {
    platform: PLATFORM,
    limits: LARK_LIMITS,

    async post(target: ThreadTarget, message: RichMessage, ctx: OutboundContext): Promise<SentMessage> {
      const out = renderRichMessage(message, ctx.locale);
      const uuid = larkUuid(ctx.deliveryKey);
      // reply_in_thread keeps the conversation in the ticket's thread (a topic reply to the thread's root).
      const messageId = target.threadRef
        ? await api.reply(target.threadRef, out, uuid)
        : await api.send('chat_id', target.chatId, out, uuid);
      return { messageId };
    },

    async sendDirect(user, message, ctx): Promise<SentMessage> {
      const out = renderRichMessage(message, ctx.locale);
      const sent = await api.sendMessage('open_id', user.platformUserId, out, larkUuid(ctx.deliveryKey));
      return { messageId: sent.messageId, ...(sent.chatId ? { chatId: sent.chatId } : {}) };
    },

    async update(_target, messageId, message, ctx): Promise<void> {
      await api.edit(messageId, renderRichMessage(message, ctx.locale));
    },

    async delete(_target, messageId): Promise<void> {
      await api.delete(messageId);
    },

    processInbound: (envelope) => deps.processInbound(envelope),
  };
}
