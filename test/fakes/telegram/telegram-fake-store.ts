/**
 * The fake Bot API's world: chats it knows, members and their statuses, every message in every chat (the bot's and
 * the users' it has seen in updates), and pending callback queries. Telegram refuses to write into chats it does not
 * know or where the user never started the bot, so the fake does too.
 */
import type { Chat, Message, Update, User } from 'telegraf/types';
import type { ParsedEntity } from './telegram-fake-html.ts';

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

export interface StoredMessage {
  message_id: number;
  chatId: number;
  fromBot: boolean;
  from: User;
  date: number;
  text: string;
  entities: ParsedEntity[];
  reply_markup?: { inline_keyboard: InlineButton[][] };
  reply_to_message_id?: number;
  /** A photo or document the bot sent (the fake's file id), and the media group it came in. */
  file?: { kind: 'photo' | 'document'; fileId: string };
  media_group_id?: string;
  deleted: boolean;
  edits: number;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

interface ChatRecord {
  chat: Chat;
  members: Map<number, MemberStatus>;
  botStatus: MemberStatus;
  /** Private chats: the user pressed Start (wrote to the bot) at least once. */
  started: boolean;
  blocked: boolean;
}

export class TelegramFakeStore {
  readonly chats = new Map<number, ChatRecord>();
  readonly users = new Map<number, User>();
  private readonly messages = new Map<number, Map<number, StoredMessage>>();
  private readonly lastMessageId = new Map<number, number>();
  /** callback_query id -> answered */
  readonly callbackQueries = new Map<string, boolean>();

  allocMessageId(chatId: number): number {
    const next = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, next);
    return next;
  }

  private noteMessageId(chatId: number, id: number): void {
    if ((this.lastMessageId.get(chatId) ?? 0) < id) this.lastMessageId.set(chatId, id);
  }

  chatRecord(chat: Chat): ChatRecord {
    let rec = this.chats.get(chat.id);
    if (!rec) {
      rec = { chat, members: new Map(), botStatus: 'member', started: false, blocked: false };
      this.chats.set(chat.id, rec);
    }
    return rec;
  }

  /** Learns chats, users, messages and callback queries from an update that Telegram is about to deliver. */
  observe(update: Update): void {
    if ('message' in update && update.message) this.observeMessage(update.message);
    if ('callback_query' in update && update.callback_query) {
      const q = update.callback_query;
      this.users.set(q.from.id, q.from);
      this.callbackQueries.set(q.id, false);
    }
    if ('my_chat_member' in update && update.my_chat_member) {
      const m = update.my_chat_member;
      const rec = this.chatRecord(m.chat);
      rec.botStatus = m.new_chat_member.status;
      this.users.set(m.from.id, m.from);
      if (!rec.members.has(m.from.id)) rec.members.set(m.from.id, 'member');
    }
  }

  private observeMessage(message: Message): void {
    const rec = this.chatRecord(message.chat);
    if (message.from) {
      this.users.set(message.from.id, message.from);
      if (message.chat.type === 'private') rec.started = true;
      else if (!rec.members.has(message.from.id)) rec.members.set(message.from.id, 'member');
    }
    const replied = 'reply_to_message' in message ? message.reply_to_message : undefined;
    if (replied) this.observeMessage(replied);
    this.noteMessageId(message.chat.id, message.message_id);
    const byId = this.chatMessages(message.chat.id);
    if (byId.has(message.message_id)) return;
    byId.set(message.message_id, {
      message_id: message.message_id,
      chatId: message.chat.id,
      fromBot: false,
      from: message.from ?? { id: 0, is_bot: false, first_name: '?' },
      date: message.date,
      text: 'text' in message ? message.text : '',
      entities: [],
      deleted: false,
      edits: 0,
    });
  }

  chatMessages(chatId: number): Map<number, StoredMessage> {
    let m = this.messages.get(chatId);
    if (!m) {
      m = new Map();
      this.messages.set(chatId, m);
    }
    return m;
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    const m = this.messages.get(chatId)?.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  /** Messages the bot sent into a chat, oldest first, deleted ones included (flagged). */
  sentBy(chatId: number): StoredMessage[] {
    return [...(this.messages.get(chatId)?.values() ?? [])].filter((m) => m.fromBot);
  }

  allSent(): StoredMessage[] {
    return [...this.messages.values()].flatMap((m) => [...m.values()]).filter((m) => m.fromBot);
  }
}
