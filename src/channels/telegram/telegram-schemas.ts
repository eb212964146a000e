/**
 * The edge check of everything Telegram sends us, decoded at once into named fields: nothing past this file reads
 * a wire key. Only what the bot reads is checked (loose objects), so a new Bot API field never turns a valid update
 * into a 400, and fields the documentation's own examples leave out (is_bot, chat_instance) are optional.
 */
import { z } from 'zod';
import type { ChatFile } from '../../core/chat/chat-events.ts';

export const PLATFORM = 'telegram';

/** The update kinds the bot asks Telegram for (webhook and polling alike). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

const int = z.number().int();

const UserSchema = z
  .looseObject({ id: int, is_bot: z.boolean().optional(), first_name: z.string(), last_name: z.string().optional(), language_code: z.string().optional() })
  .transform((u) => ({ id: u.id, isBot: u.is_bot === true, name: [u.first_name, u.last_name].filter(Boolean).join(' '), languageCode: u.language_code ?? null }));

export type TgUser = z.output<typeof UserSchema>;

const ChatSchema = z
  .looseObject({ id: int, type: z.enum(['private', 'group', 'supergroup', 'channel']), username: z.string().optional() })
  .transform((c) => ({ id: c.id, type: c.type, username: c.username ?? null }));

const EntitySchema = z
  .looseObject({ type: z.string(), offset: int.nonnegative(), length: int.nonnegative(), user: z.looseObject({ id: int }).optional() })
  .transform((e) => ({ type: e.type, offset: e.offset, length: e.length, userId: e.user?.id ?? null }));

export type Entity = z.output<typeof EntitySchema>;

const FileSchema = z.looseObject({ file_id: z.string(), file_name: z.string().optional(), mime_type: z.string().optional(), file_size: int.optional(), title: z.string().optional() });

/** Extensions for files Telegram sends without a name (an audio's title is its name). */
const EXTENSIONS: Record<string, string> = { 'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a', 'audio/x-m4a': 'm4a', 'audio/flac': 'flac', 'audio/wav': 'wav' };
type WireFile = z.output<typeof FileSchema>;

const MESSAGE_FIELDS = {
  message_id: int,
  chat: ChatSchema,
  from: UserSchema.optional(),
  sender_chat: z.looseObject({ id: int }).optional(),
  message_thread_id: int.optional(),
  is_topic_message: z.boolean().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(EntitySchema).optional(),
  caption_entities: z.array(EntitySchema).optional(),
  photo: z.array(FileSchema).optional(),
  document: FileSchema.optional(),
  video: FileSchema.optional(),
  audio: FileSchema.optional(),
  voice: FileSchema.optional(),
  video_note: FileSchema.optional(),
  animation: FileSchema.optional(),
};

function file(f: WireFile, name: string, contentType?: string): ChatFile {
  // No url: Telegram's download links carry the bot token, so only the file id travels.
  const titled = f.title && !f.file_name ? `${f.title}${f.mime_type && EXTENSIONS[f.mime_type] ? `.${EXTENSIONS[f.mime_type]}` : ''}` : null;
  return { name: f.file_name ?? titled ?? name, url: null, platformFileId: f.file_id, size: f.file_size ?? null, contentType: f.mime_type ?? contentType ?? null };
}

type WireMessage = z.output<z.ZodObject<typeof MESSAGE_FIELDS>>;

function decodeMessage(m: WireMessage) {
  const files: ChatFile[] = [];
  // Telegram sends every size of a photo; the last is the largest (and always a JPEG).
  const photo = m.photo?.at(-1);
  if (photo) files.push(file(photo, 'photo.jpg', 'image/jpeg'));
  for (const [f, name] of [[m.document, 'document'], [m.video, 'video.mp4'], [m.audio, 'audio'], [m.voice, 'voice.ogg'], [m.video_note, 'video_note.mp4'], [m.animation, 'animation.mp4']] as const)
    if (f) files.push(file(f, name));
  return {
    id: m.message_id,
    chat: m.chat,
    from: m.from ?? null,
    senderChatId: m.sender_chat?.id ?? null,
    topicId: m.is_topic_message ? (m.message_thread_id ?? null) : null,
    text: m.text ?? m.caption ?? '',
    entities: m.text !== undefined ? (m.entities ?? []) : (m.caption_entities ?? []),
    files,
  };
}

const ReplySchema = z.looseObject(MESSAGE_FIELDS).transform(decodeMessage);
const MessageSchema = z
  .looseObject({ ...MESSAGE_FIELDS, reply_to_message: ReplySchema.optional() })
  .transform((m) => ({ ...decodeMessage(m), replyTo: m.reply_to_message ?? null }));

export type TgMessage = z.output<typeof MessageSchema>;

const CallbackQuerySchema = z
  .looseObject({ id: z.string().min(1), from: UserSchema, message: z.looseObject({ message_id: int, chat: ChatSchema }).optional(), data: z.string().optional() })
  .transform((q) => ({ id: q.id, from: q.from, data: q.data ?? null, message: q.message ? { id: q.message.message_id, chat: q.message.chat } : null }));

export type TgPress = z.output<typeof CallbackQuerySchema>;

const MemberStatus = z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']);
const ChatMemberUpdatedSchema = z
  .looseObject({ chat: ChatSchema, from: UserSchema, old_chat_member: z.looseObject({ status: MemberStatus }), new_chat_member: z.looseObject({ status: MemberStatus }) })
  .transform((c) => ({ chat: c.chat, from: c.from, was: c.old_chat_member.status, now: c.new_chat_member.status }));

export const UpdateSchema = z
  .looseObject({
    update_id: int.nonnegative(),
    message: MessageSchema.optional(),
    edited_message: MessageSchema.optional(),
    callback_query: CallbackQuerySchema.optional(),
    my_chat_member: ChatMemberUpdatedSchema.optional(),
  })
  .transform((u) => ({ updateId: u.update_id, message: u.message ?? null, edited: u.edited_message ?? null, press: u.callback_query ?? null, membership: u.my_chat_member ?? null }));

export type TgUpdate = z.output<typeof UpdateSchema>;

/**
 * The chat an update belongs to, so that one chat's updates are processed one at a time and in order (its dialog
 * would race otherwise). Updates without a chat get no key.
 */
export function chatKeyOf(u: TgUpdate): string | undefined {
  const id = u.message?.chat.id ?? u.edited?.chat.id ?? u.press?.message?.chat.id ?? u.membership?.chat.id;
  return id === undefined ? undefined : String(id);
}

/** Parses a stored or received update; null when it is not one. */
export function readUpdate(payload: unknown): TgUpdate | null {
  const r = UpdateSchema.safeParse(payload);
  return r.success ? r.data : null;
}
