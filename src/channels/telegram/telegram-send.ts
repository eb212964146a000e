/**
 * Where each answer goes, and the one way the channel sends (long texts split, a retry resuming after the parts
 * already shown). Telegram has no ephemeral messages:
 * - to the actor: a pressed button's answer (toast, or an alert for a refusal) when the answer is brief, else
 *   their private chat, whose id is their user id; someone who never started the bot, asking in a group, is
 *   answered in the group instead, with nothing private in it;
 * - to the place: the chat, in a group as a reply to the message it is about (in its forum topic);
 * - `replaces`: that message is edited instead, where it still can be.
 */
import type { Logger } from 'pino';
import type { ChatReply } from '../../core/chat/chat-service.ts';
import { notice } from '../../core/chat/chat-messages.ts';
import type { ReplyContext } from '../../core/ports/channel-port.ts';
import { t } from '../../i18n/catalog.ts';
import { isForbidden, readRef, toChannelSendError, type SendOptions, type TelegramApi } from './telegram-api.ts';
import type { LocalReply } from './telegram-parse.ts';
import { isRefusal, noticeText, render, type Rendered, type RenderOptions } from './telegram-render.ts';
import { readUpdate } from './telegram-schemas.ts';

/** How many presses and half-delivered long messages are remembered (only an optimisation within one process). */
const MEMORY = 500;

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value!);
  return value;
}

export function createSender(deps: { api: TelegramApi; botUsername(): string; logger: Logger }) {
  const { api } = deps;
  const answered = new Map<string, true>();
  // Delivery key -> parts delivered. After a crash the engine's own bookkeeping decides; at worst a part shows twice.
  const partial = new Map<string, number[]>();

  async function deliver(chatId: number | string, r: Rendered, key: string, o: Omit<SendOptions, 'done'> = {}): Promise<number[]> {
    const ids = await api.send(chatId, r, { ...o, done: partial.get(key) ?? remember(partial, key, []) });
    partial.delete(key);
    return ids;
  }

  async function tell(reply: ChatReply | LocalReply, ctx: ReplyContext): Promise<void> {
    const u = readUpdate(ctx.envelope.payload);
    const press = u?.press ?? null;
    const source = u?.message ?? null;
    const from = press?.from ?? source?.from ?? u?.membership?.from ?? null;
    const m = reply.message;
    const o = (where: RenderOptions['where']): RenderOptions => ({ locale: reply.locale, bot: deps.botUsername(), where, fromGroup: !reply.place.direct, name: from?.name ?? '' });
    const brief = reply.to === 'actor' && reply.brief && m.kind === 'notice';
    if (press && !answered.has(press.id)) {
      remember(answered, press.id, true);
      const inGroup = press.message !== null && press.message.chat.type !== 'private';
      const text = brief ? noticeText(m, o('alert')) : reply.to === 'actor' && inGroup ? t(reply.locale, 'telegram:group.sent_privately') : undefined;
      await api.answer(press.id, text, brief && isRefusal(m));
      if (brief && !reply.replaces) return;
    }
    const toGroup = reply.to === 'place' && !reply.place.direct;
    const rendered = render(m, o(toGroup ? 'group' : 'direct'));
    try {
      const replaced = reply.replaces ? readRef(reply.replaces) : null;
      if (replaced && (await api.edit(replaced.chatId, replaced.ids, rendered))) return;
      const root = reply.place.threadRef ?? (source ? String(source.id) : null);
      const chatId = reply.to === 'place' || reply.place.direct ? reply.place.chatId : reply.actor!.platformUserId;
      await deliver(chatId, rendered, ctx.deliveryKey, toGroup ? { replyTo: root === null ? undefined : Number(root), topicId: source?.topicId } : {});
    } catch (e) {
      if (reply.to !== 'actor' || reply.place.direct || !source || !isForbidden(e)) throw toChannelSendError(e);
      const safe = m.kind === 'notice' || m.kind === 'request_exists' ? m : notice('telegram:group.start_private');
      await deliver(reply.place.chatId, render(safe, o('group')), `${ctx.deliveryKey}-group`, { replyTo: source.id, topicId: source.topicId }).catch((err: unknown) => {
        throw toChannelSendError(err);
      });
    }
  }

  return { deliver, tell };
}
