/**
 * How the interactive handlers talk back in a chat. By the time they answer, the user's action has been applied
 * through DeskPort; a failed answer must not make the worker run the whole update again (that would apply the
 * action twice), so answers wait out a 429 (Telegram names the wait) and retry a 5xx once, then give up and log.
 */
import { TelegramError } from 'telegraf';
import type { Logger } from 'pino';
import { truncate } from './telegram-html.ts';
import type { Rendered } from './telegram-render.ts';
import { editRendered, isMessageGone, sendRendered, type TelegramApi } from './telegram-send.ts';

export interface ChatIo {
  /** Sends; returns the id of the last part, or null when Telegram would not take it. */
  send(chatId: number, rendered: Rendered, opts?: { replyTo?: number }): Promise<number | null>;
  edit(chatId: number, messageId: number, rendered: Rendered): Promise<void>;
  clearKeyboard(chatId: number, messageId: number): Promise<void>;
  /** Answers a callback query (at most 200 characters; an alert stays until dismissed). */
  answer(callbackQueryId: string, text?: string, alert?: boolean): Promise<void>;
  /** creator | administrator | member | restricted | left | kicked, or null when unknown. */
  memberStatus(chatId: number, userId: number): Promise<string | null>;
}

export interface ChatIoOptions {
  /** The longest retry_after worth waiting for inside a handler; longer waits give up. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const CALLBACK_ANSWER_LIMIT = 200;

export function createChatIo(api: TelegramApi, logger: Logger, opts: ChatIoOptions = {}): ChatIo {
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function attempt<T>(method: string, fn: () => Promise<T>): Promise<T | null> {
    for (let round = 0; round < 3; round += 1) {
      try {
        return await fn();
      } catch (e) {
        const wait = retryDelay(e, round, maxWaitMs);
        if (wait === null) {
          logger.warn({ method, ...describe(e) }, 'telegram: answer not delivered');
          return null;
        }
        await sleep(wait);
      }
    }
    logger.warn({ method }, 'telegram: answer not delivered after retries');
    return null;
  }

  return {
    async send(chatId, rendered, o = {}) {
      // Resume after a partial failure instead of repeating parts already shown.
      const sent: number[] = [];
      const ids = await attempt('sendMessage', () =>
        sendRendered(api, chatId, rendered, { replyTo: o.replyTo, alreadySent: sent, onPart: (id) => sent.push(id) }),
      );
      return ids?.at(-1) ?? sent.at(-1) ?? null;
    },
    async edit(chatId, messageId, rendered) {
      await attempt('editMessageText', () => editRendered(api, chatId, messageId, rendered));
    },
    async clearKeyboard(chatId, messageId) {
      await attempt('editMessageReplyMarkup', async () => {
        try {
          await api.editMessageReplyMarkup(chatId, messageId, undefined, undefined);
        } catch (e) {
          if (!(e instanceof TelegramError && /not modified/i.test(e.description)) && !isMessageGone(e)) throw e;
        }
      });
    },
    async answer(callbackQueryId, text, alert = false) {
      await attempt('answerCallbackQuery', () =>
        api.answerCbQuery(callbackQueryId, text === undefined ? undefined : truncate(text, CALLBACK_ANSWER_LIMIT), {
          show_alert: alert,
        }),
      );
    },
    async memberStatus(chatId, userId) {
      const member = await attempt('getChatMember', () => api.getChatMember(chatId, userId));
      return member?.status ?? null;
    },
  };
}

function retryDelay(e: unknown, round: number, maxWaitMs: number): number | null {
  if (round >= 2) return null;
  if (e instanceof TelegramError) {
    if (e.code === 429) {
      const ms = (e.parameters?.retry_after ?? 1) * 1000;
      return ms <= maxWaitMs ? ms : null;
    }
    return e.code >= 500 ? 1000 : null;
  }
  return round === 0 ? 1000 : null;
}

/** Error facts safe to log: never the request, which carries user text, never the URL, which carries the token. */
function describe(e: unknown): Record<string, unknown> {
  if (e instanceof TelegramError) return { code: e.code, description: e.description };
  return { error: e instanceof Error ? e.name : 'unknown' };
}
