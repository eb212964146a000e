/**
 * A private chat with the bot: /start <code> registration, the registration gate (an unregistered person is told
 * how to register and can do nothing else), the menu and help, and plain messages that answer the bot's prompts.
 */
import type { DeskUser } from '../../core/ports/desk-port.ts';
import { startNewRequest, receiveDescription } from './telegram-new-request-flow.ts';
import {
  domainErrorText,
  getState,
  PLATFORM,
  setState,
  withUserLocale,
  type Actor,
  type FlowDeps,
} from './telegram-flow-context.ts';
import { escapeHtml } from './telegram-html.ts';
import { menuKeyboard, tx } from './telegram-render.ts';
import { listTickets, receiveComment, receiveRatingComment, receiveReopenReason } from './telegram-ticket-flow.ts';

export interface IncomingMessage {
  chatId: number;
  messageId: number;
  /** Text or caption; null for messages without either (stickers, photos without caption...). */
  text: string | null;
  /** A leading /command addressed to this bot. */
  command: { name: string; payload: string } | null;
}

export async function sendRegistrationHelp(deps: FlowDeps, actor: Actor, botUsername: string): Promise<void> {
  await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:register.how', { bot: botUsername }) });
}

export async function sendMenu(deps: FlowDeps, actor: Actor, lead?: string): Promise<void> {
  const title = tx(actor.locale, 'telegram:menu.title');
  await deps.io.send(actor.dmChatId, { html: lead ? `${lead}\n\n${title}` : title, keyboard: menuKeyboard(actor.locale) });
}

export async function sendHelp(deps: FlowDeps, actor: Actor, botUsername: string): Promise<void> {
  await deps.io.send(actor.dmChatId, {
    html: tx(actor.locale, 'telegram:help.text', { bot: botUsername, min: deps.desk.minDescriptionLength }),
    keyboard: menuKeyboard(actor.locale),
  });
}

async function register(deps: FlowDeps, actor: Actor, code: string): Promise<void> {
  try {
    const user = await deps.desk.linkWithCode(actor.profile, code);
    await setState(deps, actor, null);
    await sendMenu(deps, withUserLocale(actor, user), tx(actor.locale, 'telegram:register.done', { name: user.name, email: user.email }));
  } catch (e) {
    const text = domainErrorText(e, actor.locale, deps.desk);
    if (text === null) throw e;
    await deps.io.send(actor.dmChatId, { html: escapeHtml(text) });
  }
}

export async function onPrivateMessage(
  deps: FlowDeps,
  anonymous: Actor,
  msg: IncomingMessage,
  botUsername: string,
): Promise<void> {
  const code = msg.command?.name === 'start' ? msg.command.payload.trim() : '';
  if (code) return register(deps, anonymous, code);
  const user = await deps.desk.findLinkedUser(anonymous.ref);
  if (!user) return sendRegistrationHelp(deps, anonymous, botUsername);
  const actor = withUserLocale(anonymous, user);
  if (msg.command) return onCommand(deps, actor, user, msg.command.name, botUsername);
  if (msg.text === null || msg.text.trim() === '') {
    await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:text_only') });
    return;
  }
  const text = msg.text.trim();
  const state = await getState(deps, actor);
  switch (state?.flow) {
    case 'new_description':
      return receiveDescription(deps, actor, state, text);
    case 'comment':
      // The comment's platform message, as every channel names it (<platform>:<workspace>:<chat>:<message>).
      return receiveComment(deps, actor, user, state.ticket, text, `${PLATFORM}:${deps.workspaceId}:${msg.chatId}:${msg.messageId}`);
    case 'rating_comment':
      return receiveRatingComment(deps, actor, user, state.ticket, text);
    case 'reopen_reason':
      return receiveReopenReason(deps, actor, user, state.ticket, text);
    default:
      // Waiting for a button (or for nothing): plain text has no meaning here, so show the way forward.
      return sendMenu(deps, actor, tx(actor.locale, 'telegram:menu.hint'));
  }
}

async function onCommand(deps: FlowDeps, actor: Actor, user: DeskUser, name: string, botUsername: string) {
  // A command abandons whatever the bot was waiting for.
  await setState(deps, actor, null);
  switch (name) {
    case 'new':
      return startNewRequest(deps, actor);
    case 'tickets':
      return listTickets(deps, actor, user);
    case 'help':
      return sendHelp(deps, actor, botUsername);
    case 'config':
      await deps.io.send(actor.dmChatId, { html: tx(actor.locale, 'telegram:group.config_in_group', { bot: botUsername }) });
      return;
    default:
      return sendMenu(deps, actor);
  }
}
