/**
 * The edge check of everything Telegram sends us. Only the fields the handlers read are required to have their
 * type; everything else passes through untouched for telegraf (loose objects), so a new Bot API field never turns
 * a valid update into a 400.
 */
import { z } from 'zod';

const UserSchema = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const ChatSchema = z.looseObject({
  id: z.number().int(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
});

const EntitySchema = z.looseObject({
  type: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  user: UserSchema.optional(),
});

const MessageBase = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: ChatSchema,
  from: UserSchema.optional(),
  sender_chat: ChatSchema.optional(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(EntitySchema).optional(),
  caption_entities: z.array(EntitySchema).optional(),
});

const MessageSchema = MessageBase.extend({ reply_to_message: MessageBase.optional() });

const CallbackQuerySchema = z.looseObject({
  id: z.string().min(1),
  from: UserSchema,
  chat_instance: z.string(),
  /** Absent for inline-mode buttons; an "inaccessible message" (date 0) still has chat and message_id. */
  message: MessageSchema.optional(),
  data: z.string().optional(),
});

const ChatMemberSchema = z.looseObject({
  status: z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']),
  user: UserSchema,
});

const ChatMemberUpdatedSchema = z.looseObject({
  chat: ChatSchema,
  from: UserSchema,
  date: z.number().int(),
  old_chat_member: ChatMemberSchema,
  new_chat_member: ChatMemberSchema,
});

export const UpdateSchema = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: MessageSchema.optional(),
  edited_message: MessageSchema.optional(),
  callback_query: CallbackQuerySchema.optional(),
  my_chat_member: ChatMemberUpdatedSchema.optional(),
});

export type TelegramUpdate = z.infer<typeof UpdateSchema>;

/** The update kinds the bot asks Telegram for (webhook and polling alike). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/**
 * The chat an update belongs to, so that one chat's updates are processed one at a time and in order (its dialog
 * state would race otherwise). Updates without a chat get no key.
 */
export function updateChatKey(update: unknown): string | undefined {
  const u = update as Record<string, { chat?: { id?: unknown }; message?: { chat?: { id?: unknown } } } | undefined> | null;
  if (!u || typeof u !== 'object') return undefined;
  for (const kind of ['message', 'edited_message', 'my_chat_member', 'chat_member', 'callback_query']) {
    const part = u[kind];
    const id = part?.chat?.id ?? part?.message?.chat?.id;
    if (typeof id === 'number' || typeof id === 'string') return String(id);
  }
  return undefined;
}
