/**
 * The one place that turns a Rendered message into Bot API calls (split at the limit, reply into a thread, buttons
 * on the last part), and the one mapping of Bot API failures to ChannelSendError for the sync engine.
 */
import { TelegramError, type Telegram } from 'telegraf';
import { ChannelSendError } from '../../core/ports/channel-port.ts';
import { splitHtml, TELEGRAM_TEXT_LIMIT } from './telegram-html.ts';
import type { Rendered } from './telegram-render.ts';

export type TelegramApi = Pick<
  Telegram,
  'sendMessage' | 'editMessageText' | 'editMessageReplyMarkup' | 'deleteMessage' | 'answerCbQuery' | 'getChatMember'
>;

export interface SendOptions {
  /** Message to reply to (the thread root); sent without reply if it is gone. */
  replyTo?: number | undefined;
  /** Parts already delivered by an earlier attempt of the same delivery: they are not sent again. */
  alreadySent?: number[] | undefined;
  /** Called after each delivered part, so a retry after a failure in the middle can resume. */
  onPart?: ((messageId: number) => void) | undefined;
}

/** Sends all parts; returns the message ids in order (the last one carries the keyboard). */
export async function sendRendered(
  api: TelegramApi,
  chatId: number | string,
  rendered: Rendered,
  opts: SendOptions = {},
): Promise<number[]> {
  const parts = splitHtml(rendered.html, TELEGRAM_TEXT_LIMIT);
  const ids = [...(opts.alreadySent ?? [])];
  let target = chatId;
  for (let i = ids.length; i < parts.length; i += 1) {
    const last = i === parts.length - 1;
    const extra = {
      parse_mode: 'HTML' as const,
      link_preview_options: { is_disabled: true },
      ...(opts.replyTo !== undefined
        ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } }
        : {}),
      ...(last && rendered.keyboard ? { reply_markup: { inline_keyboard: rendered.keyboard } } : {}),
    };
    let sent;
    try {
      sent = await api.sendMessage(target, parts[i]!, extra);
    } catch (e) {
      // A group that became a supergroup has a new id; Telegram says which.
      const migrated = e instanceof TelegramError ? e.parameters?.migrate_to_chat_id : undefined;
      if (migrated === undefined) throw e;
      target = migrated;
      sent = await api.sendMessage(target, parts[i]!, extra);
    }
    ids.push(sent.message_id);
    opts.onPart?.(sent.message_id);
  }
  return ids;
}

/** Edits a message in place; a text that no longer fits keeps its first part (an edit cannot add messages). */
export async function editRendered(api: TelegramApi, chatId: number | string, messageId: number, rendered: Rendered) {
  const [first = ''] = splitHtml(rendered.html, TELEGRAM_TEXT_LIMIT);
  try {
    await api.editMessageText(chatId, messageId, undefined, first, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(rendered.keyboard ? { reply_markup: { inline_keyboard: rendered.keyboard } } : {}),
    });
  } catch (e) {
    if (!isNotModified(e)) throw e;
  }
}

export function isNotModified(e: unknown): boolean {
  return e instanceof TelegramError && e.code === 400 && /message is not modified/i.test(e.description);
}

export function isMessageGone(e: unknown): boolean {
  return e instanceof TelegramError && e.code === 400 && /message to (delete|edit) not found/i.test(e.description);
}

/**
 * 429 -> rate_limited after retry_after; 5xx and network failures -> transient; everything else the Bot API refuses
 * (403 blocked / kicked, 400 chat not found, bad request) -> permanent, because sending it again cannot succeed.
 */
export function toChannelSendError(e: unknown): ChannelSendError {
  if (e instanceof ChannelSendError) return e;
  if (e instanceof TelegramError) {
    const what = `telegram ${e.code}: ${e.description}`;
    if (e.code === 429) {
      const seconds = e.parameters?.retry_after ?? 5;
      return new ChannelSendError('rate_limited', what, seconds * 1000);
    }
    if (e.code >= 500) return new ChannelSendError('transient', what);
    return new ChannelSendError('permanent', what);
  }
  // node-fetch FetchError / AbortError / socket errors: the request may not have reached Telegram.
  const name = e instanceof Error ? e.name : 'unknown';
  const code = (e as { code?: unknown } | null)?.code;
  return new ChannelSendError('transient', `telegram request failed: ${name}${typeof code === 'string' ? ` ${code}` : ''}`);
}
