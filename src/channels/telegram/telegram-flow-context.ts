/**
 * What every Telegram flow gets: the core (DeskPort), a way to answer in a chat, who is acting, and the dialog
 * state, which lives in the core (never in memory) so a restart or a second instance continues the conversation.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { isDomainError } from '../../core/errors.ts';
import { toLocale, type Locale } from '../../core/locale.ts';
import type { ThreadTarget } from '../../core/ports/channel-port.ts';
import type { ChatProfile, ChatUserRef, DeskPort, DeskUser } from '../../core/ports/desk-port.ts';
import { TICKET_PRIORITIES } from '../../core/tickets/ticket-types.ts';
import { allCatalogs, t } from '../../i18n/catalog.ts';
import type { ChatIo } from './telegram-chat-io.ts';

export const PLATFORM = 'telegram';

export interface FlowDeps {
  desk: DeskPort;
  io: ChatIo;
  logger: Logger;
  /** The bot's id: Telegram's "workspace" (one bot, one namespace of chats and users). */
  workspaceId: string;
}

export interface TgFrom {
  id: number;
  first_name: string;
  last_name?: string | undefined;
  username?: string | undefined;
  language_code?: string | undefined;
}

export interface Actor {
  from: TgFrom;
  locale: Locale;
  ref: ChatUserRef;
  profile: ChatProfile;
  /** The private chat with this person (in Telegram its id is the user id). */
  dmChatId: number;
}

export function actorOf(deps: FlowDeps, from: TgFrom): Actor {
  const ref: ChatUserRef = { platform: PLATFORM, workspaceId: deps.workspaceId, platformUserId: String(from.id) };
  const locale = toLocale(from.language_code);
  const displayName = [from.first_name, from.last_name].filter(Boolean).join(' ');
  return { from, locale, ref, profile: { ...ref, displayName, email: null, locale }, dmChatId: from.id };
}

/** The actor's locale: Telegram's language_code when the client sends one, else the help-center preference. */
export function withUserLocale(actor: Actor, user: DeskUser | null): Actor {
  if (actor.from.language_code || !user) return actor;
  return { ...actor, locale: user.locale, profile: { ...actor.profile, locale: user.locale } };
}

export function chatThread(deps: FlowDeps, chatId: number, threadRef: number | null, locale: Locale) {
  const thread: ThreadTarget & { locale: Locale } = {
    platform: PLATFORM,
    workspaceId: deps.workspaceId,
    chatId: String(chatId),
    threadRef: threadRef === null ? null : String(threadRef),
    locale,
  };
  return thread;
}

/** The person-facing text of a core refusal; null for anything that is not a DomainError (the caller rethrows). */
export function domainErrorText(e: unknown, locale: Locale, desk: Pick<DeskPort, 'minDescriptionLength'>): string | null {
  if (!isDomainError(e)) return null;
  // The only parameter a core refusal's sentence takes: the minimum the core itself states.
  const params = { min: desk.minDescriptionLength };
  const catalogs = allCatalogs();
  for (const key of [`error.${e.code}`, `telegram:error.${e.code}`]) {
    const [ns, k] = key.includes(':') ? (key.split(':') as [string, string]) : ['common', key];
    if (catalogs[ns]?.en[k] !== undefined) return t(locale, key, params);
  }
  return t(locale, 'error.generic');
}

const DraftFields = {
  serviceId: z.string().nullable(),
  serviceName: z.string().nullable(),
};

export const DialogStateSchema = z.discriminatedUnion('flow', [
  z.object({ flow: z.literal('new_service') }),
  z.object({ flow: z.literal('new_description'), ...DraftFields }),
  z.object({ flow: z.literal('new_priority'), ...DraftFields, description: z.string() }),
  z.object({
    flow: z.literal('new_confirm'),
    ...DraftFields,
    description: z.string(),
    priority: z.enum(TICKET_PRIORITIES),
  }),
  z.object({ flow: z.literal('comment'), ticket: z.number().int() }),
  z.object({ flow: z.literal('rating_comment'), ticket: z.number().int() }),
  z.object({ flow: z.literal('reopen_reason'), ticket: z.number().int() }),
]);

export type DialogState = z.infer<typeof DialogStateSchema>;

function stateRef(actor: Actor) {
  return { ...actor.ref, chatId: String(actor.dmChatId) };
}

/** Dialogs continue in the private chat, whichever chat a button was pressed in. */
export async function getState(deps: FlowDeps, actor: Actor): Promise<DialogState | null> {
  const raw = await deps.desk.getDialogState(stateRef(actor));
  if (raw === null) return null;
  const parsed = DialogStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export async function setState(deps: FlowDeps, actor: Actor, state: DialogState | null): Promise<void> {
  await deps.desk.setDialogState(stateRef(actor), state);
}

/** A pressed button: where it was, and its one answer (Telegram shows a spinner until it is answered). */
export interface Press {
  queryId: string;
  chatId: number;
  messageId: number;
  isPrivate: boolean;
  answer(text?: string, alert?: boolean): Promise<void>;
}

/**
 * Whether a description is long enough by the core's own minimum, so the wizard can say so at the prompt instead of
 * after three more steps. The core checks again on create (DomainError description_too_short) and is the one that
 * decides; this measures the way it does (trimmed, in UTF-16 units) so the two never disagree.
 */
export function longEnough(desk: Pick<DeskPort, 'minDescriptionLength'>, text: string): boolean {
  return text.trim().length >= desk.minDescriptionLength;
}

/** The first line of a description, short enough to be a subject. */
export function subjectOf(description: string): string {
  const firstLine = description.trim().split('\n')[0]!.trim();
  const chars = [...firstLine];
  return chars.length <= 80 ? firstLine : `${chars.slice(0, 79).join('')}…`;
}
