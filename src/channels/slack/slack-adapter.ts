/**
 * The outbound half of the channel (ChannelAdapter): render, send, map Slack's failures to ChannelSendError.
 * Every delivered message carries metadata with its delivery key, so findDelivered can tell whether a post whose
 * answer was lost (a crash, a timeout) did reach Slack.
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
import type { SlackApi } from './slack-api.ts';
import { toChannelSendError } from './slack-errors.ts';
import { DELIVERY_EVENT_TYPE, PLATFORM } from './slack-ids.ts';
import { renderRichMessage } from './slack-render.ts';
import type { SlackMessage } from './slack-schemas.ts';

export const SLACK_LIMITS: ChannelLimits = {
  maxMessageLength: 40_000,
  // chat.postMessage allows about one message per second per channel, with short bursts.
  perChatIntervalMs: 1000,
  perGroupPerMinute: 0,
  // The workspace-wide cap is "several hundred per minute"; stay well below it.
  globalPerSecond: 5,
  ephemeral: true,
  buttons: true,
  forms: true,
};

/** How far back findDelivered looks in a channel without a thread. */
const RECENT_LIMIT = 15;
/** Replies read from a thread to find a delivery; a ticket thread rarely holds more. */
const THREAD_LIMIT = 200;

/** Slack user ids (U…, or W… on Enterprise Grid), as opposed to conversation ids (C…, G…, D…). */
function isUserId(id: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(id);
}

function deliveredBy(m: SlackMessage, key: string): boolean {
  return m.metadata?.event_type === DELIVERY_EVENT_TYPE && m.metadata.event_payload?.['key'] === key;
}

export function createSlackAdapter(opts: {
  api: SlackApi;
  processInbound: (event: InboundEnvelope) => Promise<void>;
}): ChannelAdapter {
  const { api } = opts;

  async function send<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toChannelSendError(e);
    }
  }

  return {
    platform: PLATFORM,
    limits: SLACK_LIMITS,

    post(target: ThreadTarget, message: RichMessage, ctx: OutboundContext): Promise<SentMessage> {
      const rendered = renderRichMessage(message, ctx.locale);
      return send(async () => {
        const posted = await api.postMessage({
          channel: target.chatId,
          threadTs: target.threadRef,
          ...rendered,
          metadata: { event_type: DELIVERY_EVENT_TYPE, event_payload: { key: ctx.deliveryKey } },
        });
        return { messageId: posted.ts };
      });
    },

    sendDirect(user, message, ctx): Promise<SentMessage> {
      const rendered = renderRichMessage(message, ctx.locale);
      // Posting to a user id lands in the app's direct chat with that person.
      return send(async () => {
        const posted = await api.postMessage({
          channel: user.platformUserId,
          ...rendered,
          metadata: { event_type: DELIVERY_EVENT_TYPE, event_payload: { key: ctx.deliveryKey } },
        });
        // Slack answers with the direct chat's own id (D…), which is where the message really is.
        return { messageId: posted.ts, chatId: posted.channel };
      });
    },

    update(target, messageId, message, ctx): Promise<void> {
      const rendered = renderRichMessage(message, ctx.locale);
      return send(() => api.update({ channel: target.chatId, ts: messageId, ...rendered }));
    },

    delete(target, messageId): Promise<void> {
      return send(() => api.delete({ channel: target.chatId, ts: messageId }));
    },

    async findDelivered(target, ctx): Promise<SentMessage | null> {
      let messages: SlackMessage[];
      try {
        // A direct link names the person (sendDirect posts to a user id); its history lives under the D… id.
        const chat = !target.threadRef && isUserId(target.chatId) ? await api.openDirect(target.chatId) : target.chatId;
        messages = target.threadRef
          ? await api.replies(chat, target.threadRef, { limit: THREAD_LIMIT, includeMetadata: true })
          : await api.history(chat, { limit: RECENT_LIMIT, includeMetadata: true });
      } catch (e) {
        const mapped = toChannelSendError(e);
        // A thread we cannot read cannot tell us anything; a busy or broken Slack may later.
        if (mapped.kind === 'permanent') return null;
        throw mapped;
      }
      const found = messages.find((m) => deliveredBy(m, ctx.deliveryKey));
      return found ? { messageId: found.ts } : null;
    },

    processInbound: opts.processInbound,
  };
}
