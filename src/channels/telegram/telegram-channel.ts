/**
 * The Telegram adapter, assembled: recorded updates parsed into the shared vocabulary (telegram-parse.ts), the core's
 * answers told, and the sync engine's deliveries posted, edited and deleted. The channel's life (getMe, commands,
 * webhook or polling) is telegram-module.ts.
 *
 * Where each answer goes, and the one way the channel sends (long texts split, a retry resuming after the parts
 * already shown). Telegram has no ephemeral messages:
 * - to the actor: a pressed button's answer (toast, or an alert for a refusal) when the answer is brief, else
 *   their private chat, whose id is their user id; someone who never started the bot, asking in a group, is
 *   answered in the group instead, with nothing private in it;
 * - to the place: the chat, in a group as a reply to the message it is about (in its forum topic);
 * - `replaces`: that message is edited instead, where it still can be.
 */
import { TelegramError, type Telegraf } from 'telegraf';
import type { Logger } from 'pino';
import type { ChatReply } from '../../core/chat/chat-service.ts';
import { notice } from '../../core/chat/chat-messages.ts';
import { ChannelSendError, type ChannelAdapter, type ChannelLimits, type OutboundFile, type ReplyContext, type SentMessage } from '../../core/ports/channel-port.ts';
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';
import { createTelegramApi, isForbidden, messageRef, readRef, TELEGRAM_PHOTO_LIMIT, TELEGRAM_UPLOAD_LIMIT, rethrowAsSendError, toChannelSendError, type SendOptions, type Upload } from './telegram-api.ts';
import { createTelegramParser, type LocalReply } from './telegram-parse.ts';
import { isRefusal, noticeText, render, type Rendered, type RenderOptions, type TelegramMessage } from './telegram-render.ts';
import { PLATFORM, readUpdate } from './telegram-schemas.ts';

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
/** How many presses and half-delivered messages are remembered (only an optimisation within one process). */
const MEMORY = 500;

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value!);
  return value;
}

/** A ticket's thread in a chat: the message it is a reply to. */
function replyTo(threadRef: string | null): Omit<SendOptions, 'done'> {
  const id = threadRef === null ? Number.NaN : Number(threadRef);
  return { replyTo: Number.isInteger(id) ? id : undefined };
}

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
  const rendered = (message: TelegramMessage, locale: Locale) => render(message, { locale, bot: me().username, where: 'direct', fromGroup: false, name: '' });
  const answered = new Map<string, true>();
  // Delivery key -> parts delivered. After a crash the engine's own bookkeeping decides; at worst a part shows twice.
  const partial = new Map<string, number[]>();
  // Delivery key -> file sends already done, so a retry after a failed later send does not repeat the earlier ones.
  const filesDone = new Map<string, (SentMessage & { send: number })[]>();

  async function deliver(chatId: number | string, r: Rendered, key: string, o: Omit<SendOptions, 'done'> = {}): Promise<number[]> {
    const ids = await api.send(chatId, r, { ...o, done: partial.get(key) ?? remember(partial, key, []) });
    partial.delete(key);
    return ids;
  }

  // Into a ticket's thread: in a group, as a reply to the message the ticket came from.
  const post = async (chatId: string, threadRef: string | null, message: TelegramMessage, ctx: { locale: Locale; deliveryKey: string }) => {
    const ids = await deliver(chatId, rendered(message, ctx.locale), ctx.deliveryKey, replyTo(threadRef)).catch(rethrowAsSendError);
    return { messageId: messageRef(chatId, ids) };
  };

  async function tell(reply: ChatReply | LocalReply, ctx: ReplyContext): Promise<void> {
    const u = readUpdate(ctx.envelope.payload);
    const press = u?.press ?? null;
    const source = u?.message ?? null;
    const from = press?.from ?? source?.from ?? u?.membership?.from ?? null;
    const m = reply.message;
    const o = (where: RenderOptions['where']): RenderOptions => ({ locale: reply.locale, bot: me().username, where, fromGroup: !reply.place.direct, name: from?.name ?? '' });
    const brief = reply.to === 'actor' && reply.brief && m.kind === 'notice';
    if (press && !answered.has(press.id)) {
      remember(answered, press.id, true);
      const inGroup = press.message !== null && press.message.chat.type !== 'private';
      const text = brief ? noticeText(m, o('alert')) : reply.to === 'actor' && inGroup ? t(reply.locale, 'telegram:group.sent_privately') : undefined;
      await api.answer(press.id, text, brief && isRefusal(m));
      if (brief && !reply.replaces) return;
    }
    const toGroup = reply.to === 'place' && !reply.place.direct;
    const shown = render(m, o(toGroup ? 'group' : 'direct'));
    try {
      const replaced = reply.replaces ? readRef(reply.replaces) : null;
      if (replaced && (await api.edit(replaced.chatId, replaced.ids, shown))) return;
      const root = reply.place.threadRef ?? (source ? String(source.id) : null);
      const chatId = reply.to === 'place' || reply.place.direct ? reply.place.chatId : reply.actor!.platformUserId;
      await deliver(chatId, shown, ctx.deliveryKey, toGroup ? { ...replyTo(root), topicId: source?.topicId } : {});
    } catch (e) {
      if (reply.to !== 'actor' || reply.place.direct || !source || !isForbidden(e)) throw toChannelSendError(e);
      const safe = m.kind === 'notice' || m.kind === 'request_exists' ? m : notice('telegram:group.start_private');
      const where = { replyTo: source.id, topicId: source.topicId };
      await deliver(reply.place.chatId, render(safe, o('group')), `${ctx.deliveryKey}-group`, where).catch(rethrowAsSendError);
    }
  }

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
      const o = replyTo(target.threadRef);
      const plan = planFileSends(files);
      const sent = remember(filesDone, ctx.deliveryKey, filesDone.get(ctx.deliveryKey) ?? []);
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
          .catch(rethrowAsSendError);
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
      for (const [i, reply] of local.entries()) await tell(reply, { envelope, deliveryKey: `local-${envelope.id}-${i}` });
      return events;
    },
    tell,
    post: (target, message, ctx) => post(target.chatId, target.threadRef, message, ctx),
    // A private chat's id is the user's id.
    sendDirect: (user, message, ctx) => post(user.platformUserId, null, message, ctx),
    async update(target, messageId, message, ctx) {
      const ref = readRef(messageId, target.chatId);
      if (ref) await api.edit(ref.chatId, ref.ids, rendered(message, ctx.locale)).catch(rethrowAsSendError);
    },
    async delete(target, messageId) {
      const ref = readRef(messageId, target.chatId);
      if (ref) await api.remove(ref.chatId, ref.ids).catch(rethrowAsSendError);
    },
  };
}
