/**
 * A Telegram update in the shared vocabulary (ChatEvent): who, where, what text as a person sees it, which of the
 * bot's messages it answers, and what Telegram says about admin-ness. Nothing here decides; the core does. The few
 * answers that are pure interface (a group's greeting, the yes/no before a ticket goes back to work, a stale
 * button) are the adapter's own `local` replies.
 *
 * Entity offsets count UTF-16 code units, which is exactly how JavaScript indexes strings.
 */
import type { ChatEvent, ChatPerson, ChatPlace } from '../../core/chat/chat-events.ts';
import type { ChatReply } from '../../core/chat/chat-service.ts';
import { notice } from '../../core/chat/chat-messages.ts';
import { LOCALES, toLocale, type Locale } from '../../core/locale.ts';
import { messageRef } from './telegram-api.ts';
import { decodeButton } from './telegram-callback-data.ts';
import type { TelegramMessage } from './telegram-render.ts';
import { PLATFORM, type Entity, type TgMessage, type TgPress, type TgUpdate, type TgUser } from './telegram-schemas.ts';

export interface ParseDeps {
  /** The bot's id: Telegram's "workspace" (one bot, one namespace of chats and users). */
  workspaceId: string;
  /** Who the bot is (getMe); throws while it is not known yet, so the update is processed later. */
  bot(): { id: number; username: string };
  isAdmin(chatId: number, userId: number): Promise<boolean>;
}

/** An answer the adapter gives itself (pure interface, nothing the core decides), told before the core's. */
export type LocalReply = Omit<ChatReply, 'message'> & { message: TelegramMessage };

export interface Parsed {
  events: ChatEvent[];
  local: LocalReply[];
}

type Chat = TgMessage['chat'];

export type ParsedCommand = { kind: 'none' } | { kind: 'foreign' } | { kind: 'command'; name: string; payload: string };

/** A leading /command (the first entity is a bot_command at offset 0); "/cmd@name" is ours only if name is this bot. */
export function parseCommand(text: string, entities: readonly Entity[], botUsername: string): ParsedCommand {
  const first = entities[0];
  // Telegram marks every command; a hand-made update (the Bot API's own examples) may not: read it from the text.
  const length = first ? (first.type === 'bot_command' && first.offset === 0 ? first.length : 0) : (/^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?(?=\s|$)/.exec(text)?.[0].length ?? 0);
  if (length === 0) return { kind: 'none' };
  const [cmd = '', target] = text.slice(1, length).split('@');
  if (target !== undefined && target.toLowerCase() !== botUsername.toLowerCase()) return { kind: 'foreign' };
  return { kind: 'command', name: cmd.toLowerCase(), payload: text.slice(length).trim() };
}

/** The entities that mention this bot: "@bot" (any case) or a text_mention of its user id. */
export function botMentions(text: string, entities: readonly Entity[], bot: { username: string; id: number }): Entity[] {
  const handle = `@${bot.username}`.toLowerCase();
  return entities.filter((e) => (e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) || (e.type === 'text_mention' && e.userId === bot.id));
}

/** The text with the given entities cut out and the spaces around them collapsed. */
export function withoutEntities(text: string, cut: readonly Entity[]): string {
  let out = '';
  let pos = 0;
  for (const e of [...cut].sort((a, b) => a.offset - b.offset)) {
    out += `${text.slice(pos, e.offset)} `;
    pos = e.offset + e.length;
  }
  return (out + text.slice(pos)).replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim();
}

/** A link members can open: public supergroups by username, private ones by their internal id. */
function permalink(chat: Chat, messageId: number): string | null {
  if (chat.type !== 'supergroup') return null;
  if (chat.username) return `https://t.me/${chat.username}/${messageId}`;
  return String(chat.id).startsWith('-100') ? `https://t.me/c/${String(chat.id).slice(4)}/${messageId}` : null;
}

const IN_CHAT = ['creator', 'administrator', 'member', 'restricted'];
/** Commands of the private chat; in a group the bot points there. */
const PRIVATE_COMMANDS = ['start', 'new', 'tickets', 'help'];
const NOTHING: Parsed = { events: [], local: [] };

export function createTelegramParser(deps: ParseDeps) {
  const ws = deps.workspaceId;

  function person(u: TgUser): ChatPerson {
    const ref = { platform: PLATFORM, workspaceId: ws, platformUserId: String(u.id) };
    const lang = toLocale(u.languageCode);
    const locale = u.languageCode && (LOCALES as readonly string[]).includes(u.languageCode.slice(0, 2).toLowerCase()) ? lang : null;
    // Telegram vouches for no email: a person is known to the help center only once they registered with a code.
    return { ...ref, profile: async () => ({ ...ref, displayName: u.name, verifiedEmail: null, locale }) };
  }

  const place = (chat: Chat, threadRef: string | null): ChatPlace => ({ platform: PLATFORM, workspaceId: ws, chatId: String(chat.id), threadRef, direct: chat.type === 'private' });
  const events = (...e: ChatEvent[]): Parsed => ({ events: e, local: [] });

  function local(from: TgUser, where: ChatPlace, message: TelegramMessage, o: { to?: 'actor' | 'place'; replaces?: string | null; brief?: boolean } = {}): LocalReply {
    const locale: Locale = toLocale(from.languageCode);
    return { to: o.to ?? 'actor', place: where, actor: { platform: PLATFORM, workspaceId: ws, platformUserId: String(from.id) }, locale, message, replaces: o.replaces ?? null, brief: o.brief ?? false };
  }

  async function onMessage(m: TgMessage): Promise<Parsed> {
    const bot = deps.bot();
    const { chat, from } = m;
    // An anonymous group admin writes as the group itself (sender_chat), which only admins can do.
    const anonymousAdmin = chat.type !== 'private' && m.senderChatId === chat.id;
    if (chat.type === 'channel' || !from || (from.isBot && !anonymousAdmin)) return NOTHING;
    const actor = person(from);
    const here = place(chat, null);
    const messageId = messageRef(chat.id, [m.id]);
    const command = parseCommand(m.text, m.entities, bot.username);
    if (command.kind === 'foreign') return NOTHING;

    if (chat.type === 'private') {
      if (command.kind === 'command') {
        const { name, payload } = command;
        if (name === 'start' && payload) return events({ type: 'registration', place: here, actor, code: payload });
        if (name === 'new') return events({ type: 'draft_changed', place: here, actor, draftId: null, set: {}, submit: false, cancel: false, stepMessageId: null });
        if (name === 'tickets') return events({ type: 'my_tickets', place: here, actor });
        if (name === 'login') return events({ type: 'sign_in_wanted', place: here, actor });
        return events({ type: 'help_wanted', place: here, actor });
      }
      // Stickers, locations, dice: nothing a ticket could hold.
      if (m.text.trim() === '' && m.files.length === 0) return NOTHING;
      const repliesTo = m.replyTo?.from?.id === bot.id ? [messageRef(chat.id, [m.replyTo.id])] : [];
      return events({ type: 'message', place: here, messageId, author: actor, text: m.text, files: m.files, mentionsBot: false, repliesTo });
    }

    if (command.kind === 'command') {
      const { name, payload } = command;
      if (name === 'config') return events({ type: 'chat_config_wanted', place: here, actor, byAdmin: anonymousAdmin || (await deps.isAdmin(chat.id, from.id)) });
      if (name === 'start' && payload) return events({ type: 'registration', place: here, actor, code: payload });
      if (name === 'login') return events({ type: 'sign_in_wanted', place: here, actor });
      if (PRIVATE_COMMANDS.includes(name)) return { events: [], local: [local(from, here, notice('telegram:group.use_private'), { to: 'place' })] };
      return NOTHING;
    }
    const mentions = botMentions(m.text, m.entities, bot);
    const text = withoutEntities(m.text, mentions);
    // In forum topics Telegram fills reply_to_message with the topic's root even when nobody replied.
    const replied = m.replyTo && m.replyTo.id !== m.topicId ? m.replyTo : null;
    if (replied?.from?.id === bot.id) {
      // An answer to one of the bot's messages: its own message is where a follow-up would live.
      const repliesTo = [messageRef(chat.id, [replied.id])];
      return events({ type: 'message', place: place(chat, String(m.id)), messageId, author: actor, text, files: m.files, mentionsBot: mentions.length > 0, repliesTo });
    }
    if (mentions.length === 0) return NOTHING;
    const source = replied && replied.text.trim() !== '' ? replied : { ...m, text };
    return events({
      type: 'request_wanted',
      place: place(chat, String(source.id)),
      actor,
      source: { messageId: messageRef(chat.id, [source.id]), text: source.text, files: source.files, url: permalink(chat, source.id) },
      submitNow: true,
    });
  }

  async function onPress(q: TgPress): Promise<Parsed> {
    const actor = person(q.from);
    const chat: Chat = q.message?.chat ?? { id: q.from.id, type: 'private', username: null };
    const here = place(chat, null);
    const pressed = q.message ? messageRef(chat.id, [q.message.id]) : null;
    const a = decodeButton(q.data);
    if (!a) return { events: [], local: [local(q.from, here, notice('telegram:error.button_unknown'), { brief: true })] };
    const act = (ticketNumber: number, action: Extract<ChatEvent, { type: 'ticket_action' }>['action']) =>
      events({ type: 'ticket_action', place: here, actor, ticketNumber, action, pressedMessageId: pressed });
    switch (a.kind) {
      case 'menu':
        if (a.item === 'new') return events({ type: 'draft_changed', place: here, actor, draftId: null, set: {}, submit: false, cancel: false, stepMessageId: null });
        return events(a.item === 'tickets' ? { type: 'my_tickets', place: here, actor } : { type: 'help_wanted', place: here, actor });
      case 'draft':
        return events({ type: 'draft_changed', place: here, actor, draftId: a.draftId, set: a.set ?? {}, submit: a.submit === true, cancel: a.cancel === true, stepMessageId: pressed });
      case 'rate':
        return act(a.ticket, { kind: 'rate', score: a.score, comment: null });
      case 'group_service': {
        const byAdmin = chat.type !== 'private' && (await deps.isAdmin(chat.id, q.from.id));
        return events({ type: 'chat_service_chosen', place: here, actor, serviceId: a.serviceId, byAdmin, pressedMessageId: pressed });
      }
      case 'ticket': {
        const n = a.ticket;
        const asked = { detail: 'show_detail', comment: 'ask_comment', comments: 'show_comments', skip: 'skip_rating_comment' } as const;
        if (a.op in asked) return act(n, { kind: asked[a.op as keyof typeof asked] });
        if (a.op === 'reopen') return { events: [], local: [local(q.from, here, { kind: 'reopen_confirm', number: n })] };
        if (a.op === 'reopen_no') return { events: [], local: [local(q.from, here, notice('telegram:reopen.kept', { number: n }), { replaces: pressed })] };
        // Yes: the question loses its buttons, and the core asks for the reason.
        return { ...act(n, { kind: 'ask_reopen_reason' }), local: [local(q.from, here, notice('telegram:reopen.confirm', { number: n }), { replaces: pressed })] };
      }
    }
  }

  return async function parseUpdate(u: TgUpdate): Promise<Parsed> {
    if (u.message) return onMessage(u.message);
    if (u.press) return onPress(u.press);
    const e = u.edited;
    if (e?.from && !e.from.isBot && e.chat.type !== 'channel') {
      const text = withoutEntities(e.text, botMentions(e.text, e.entities, deps.bot()));
      return events({ type: 'message_edited', place: place(e.chat, null), messageId: messageRef(e.chat.id, [e.id]), author: person(e.from), text });
    }
    const c = u.membership;
    if (!c || (c.chat.type !== 'group' && c.chat.type !== 'supergroup') || !IN_CHAT.includes(c.now)) return NOTHING;
    // Greeted when added, and again when made an administrator (which lets it see every message).
    const promoted = c.now === 'administrator' && c.was !== 'administrator';
    if (!promoted && IN_CHAT.includes(c.was)) return NOTHING;
    return { events: [], local: [local(c.from, place(c.chat, null), notice(promoted ? 'telegram:group.promoted' : 'telegram:group.added'), { to: 'place' })] };
  };
}
