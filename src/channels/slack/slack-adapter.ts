/**
 * The Slack channel on the port: parse (slack-parse.ts), tell what the chat service answered, and post, edit and
 * delete what the sync engine delivers. Every delivered message carries its delivery key in its metadata, so
 * findDelivered can tell whether a post whose answer was lost (a crash, a timeout) did reach Slack.
 */
import type { ChatEvent } from '../../core/chat/chat-events.ts';
import { ChannelSendError, FileTooLargeError, type ChannelAdapter, type ChannelLimits, type FetchedFile, type InboundEnvelope, type SentMessage, type ThreadTarget } from '../../core/ports/channel-port.ts';
import { orWhenPermanent, type Metadata, type SlackApi } from './slack-api.ts';
import { DELIVERY_EVENT_TYPE, isUserId, PLATFORM } from './slack-ids.ts';
import { MAX_TEXT, renderMessage } from './slack-render.ts';
import type { SlackMessage } from './slack-schemas.ts';

export const SLACK_LIMITS: ChannelLimits = {
  maxMessageLength: MAX_TEXT,
  // chat.postMessage allows about one message per second per channel, with short bursts.
  perChatIntervalMs: 1000,
  perGroupPerMinute: 0,
  // No cap of our own across channels: Slack documents none beyond the per-channel pace (only a workspace limit it
  // answers with 429 and Retry-After, which the sync engine obeys); a fixed 5/s made 100 channels wait 20 s.
  globalPerSecond: 0,
  ephemeral: true,
  buttons: true,
  forms: true,
};

/** How far back findDelivered looks in a chat without a thread, and in a thread. */
const RECENT_LIMIT = 15;
const THREAD_LIMIT = 200;

/** Files shared by one files.completeUploadExternal (one message); Slack's upload limit per file is 1 GB. */
const FILES_PER_MESSAGE = 10;
const SLACK_MAX_FILE_BYTES = 1024 * 1024 * 1024;

const delivery = (key: string): Metadata => ({ event_type: DELIVERY_EVENT_TYPE, event_payload: { key } });
const deliveredBy = (m: SlackMessage, key: string) => m.metadata?.eventType === DELIVERY_EVENT_TYPE && m.metadata.payload['key'] === key;

export function createSlackAdapter(opts: { api: SlackApi; parse: (e: InboundEnvelope) => Promise<ChatEvent[]>; ticketEmoji?: string }): ChannelAdapter {
  const { api } = opts;
  // What the sync engine delivers always has a Slack message (only some answers to a person do not).
  const render = (...a: Parameters<typeof renderMessage>) => renderMessage(...a)!;

  /**
   * The conversation a target is in: a direct link names the person (sendDirect posts to a user id, which lands in
   * the app's direct chat), while histories and uploads want the direct chat's own D… id.
   */
  async function conversation(target: ThreadTarget): Promise<string> {
    return !target.threadRef && isUserId(target.chatId) ? api.openDirect(target.chatId) : target.chatId;
  }

  return {
    platform: PLATFORM,
    limits: SLACK_LIMITS,
    parse: opts.parse,

    /**
     * To the actor: an ephemeral where they are, else (the bot is not there, or it is the direct chat) a message in
     * their direct chat with the app. To the place: a message in its thread, or the pressed message edited into the
     * outcome. Slack's throttles and outages are thrown, so the inbox tells what is left later.
     */
    async tell(reply, ctx) {
      const content = renderMessage(reply.message, reply.locale, opts.ticketEmoji);
      if (!content) return;
      const { place } = reply;
      if (reply.to === 'place') {
        // The pressed message may be gone or no longer ours to edit: then the outcome is posted instead.
        const edit = reply.replaces ? api.update({ channel: place.chatId, ts: reply.replaces, ...content }) : null;
        if (edit && (await orWhenPermanent(edit.then(() => true), false))) return;
        await api.postMessage({ channel: place.chatId, threadTs: place.threadRef, ...content, metadata: delivery(ctx.deliveryKey) });
        return;
      }
      const user = reply.actor?.platformUserId;
      if (!user) return;
      const ephemeral = place.direct ? null : { channel: place.chatId, user, threadTs: place.threadRef, ...content };
      if (ephemeral && (await orWhenPermanent(api.postEphemeral(ephemeral).then(() => true), false))) return;
      // Posting to a user id lands in the app's direct chat with that person.
      await api.postMessage({ channel: place.direct ? place.chatId : user, threadTs: place.direct ? place.threadRef : null, ...content });
    },

    /** What has no Slack message (a created request: its thread gets the confirmation) is not told at all. */
    says: (reply) => renderMessage(reply.message, reply.locale, opts.ticketEmoji) !== null,

    async post(target, message, ctx): Promise<SentMessage> {
      const posted = await api.postMessage({ channel: target.chatId, threadTs: target.threadRef, ...render(message, ctx.locale), metadata: delivery(ctx.deliveryKey) });
      return { messageId: posted.ts };
    },

    async sendDirect(user, message, ctx): Promise<SentMessage> {
      const posted = await api.postMessage({ channel: user.platformUserId, ...render(message, ctx.locale), metadata: delivery(ctx.deliveryKey) });
      // Slack answers with the direct chat's own id (D…), which is where the message really is.
      return { messageId: posted.ts, chatId: posted.channel };
    },

    update: (target, messageId, message, ctx) => api.update({ channel: target.chatId, ts: messageId, ...render(message, ctx.locale) }),

    delete: (target, messageId) => api.delete({ channel: target.chatId, ts: messageId }),

    async findDelivered(target, ctx): Promise<SentMessage | null> {
      const read = async () => {
        const limit = target.threadRef ? THREAD_LIMIT : RECENT_LIMIT;
        const messages = await api.messages(await conversation(target), { thread: target.threadRef, limit, metadata: true });
        return messages.find((m) => deliveredBy(m, ctx.deliveryKey));
      };
      // A thread we cannot read cannot tell us anything; a busy or broken Slack may later.
      const found = await orWhenPermanent(read(), undefined);
      return found ? { messageId: found.ts } : null;
    },

    async fetchFile(file, maxBytes): Promise<FetchedFile> {
      // A Slack Connect stub says where its bytes are (and their size) only through files.info.
      const stub = !file.fetchRef?.['download'];
      if (stub && !file.platformFileId) throw new ChannelSendError('permanent', 'slack: the file has no id');
      const known = stub ? await api.fileInfo(file.platformFileId!) : file;
      const download = known.fetchRef?.['download'];
      if (known.size != null && known.size > maxBytes) throw new FileTooLargeError(known.size, maxBytes);
      if (!download) throw new ChannelSendError('permanent', 'slack: the file cannot be downloaded (an external file, or one the bot may not read)');
      return api.download(download, maxBytes);
    },

    async postFiles(target, files): Promise<SentMessage[]> {
      const big = files.find((f) => f.size > SLACK_MAX_FILE_BYTES);
      if (big) throw new ChannelSendError('permanent', `slack: ${big.name} is larger than Slack's 1 GB upload limit`);
      const sent: SentMessage[] = [];
      for (let i = 0; i < files.length; i += FILES_PER_MESSAGE) {
        // completeUploadExternal takes conversations only.
        const channel = await conversation(target);
        const ids = await api.uploadFiles(files.slice(i, i + FILES_PER_MESSAGE), { channel, threadTs: target.threadRef });
        // Slack posts the files' message after answering, without saying its ts: the files' ids name what was sent.
        sent.push(...ids.map((id) => (channel === target.chatId ? { messageId: `file:${id}` } : { messageId: `file:${id}`, chatId: channel })));
      }
      return sent;
    },
  };
}
