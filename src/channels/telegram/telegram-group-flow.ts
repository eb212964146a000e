/**
 * Group mode: the bot is added and promoted (my_chat_member), an admin picks the group's service with
 * /config@<bot>, and registered members create tickets by mentioning the bot with a description or by replying to
 * a message with a mention. The ticket lives in the group (replies to the source message) and in the author's DM.
 */
import { isDomainError } from '../../core/errors.ts';
import { t } from '../../i18n/catalog.ts';
import { resolveServiceRef } from './telegram-callback-data.ts';
import {
  chatThread,
  domainErrorText,
  PLATFORM,
  subjectOf,
  withUserLocale,
  type Actor,
  type FlowDeps,
  type Press,
} from './telegram-flow-context.ts';
import { escapeHtml } from './telegram-html.ts';
import type { IncomingMessage } from './telegram-private-flow.ts';
import { serviceKeyboard, tx } from './telegram-render.ts';

export interface GroupMessage extends IncomingMessage {
  /** An anonymous group admin writes as the group itself (sender_chat), which only admins can do. */
  fromAnonymousAdmin: boolean;
  mentionsBot: boolean;
  /** The text with the bot's mentions taken out. */
  textWithoutMention: string;
  /** The message this one replies to, unless it is the bot's own or a forum topic's root. */
  replyTo: { messageId: number; text: string | null } | null;
}

const IN_CHAT = ['creator', 'administrator', 'member', 'restricted'];
const ADMIN = ['creator', 'administrator'];
const PRIVATE_COMMANDS = ['start', 'new', 'tickets', 'help'];

export async function onMyChatMember(
  deps: FlowDeps,
  actor: Actor,
  chatId: number,
  change: { from: string; to: string },
  botUsername: string,
): Promise<void> {
  if (!IN_CHAT.includes(change.to)) return;
  const promoted = change.to === 'administrator' && change.from !== 'administrator';
  if (!promoted && IN_CHAT.includes(change.from)) return;
  const key = promoted ? 'telegram:group.promoted' : 'telegram:group.added';
  await deps.io.send(chatId, { html: tx(actor.locale, key, { bot: botUsername }) });
}

async function isAdmin(deps: FlowDeps, chatId: number, userId: number): Promise<boolean> {
  const status = await deps.io.memberStatus(chatId, userId);
  return status !== null && ADMIN.includes(status);
}

export async function onGroupMessage(deps: FlowDeps, actor: Actor, msg: GroupMessage, botUsername: string) {
  const reply = (html: string) => deps.io.send(msg.chatId, { html }, { replyTo: msg.messageId });
  if (msg.command) {
    if (msg.command.name === 'config') return configure(deps, actor, msg, reply);
    if (PRIVATE_COMMANDS.includes(msg.command.name)) {
      await reply(tx(actor.locale, 'telegram:group.use_private', { bot: botUsername }));
    }
    return;
  }
  if (!msg.mentionsBot) return;
  const user = await deps.desk.findLinkedUser(actor.ref);
  if (!user) {
    await reply(tx(actor.locale, 'telegram:group.register_first', { name: actor.profile.displayName, bot: botUsername }));
    return;
  }
  const who = withUserLocale(actor, user);
  const source = msg.replyTo?.text ? { messageId: msg.replyTo.messageId, text: msg.replyTo.text } : null;
  const description = (source?.text ?? msg.textWithoutMention).trim();
  const sourceId = source?.messageId ?? msg.messageId;
  try {
    const service = await deps.desk.getChatService({ platform: PLATFORM, workspaceId: deps.workspaceId, chatId: String(msg.chatId) });
    const { ticket, created } = await deps.desk.createTicket({
      via: PLATFORM,
      requester: { chatUser: who.ref },
      subject: subjectOf(description),
      description,
      serviceId: service?.id ?? null,
      thread: chatThread(deps, msg.chatId, sourceId, who.locale),
      extraThreads: [chatThread(deps, who.dmChatId, null, who.locale)],
      // Two members mentioning the bot on the same message make one ticket.
      sourceKey: `${PLATFORM}:${deps.workspaceId}:${msg.chatId}:${sourceId}`,
    });
    if (!created) await reply(tx(who.locale, 'telegram:group.already', { number: ticket.number }));
  } catch (e) {
    // The core decides what is long enough; in a group the answer also says how a mention works.
    if (isDomainError(e) && e.code === 'description_too_short') {
      await reply(tx(who.locale, 'telegram:group.mention_too_short', { min: deps.desk.minDescriptionLength, bot: botUsername }));
      return;
    }
    const text = domainErrorText(e, who.locale, deps.desk);
    if (text === null) throw e;
    await reply(escapeHtml(text));
  }
}

async function configure(deps: FlowDeps, actor: Actor, msg: GroupMessage, reply: (html: string) => Promise<unknown>) {
  const admin = msg.fromAnonymousAdmin || (await isAdmin(deps, msg.chatId, actor.from.id));
  if (!admin) {
    await reply(tx(actor.locale, 'telegram:group.config_admins_only'));
    return;
  }
  const services = await deps.desk.listServices();
  if (services.length === 0) {
    await reply(tx(actor.locale, 'telegram:group.no_services'));
    return;
  }
  const current = await deps.desk.getChatService({ platform: PLATFORM, workspaceId: deps.workspaceId, chatId: String(msg.chatId) });
  const lead = current ? `${tx(actor.locale, 'telegram:group.config_current', { service: current.name })}\n` : '';
  await deps.io.send(
    msg.chatId,
    { html: `${lead}${tx(actor.locale, 'telegram:group.config_choose')}`, keyboard: serviceKeyboard(services, 'group_service') },
    { replyTo: msg.messageId },
  );
}

export async function chooseGroupService(deps: FlowDeps, actor: Actor, press: Press, ref: string): Promise<void> {
  if (press.isPrivate) return press.answer();
  if (!(await isAdmin(deps, press.chatId, actor.from.id))) {
    return press.answer(t(actor.locale, 'telegram:group.config_admins_only'), true);
  }
  const service = resolveServiceRef(await deps.desk.listServices(), ref);
  if (!service) return press.answer(t(actor.locale, 'telegram:new.service_gone'), true);
  await deps.desk.setChatService({ platform: PLATFORM, workspaceId: deps.workspaceId, chatId: String(press.chatId) }, service.id);
  await press.answer(t(actor.locale, 'telegram:group.config_done', { service: service.name }));
  await deps.io.edit(press.chatId, press.messageId, { html: tx(actor.locale, 'telegram:group.config_done', { service: service.name }) });
}
