/**
 * The telegraf bot: one Telegraf instance used as the Bot API client and, through handleUpdate, as the dispatcher
 * of durably recorded updates. Its handlers only read the update and hand plain facts to the flows.
 */
import { Telegraf, type Context } from 'telegraf';
import type { Message } from 'telegraf/types';
import { actorOf, type FlowDeps, type Press } from './telegram-flow-context.ts';
import { onGroupMessage, onMyChatMember } from './telegram-group-flow.ts';
import { routeCallback } from './telegram-callback-router.ts';
import { botMentions, parseCommand, withoutEntities, type Entity } from './telegram-parse.ts';
import { onPrivateMessage } from './telegram-private-flow.ts';

export function createTelegraf(token: string, apiRoot: string): Telegraf {
  // webhookReply off: every call is a real API call whose result we see (the webhook answer is ours, not telegraf's).
  const bot = new Telegraf(token, { telegram: { apiRoot, webhookReply: false } });
  // Let a failure reach processInbound, so the worker retries the stored update instead of losing it.
  bot.catch((err) => {
    throw err;
  });
  return bot;
}

function textOf(m: Message): { text: string | null; entities: Entity[] } {
  if ('text' in m) return { text: m.text, entities: m.entities ?? [] };
  if ('caption' in m && m.caption !== undefined) return { text: m.caption, entities: m.caption_entities ?? [] };
  return { text: null, entities: [] };
}

/** Registers the handlers that route updates to the private, group and callback flows. */
export function registerHandlers(bot: Telegraf, deps: FlowDeps): void {
  bot.on('message', async (ctx) => {
    const msg = ctx.message;
    const chat = msg.chat;
    const anonymousAdmin = chat.type !== 'private' && msg.sender_chat?.id === chat.id;
    if (!msg.from || (msg.from.is_bot && !anonymousAdmin)) return;
    const { text, entities } = textOf(msg);
    const command = text === null ? ({ kind: 'none' } as const) : parseCommand(text, entities, ctx.me);
    if (command.kind === 'foreign') return;
    const actor = actorOf(deps, msg.from);
    const base = {
      chatId: chat.id,
      messageId: msg.message_id,
      text,
      command: command.kind === 'command' ? { name: command.name, payload: command.payload } : null,
    };
    if (chat.type === 'private') return onPrivateMessage(deps, actor, base, ctx.me);

    const mentions = text === null ? [] : botMentions(text, entities, { username: ctx.me, id: ctx.botInfo.id });
    const replied = 'reply_to_message' in msg ? msg.reply_to_message : undefined;
    // In forum topics Telegram fills reply_to_message with the topic's root even when nobody replied.
    const topicRoot = msg.is_topic_message === true && replied?.message_id === msg.message_thread_id;
    const replyTo =
      replied && !topicRoot && replied.from?.id !== ctx.botInfo.id
        ? { messageId: replied.message_id, text: textOf(replied).text }
        : null;
    await onGroupMessage(
      deps,
      actor,
      {
        ...base,
        fromAnonymousAdmin: anonymousAdmin,
        mentionsBot: mentions.length > 0,
        textWithoutMention: text === null ? '' : withoutEntities(text, mentions),
        replyTo,
      },
      ctx.me,
    );
  });

  bot.on('callback_query', async (ctx: Context) => {
    const q = ctx.callbackQuery;
    if (!q) return;
    let answered = false;
    const press: Press = {
      queryId: q.id,
      chatId: q.message?.chat.id ?? q.from.id,
      messageId: q.message?.message_id ?? 0,
      isPrivate: (q.message?.chat.type ?? 'private') === 'private',
      answer: async (text, alert) => {
        if (answered) return;
        answered = true;
        await deps.io.answer(q.id, text, alert);
      },
    };
    try {
      await routeCallback(deps, actorOf(deps, q.from), press, 'data' in q ? q.data : undefined, ctx.me);
    } finally {
      // Telegram shows a spinner until the press is answered, whatever happened.
      await press.answer();
    }
  });

  bot.on('my_chat_member', async (ctx) => {
    const change = ctx.myChatMember;
    if (change.chat.type !== 'group' && change.chat.type !== 'supergroup') return;
    await onMyChatMember(
      deps,
      actorOf(deps, change.from),
      change.chat.id,
      { from: change.old_chat_member.status, to: change.new_chat_member.status },
      ctx.me,
    );
  });
}
