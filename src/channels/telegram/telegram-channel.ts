/**
 * The Telegram adapter, assembled: recorded updates parsed into the shared vocabulary (telegram-parse.ts), the core's
 * answers told (telegram-send.ts), and the sync engine's deliveries posted, edited and deleted. The channel's life
 * (getMe, commands, webhook or polling) is telegram-module.ts.
 */
import { TelegramError, type Telegraf } from 'telegraf';
import type { Logger } from 'pino';
import { ChannelSendError, type ChannelAdapter, type ChannelLimits, type OutboundFile, type SentMessage } from '../../core/ports/channel-port.ts';
import type { Locale } from '../../core/locale.ts';
import { createTelegramApi, messageRef, readRef, TELEGRAM_PHOTO_LIMIT, TELEGRAM_UPLOAD_LIMIT, toChannelSendError, type Upload } from './telegram-api.ts';
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

/** Telegram's refusals of a picture as a photo (not of the file itself). */
const isUnusablePhoto = (e: unknown) => e instanceof TelegramError && e.code === 400 && /PHOTO_|IMAGE_PROCESS_FAILED/.test(e.description);

/** What Telegram shows as a photo (re-encoded to JPEG); everything else, GIFs and SVGs too, goes as a document. */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const GROUP_MAX = 10;

/**
 * The sends an agent's files take, in their order: runs of photos and runs of documents (a media group cannot mix
 * them), each at most ten; a run of one is a plain sendPhoto / sendDocument.
 */
export function planFileSends(files: OutboundFile[]): { kind: Upload['kind']; files: OutboundFile[] }[] {
  const plan: { kind: Upload['kind']; files: OutboundFile[] }[] = [];
  for (const f of files) {
    const kind = PHOTO_TYPES.has(f.contentType) && f.size <= TELEGRAM_PHOTO_LIMIT ? 'photo' : 'document';
    const last = plan.at(-1);
    if (last && last.kind === kind && last.files.length < GROUP_MAX) last.files.push(f);
    else plan.push({ kind, files: [f] });
  }
  return plan;
}

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
  // Delivery key -> sends already done, so a retry after a failed later send does not repeat the earlier ones.
  const filesDone = new Map<string, (SentMessage & { send: number })[]>();
  return {
    platform: PLATFORM,
    limits: TELEGRAM_LIMITS,
    fetchFile: (file, maxBytes) => {
      if (!file.platformFileId) return Promise.reject(new ChannelSendError('permanent', 'telegram: the file has no file_id'));
      return api.download(file.platformFileId, file.size ?? null, maxBytes);
    },
    async postFiles(target, files, ctx) {
      const big = files.find((f) => f.size > TELEGRAM_UPLOAD_LIMIT);
      if (big) throw new ChannelSendError('permanent', `telegram: ${big.name} is larger than the 50 MB a bot may upload`);
      const replyTo = target.threadRef ? Number(target.threadRef) : undefined;
      const o = { replyTo: Number.isInteger(replyTo) ? replyTo : undefined };
      const plan = planFileSends(files);
      const sent = filesDone.get(ctx.deliveryKey) ?? [];
      if (filesDone.size > 500) filesDone.delete(filesDone.keys().next().value!);
      filesDone.set(ctx.deliveryKey, sent);
      const doneSends = new Set(sent.map((m) => m.send));
      for (const [i, step] of plan.entries()) {
        if (doneSends.has(i)) continue;
        const send = async (kind: Upload['kind']) => {
          const uploads = await Promise.all(step.files.map(async (f) => ({ kind, name: f.name, stream: await f.open() })));
          return api.sendFiles(target.chatId, uploads, o).catch((e: unknown) => {
            for (const u of uploads) u.stream.destroy();
            return Promise.reject(e);
          });
        };
        // An image Telegram cannot make a photo of (its dimensions, its encoding) still goes, as a document.
        const ids = await send(step.kind)
          .catch((e: unknown) => (step.kind === 'photo' && isUnusablePhoto(e) ? send('document') : Promise.reject(e)))
          .catch((e: unknown) => Promise.reject(toChannelSendError(e)));
        sent.push(...ids.map((id) => ({ messageId: messageRef(target.chatId, [id]), send: i })));
      }
      filesDone.delete(ctx.deliveryKey);
      return sent.map((m) => ({ messageId: m.messageId }));
    },
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
