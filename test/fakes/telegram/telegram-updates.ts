/**
 * Builders of real-shaped Telegram updates (Bot API 7). Entities are computed the way Telegram does: offsets and
 * lengths in UTF-16 code units, which is what JavaScript string indices already are.
 */
import type { CallbackQuery, Chat, Message, MessageEntity, Update, User } from 'telegraf/types';

export type TgUser = User;
export type PrivateChat = Chat.PrivateChat;
export type GroupChat = Chat.SupergroupChat | Chat.GroupChat;

export function tgUser(id: number, firstName: string, opts: { username?: string; languageCode?: string } = {}): User {
  return {
    id,
    is_bot: false,
    first_name: firstName,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.languageCode ? { language_code: opts.languageCode } : {}),
  };
}

export function privateChatOf(user: User): Chat.PrivateChat {
  return { id: user.id, type: 'private', first_name: user.first_name, ...(user.username ? { username: user.username } : {}) };
}

export function supergroup(id: number, title: string): Chat.SupergroupChat {
  return { id, type: 'supergroup', title };
}

/** Entities Telegram would attach to this text: a leading /command, @mentions and URLs. */
export function entitiesOf(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  const command = /^\/[a-zA-Z0-9_]{1,32}(@[a-zA-Z0-9_]{5,32})?/.exec(text);
  if (command) found.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const m of text.matchAll(/(?<![\w@])@[a-zA-Z0-9_]{5,32}/g)) {
    found.push({ type: 'mention', offset: m.index, length: m[0].length });
  }
  for (const m of text.matchAll(/https?:\/\/[^\s]+/g)) found.push({ type: 'url', offset: m.index, length: m[0].length });
  return found.sort((a, b) => a.offset - b.offset);
}

export interface UpdateBuilderOptions {
  /** Message ids are per chat; the fake hands them out so that user and bot messages never collide. */
  nextMessageId?: (chatId: number) => number;
  firstUpdateId?: number;
  now?: () => number;
}

export class TelegramUpdateBuilder {
  private updateId: number;
  private readonly perChat = new Map<number, number>();
  private queryCounter = 0;

  constructor(private readonly opts: UpdateBuilderOptions = {}) {
    this.updateId = opts.firstUpdateId ?? 500_000_000;
  }

  private nextUpdateId(): number {
    this.updateId += 1;
    return this.updateId;
  }

  private date(): number {
    return Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
  }

  private nextMessageId(chatId: number): number {
    if (this.opts.nextMessageId) return this.opts.nextMessageId(chatId);
    const next = (this.perChat.get(chatId) ?? 0) + 1;
    this.perChat.set(chatId, next);
    return next;
  }

  /** A text message; entities are derived from the text unless given. */
  message(
    chat: Chat.PrivateChat | GroupChat,
    from: User,
    text: string,
    opts: { replyTo?: Message; entities?: MessageEntity[] } = {},
  ): Update.MessageUpdate<Message.TextMessage> {
    const entities = opts.entities ?? entitiesOf(text);
    const message = {
      message_id: this.nextMessageId(chat.id),
      from,
      chat,
      date: this.date(),
      text,
      ...(entities.length > 0 ? { entities } : {}),
      ...(opts.replyTo ? { reply_to_message: stripReply(opts.replyTo) } : {}),
    } as Update.MessageUpdate<Message.TextMessage>['message'];
    return { update_id: this.nextUpdateId(), message };
  }

  /** "/cmd args" or "/cmd@bot args" with its bot_command entity. */
  command(chat: Chat.PrivateChat | GroupChat, from: User, command: string, args = '') {
    return this.message(chat, from, args ? `${command} ${args}` : command);
  }

  /** A member mentions the bot; `text` may put "@bot" anywhere, or it is prepended. */
  mention(chat: GroupChat, from: User, botUsername: string, text: string, replyTo?: Message) {
    const full = text.includes(`@${botUsername}`) ? text : `@${botUsername} ${text}`.trimEnd();
    return this.message(chat, from, full, replyTo ? { replyTo } : {});
  }

  /** The person edited one of their messages: Telegram sends the whole message again, with its new text. */
  edited(message: Message.TextMessage, text: string): Update.EditedMessageUpdate {
    const entities = entitiesOf(text);
    const { entities: _old, ...rest } = message;
    const edited_message = { ...rest, text, ...(entities.length > 0 ? { entities } : {}), edit_date: this.date() } as Update.EditedMessageUpdate['edited_message'];
    return { update_id: this.nextUpdateId(), edited_message };
  }

  callbackQuery(from: User, message: NonNullable<CallbackQuery['message']>, data: string): Update.CallbackQueryUpdate<CallbackQuery.DataQuery> {
    this.queryCounter += 1;
    const callback_query = {
      id: `${from.id}${String(this.queryCounter).padStart(6, '0')}`,
      from,
      message,
      chat_instance: `-${Math.abs(message.chat.id)}77`,
      data,
    } as CallbackQuery.DataQuery;
    return { update_id: this.nextUpdateId(), callback_query };
  }

  /** The bot's own membership changed (added, promoted, removed) by `from`. */
  myChatMember(
    chat: GroupChat,
    from: User,
    bot: User,
    oldStatus: 'left' | 'member' | 'administrator' | 'kicked',
    newStatus: 'left' | 'member' | 'administrator' | 'kicked',
  ): Update.MyChatMemberUpdate {
    const member = (status: typeof oldStatus) =>
      status === 'administrator'
        ? {
            user: bot,
            status,
            can_be_edited: false,
            is_anonymous: false,
            can_manage_chat: true,
            can_delete_messages: true,
            can_manage_video_chats: true,
            can_restrict_members: false,
            can_promote_members: false,
            can_change_info: false,
            can_invite_users: true,
            can_post_stories: false,
            can_edit_stories: false,
            can_delete_stories: false,
            can_pin_messages: true,
          }
        : status === 'kicked'
          ? { user: bot, status, until_date: 0 }
          : { user: bot, status };
    return {
      update_id: this.nextUpdateId(),
      my_chat_member: {
        chat,
        from,
        date: this.date(),
        old_chat_member: member(oldStatus),
        new_chat_member: member(newStatus),
      } as Update.MyChatMemberUpdate['my_chat_member'],
    };
  }
}

/** Telegram nests only one level of reply_to_message. */
function stripReply(message: Message): Message {
  const { reply_to_message: _drop, ...rest } = message as Message & { reply_to_message?: unknown };
  return rest as Message;
}
