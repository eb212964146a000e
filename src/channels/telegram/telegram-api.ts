/**
 * The Bot API calls the channel makes (through telegraf's client), and the one mapping of their failures to
 * ChannelSendError for the engine. A message the bot sent is named `<chat>:<message id>[,<next part>...]`: Telegram
 * numbers messages per chat, so the bare number would name a message in every chat at once.
 */
import { Telegraf, TelegramError, type Telegram } from 'telegraf';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { ChannelSendError, FileTooLargeError, type FetchedFile } from '../../core/ports/channel-port.ts';
import { fetchedBody, networkError } from '../shared/file-stream.ts';
import { refusalError, statusError } from '../shared/send-error.ts';
import { splitHtml, TELEGRAM_TEXT_LIMIT, truncate } from './telegram-html.ts';
import type { Rendered } from './telegram-render.ts';

export function createTelegraf(token: string, apiRoot: string): Telegraf {
  // webhookReply off: every call is a real API call whose result we see (the webhook answer is ours, not telegraf's).
  return new Telegraf(token, { telegram: { apiRoot, webhookReply: false } });
}

export const messageRef = (chatId: number | string, ids: number[]) => `${chatId}:${ids.join(',')}`;

/** The chat and parts a message ref names; a bare number (stored before refs named their chat) is in `chatId`. */
export function readRef(ref: string, chatId?: string): { chatId: string; ids: number[] } | null {
  const m = /^(?:(-?\d+):)?(\d+(?:,\d+)*)$/.exec(ref);
  const chat = m?.[1] ?? chatId;
  return m && chat ? { chatId: chat, ids: m[2]!.split(',').map(Number) } : null;
}

export interface SendOptions {
  /** The message to answer (a thread's root); sent without it if it is gone. */
  replyTo?: number | undefined;
  /** A forum topic. */
  topicId?: number | null | undefined;
  /** Parts an earlier try already delivered: not sent again. */
  done?: number[];
}

const CALLBACK_ANSWER_LIMIT = 200;
/** Error facts safe to log: never the request (people's text) or the URL (the token), which a message may carry. */
export function logFacts(e: unknown): Record<string, unknown> {
  if (e instanceof TelegramError) return { code: e.code, description: e.description };
  return { error: e instanceof Error ? e.name : 'unknown', code: (e as { code?: unknown } | null)?.code };
}

/** A wrong token does not get better by asking again. */
export const isTokenRefused = (e: unknown) => e instanceof TelegramError && (e.code === 401 || e.code === 404);
const harmless = (e: unknown) => e instanceof TelegramError && e.code === 400 && /message is not modified|message to (delete|edit) not found|message can't be (edited|deleted)/i.test(e.description);

const HTML = { parse_mode: 'HTML' as const, link_preview_options: { is_disabled: true } };
const unlessHarmless = (e: unknown) => {
  if (!harmless(e)) throw e;
};

/** Bots download files up to 20 MB; they upload up to 50 MB, photos up to 10 MB. */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
export const TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024;
export const TELEGRAM_PHOTO_LIMIT = 10 * 1024 * 1024;
const FILE_TIMEOUT_MS = 120_000;

/** A stored file to upload: its stream and the name Telegram shows. */
export interface Upload {
  kind: 'photo' | 'document';
  name: string;
  stream: Readable;
}

/** A name safe inside a multipart header (telegraf puts it between quotes as it is). */
const partName = (name: string) => name.replace(/["\\\r\n]/g, '_').slice(0, 200) || 'file';

/** Where a message goes: in its forum topic, as a reply to the thread's message. */
function placement(o: SendOptions) {
  return {
    ...(o.topicId ? { message_thread_id: o.topicId } : {}),
    ...(o.replyTo !== undefined ? { reply_parameters: { message_id: o.replyTo, allow_sending_without_reply: true } } : {}),
  };
}

export function createTelegramApi(api: Telegram, logger: Logger) {
  const remove = async (chatId: number | string, ids: number[]): Promise<void> => {
    for (const id of ids) await api.deleteMessage(chatId, id).catch(unlessHarmless);
  };
  return {
    /**
     * getFile, then the file endpoint (its URL holds the token: never logged, never in an error), within maxBytes.
     * Telegram refuses files over 20 MB to bots ("file is too big").
     */
    async download(fileId: string, declared: number | null, maxBytes: number): Promise<FetchedFile> {
      const limit = Math.min(maxBytes, TELEGRAM_DOWNLOAD_LIMIT);
      if (declared !== null && declared > limit) throw new FileTooLargeError(declared, limit);
      const file = await api.getFile(fileId).catch((e: unknown) => {
        if (e instanceof TelegramError && e.code === 400 && /file is too big/i.test(e.description)) throw new FileTooLargeError(declared, limit);
        throw toChannelSendError(e);
      });
      if (file.file_size !== undefined && file.file_size > limit) throw new FileTooLargeError(file.file_size, limit);
      if (!file.file_path) throw new ChannelSendError('permanent', 'telegram: the file cannot be downloaded (no file_path)');
      const link = await api.getFileLink(file);
      let res: Response;
      try {
        res = await fetch(link, { signal: AbortSignal.timeout(FILE_TIMEOUT_MS) });
      } catch (e) {
        throw networkError('telegram', 'file download', e);
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw statusError('telegram', res.status, 'file download', res.headers.get('retry-after'));
      }
      return fetchedBody(res, limit, 'telegram');
    },

    /** One file (sendPhoto / sendDocument) or a media group of 2-10 of one kind; returns the messages' ids. */
    async sendFiles(chatId: number | string, files: Upload[], o: SendOptions = {}): Promise<number[]> {
      // telegraf drops an object reply_parameters from multipart sends: there it goes as a JSON string.
      const { reply_parameters: reply, ...where } = placement(o);
      const extra = { ...where, ...(reply ? { reply_parameters: JSON.stringify(reply) } : {}) } as object;
      const media = (u: Upload) => ({ source: u.stream, filename: partName(u.name) });
      if (files.length === 1) {
        const [u] = files as [Upload];
        const sent = u.kind === 'photo' ? await api.sendPhoto(chatId, media(u), extra) : await api.sendDocument(chatId, media(u), extra);
        return [sent.message_id];
      }
      const group = files.map((u) => ({ type: u.kind, media: media(u) })) as Parameters<Telegram['sendMediaGroup']>[1];
      const sent = await api.sendMediaGroup(chatId, group, extra);
      return sent.map((m) => m.message_id);
    },

    /** Sends every part (the last one carries the keyboard); returns the parts' ids. */
    async send(chatId: number | string, r: Rendered, o: SendOptions = {}): Promise<number[]> {
      const parts = splitHtml(r.html, TELEGRAM_TEXT_LIMIT);
      const ids = o.done ?? [];
      let target = chatId;
      for (let i = ids.length; i < parts.length; i += 1) {
        const extra = {
          ...HTML,
          ...placement(o),
          ...(i === parts.length - 1 && r.keyboard ? { reply_markup: { inline_keyboard: r.keyboard } } : {}),
        };
        const sent = await api.sendMessage(target, parts[i]!, extra).catch((e: unknown) => {
          // A group that became a supergroup has a new id; Telegram says which.
          const migrated = e instanceof TelegramError ? e.parameters?.migrate_to_chat_id : undefined;
          if (migrated === undefined) throw e;
          target = migrated;
          return api.sendMessage(target, parts[i]!, extra);
        });
        ids.push(sent.message_id);
      }
      return ids;
    },

    /**
     * Edits the parts in place; false when the message is gone or cannot be edited. An edit cannot add messages:
     * surplus old parts are deleted, text beyond the old parts' count is cut.
     */
    async edit(chatId: number | string, ids: number[], r: Rendered): Promise<boolean> {
      const parts = splitHtml(r.html, TELEGRAM_TEXT_LIMIT);
      const kept = ids.slice(0, parts.length);
      try {
        for (const [i, id] of kept.entries()) {
          const keyboard = i === kept.length - 1 && r.keyboard ? { reply_markup: { inline_keyboard: r.keyboard } } : {};
          const unchanged = (e: unknown) => e instanceof TelegramError && /not modified/i.test(e.description);
          await api.editMessageText(chatId, id, undefined, parts[i]!, { ...HTML, ...keyboard }).catch((e: unknown) => (unchanged(e) ? true : Promise.reject(e)));
        }
        await remove(chatId, ids.slice(parts.length));
        return true;
      } catch (e) {
        if (harmless(e)) return false;
        throw e;
      }
    },

    remove,

    /** Answers a pressed button; a failure only leaves a spinner until Telegram gives up, so it is logged, not thrown. */
    async answer(queryId: string, text?: string, alert = false): Promise<void> {
      await api
        .answerCbQuery(queryId, text === undefined ? undefined : truncate(text, CALLBACK_ANSWER_LIMIT), { show_alert: alert })
        .catch((e: unknown) => logger.warn(logFacts(e), 'telegram: a button press could not be answered'));
    },

    /** Whether Telegram says this user administers the chat; an unknown user does not. */
    async isAdmin(chatId: number, userId: number): Promise<boolean> {
      const member = await api.getChatMember(chatId, userId).catch((e: unknown) => {
        if (e instanceof TelegramError && e.code >= 400 && e.code < 500 && e.code !== 429) return null;
        throw e;
      });
      return member?.status === 'creator' || member?.status === 'administrator';
    },
  };
}

export type TelegramApi = ReturnType<typeof createTelegramApi>;

/** The person never started the bot, or blocked it: their private chat cannot be written to. */
export const isForbidden = (e: unknown) => e instanceof TelegramError && e.code === 403;

/** The Bot API's answer by its status (429 after retry_after); a network failure never names the URL (the token). */
export function toChannelSendError(e: unknown): ChannelSendError {
  if (e instanceof ChannelSendError) return e;
  if (e instanceof TelegramError) return refusalError(`telegram ${e.code}: ${e.description}`, e.code, (e.parameters?.retry_after ?? 5) * 1000);
  const { error, code } = logFacts(e);
  return refusalError(`telegram request failed: ${String(error)}${typeof code === 'string' ? ` ${code}` : ''}`, null, 0);
}

/** For `.catch`: the failure as the engine reads it. */
export const rethrowAsSendError = (e: unknown): never => {
  throw toChannelSendError(e);
};
