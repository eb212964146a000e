/**
 * A stored Lark event in the shared vocabulary (ChatEvent). Platform facts only: who, where, what a person sees,
 * which bot message it replies to; the chat service decides what it means.
 *
 * - A thread reply (root_id) is a `message` in that thread; in a private chat it also names the bot messages it
 *   answers (a ticket's direct notification is the root of the thread a reply opens under it).
 * - A group message that mentions the bot outside a thread, and any other private message, asks for help about
 *   itself; the ticket's thread is the message's own.
 * - "link <code>", "login" and "tickets" (in a private chat, or to the bot in a group) register the account, ask for a
 *   sign-in link and list the person's open requests.
 * - Card buttons: the request form's Submit, Rate and Return to work.
 * - im.message.updated_v1 (an edit; see README, Lark) and im.message.recalled_v1.
 */
import type { ChatEvent, ChatPerson, ChatPlace, DraftFields } from '../../core/chat/chat-events.ts';
import type { StoredDraft } from '../../core/ports/draft-repo.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { INPUT_MAX, NO_SERVICE } from './lark-cards.ts';
import { decodeCardAction, decodeMessage, decodeRecalled, eventTypeOf, type LarkCardAction } from './lark-schemas.ts';
import { seenMessage } from './lark-text.ts';

export const PLATFORM = 'lark';

/** The event types worth recording; everything else is acknowledged and dropped. */
export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set(['im.message.receive_v1', 'im.message.updated_v1', 'im.message.recalled_v1', 'card.action.trigger']);

export interface ParseDeps {
  /** The bot's open_id; throws (so the event is retried) while it cannot be learned. */
  botOpenId(): Promise<string>;
  person(tenantKey: string, openId: string): ChatPerson;
  /** A request draft, for its owner only (where it was asked, what it holds). */
  draft(id: string, owner: ChatPerson): Promise<StoredDraft | null>;
}

const LINK = /^\/?link\s+([A-Za-z0-9-]{4,64})$/i;
const SIGN_IN = /^\/?(login|log in|sign in|signin|登录|登入)$/i;
const MY_TICKETS = /^\/?(tickets|my tickets|我的工单)$/i;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The fields of a submitted request form. A description longer than Lark's input could hold was shown cut; when the
 * person left it as shown, the draft's whole description stands.
 */
export function formFields(form: Record<string, unknown>, draft: Pick<StoredDraft, 'description'>): DraftFields {
  const typed = str(form['description']);
  const service = str(form['service']).trim();
  const priority = str(form['priority']);
  return {
    subject: str(form['subject']),
    description: draft.description.length > INPUT_MAX && typed === draft.description.slice(0, INPUT_MAX) ? draft.description : typed,
    priority: (TICKET_PRIORITIES as readonly string[]).includes(priority) ? (priority as TicketPriority) : 'normal',
    serviceId: service === '' || service === NO_SERVICE ? null : service,
  };
}

async function onMessage(body: unknown, deps: ParseDeps, edited: boolean): Promise<ChatEvent[]> {
  const m = decodeMessage(body);
  // The bot's own messages (and other apps') come back as events too; they are never anyone's words.
  if (!m || m.senderType !== 'user' || !m.senderOpenId) return [];
  const bot = await deps.botOpenId();
  if (m.senderOpenId === bot) return [];
  const seen = seenMessage(m, bot);
  const author = deps.person(m.tenantKey, m.senderOpenId);
  const place = (threadRef: string | null): ChatPlace => ({ platform: PLATFORM, workspaceId: m.tenantKey, chatId: m.chatId, threadRef, direct: m.direct });
  if (edited) return [{ type: 'message_edited', place: place(m.rootId), messageId: m.messageId, author, text: seen.text }];

  if (m.direct || seen.mentionsBot) {
    const code = LINK.exec(seen.text)?.[1];
    if (code) return [{ type: 'registration', place: place(m.rootId), actor: author, code }];
    if (SIGN_IN.test(seen.text)) return [{ type: 'sign_in_wanted', place: place(m.rootId), actor: author }];
    if (MY_TICKETS.test(seen.text)) return [{ type: 'my_tickets', place: place(m.rootId), actor: author }];
  }
  if (m.rootId) {
    const repliesTo = [...new Set([m.parentId, m.rootId].filter((id): id is string => id !== null))];
    return [{ type: 'message', place: place(m.rootId), messageId: m.messageId, author, text: seen.text, files: seen.files, mentionsBot: seen.mentionsBot, repliesTo }];
  }
  if (!(m.direct || seen.mentionsBot) || (seen.text === '' && seen.files.length === 0)) return [];
  const source = { messageId: m.messageId, text: seen.text, files: seen.files, url: null };
  return [{ type: 'request_wanted', place: place(m.messageId), actor: author, source, submitNow: false }];
}

async function onCard(a: LarkCardAction, deps: ParseDeps): Promise<ChatEvent[]> {
  if (!a.value) return [];
  const actor = deps.person(a.tenantKey, a.operatorOpenId);
  // Lark does not say whether a card's chat is private; the tell falls back to the direct chat when it is.
  const place: ChatPlace = { platform: PLATFORM, workspaceId: a.tenantKey, chatId: a.chatId ?? '', threadRef: null, direct: false };
  switch (a.value.op) {
    case 'submit': {
      const draft = await deps.draft(a.value.d, actor);
      const fields = formFields(a.form, draft ?? { description: '' });
      return [{ type: 'request_submitted', place: draft?.place ?? place, actor, draftId: a.value.d, fields, draft }];
    }
    case 'rate': {
      const comment = str(a.form['comment']).trim();
      const action = { kind: 'rate' as const, score: Number(a.value.s), comment: comment === '' ? null : comment };
      return [{ type: 'ticket_action', place, actor, ticketNumber: Number(a.value.n), action, pressedMessageId: a.messageId }];
    }
    case 'reopen':
      return [{ type: 'ticket_action', place, actor, ticketNumber: Number(a.value.n), action: { kind: 'reopen', reason: str(a.form['reason']) }, pressedMessageId: a.messageId }];
  }
}

export async function parseLarkEvent(body: unknown, deps: ParseDeps): Promise<ChatEvent[]> {
  const card = decodeCardAction(body);
  if (card) return onCard(card, deps);
  switch (eventTypeOf(body)) {
    case 'im.message.receive_v1':
      return onMessage(body, deps, false);
    case 'im.message.updated_v1':
      return onMessage(body, deps, true);
    case 'im.message.recalled_v1': {
      const r = decodeRecalled(body);
      return r ? [{ type: 'message_deleted', place: { platform: PLATFORM, workspaceId: r.tenantKey, chatId: r.chatId, threadRef: null, direct: false }, messageId: r.messageId }] : [];
    }
    default:
      return [];
  }
}
