/**
 * A received chat message, processed from the inbox: a reply in a ticket's thread, or to a ticket's direct
 * notification in a private chat, becomes a comment; a mention of the bot in a group (or any other message in a
 * private chat) opens the request form for its author.
 */
import { isDomainError } from '../../core/errors.ts';
import type { ThreadTarget, TicketSummary } from '../../core/ports/channel-port.ts';
import { t } from '../../i18n/catalog.ts';
import { requestFormCard } from './lark-cards.ts';
import { errorText, larkRef, resolveUserId, tellUser, type LarkContext } from './lark-context.ts';
import { firstLine } from './lark-form.ts';
import { PLATFORM } from './lark-profile.ts';
import { messageRecalledSchema, messageReceiveSchema, type CreateTicketValue } from './lark-schemas.ts';
import { neutralizeText } from './lark-render.ts';
import { extractMessage, type ExtractedMessage } from './lark-text.ts';
import { larkUuid } from './lark-uuid.ts';

export async function handleMessageReceived(ctx: LarkContext, data: unknown): Promise<void> {
  const parsed = messageReceiveSchema.safeParse(data);
  if (!parsed.success) {
    ctx.logger.warn({ issues: parsed.error.issues.length }, 'lark: stored message event has an unexpected shape');
    return;
  }
  const { sender, message } = parsed.data;
  const senderId = sender.sender_id?.open_id;
  // The bot's own messages (and other apps') come back as events too; they are never synced.
  if (sender.sender_type !== 'user' || !senderId) return;
  const botId = await ctx.botOpenId();
  if (senderId === botId) return;

  const tenantKey = parsed.data.tenant_key ?? sender.tenant_key ?? '';
  const extracted = extractMessage({
    messageId: message.message_id,
    messageType: message.message_type,
    content: message.content,
    mentions: message.mentions ?? [],
    botOpenId: botId,
    domain: ctx.domain,
  });
  const isGroup = message.chat_type !== 'p2p';
  const rootId = message.root_id || null;

  if (rootId && (extracted.text.length > 0 || extracted.files.length > 0)) {
    const thread: ThreadTarget = { platform: PLATFORM, workspaceId: tenantKey, chatId: message.chat_id, threadRef: rootId };
    // The app reads every group message; only ticket threads are worth a profile lookup.
    if (await ctx.desk.isTicketThread(thread)) {
      const author = await ctx.profiles.profile(tenantKey, senderId);
      try {
        const added = await ctx.desk.addThreadReply({
          via: PLATFORM,
          thread,
          author,
          body: extracted.text,
          externalRef: larkRef(tenantKey, message.message_id),
          files: extracted.files,
        });
        if (added) return;
      } catch (e) {
        if (!isDomainError(e)) throw e;
        await tellUser(ctx, { chatId: isGroup ? message.chat_id : null, openId: senderId }, errorText(author.locale, e));
        return;
      }
    }
  }

  // A reply to one of the bot's direct notifications (top-level messages in the private chat) belongs to that ticket.
  if (!isGroup && rootId && (extracted.text.length > 0 || extracted.files.length > 0)) {
    const replyTo = [...new Set([message.parent_id, rootId].filter((id): id is string => Boolean(id)))];
    if (await commentOnBotMessage(ctx, { tenantKey, senderId, chatId: message.chat_id, messageId: message.message_id, replyTo, extracted })) return;
  }

  if (isGroup && !extracted.mentionsBot) return;

  const profile = await ctx.profiles.profile(tenantKey, senderId);
  const services = await ctx.desk.listServices();
  const chatService = isGroup
    ? await ctx.desk.getChatService({ platform: PLATFORM, workspaceId: tenantKey, chatId: message.chat_id })
    : null;
  const value: CreateTicketValue = {
    op: 'create_ticket',
    src: message.message_id,
    root: rootId ?? message.message_id,
    chat: message.chat_id,
    eph: isGroup ? '1' : '0',
    loc: profile.locale,
  };
  const form = requestFormCard(
    profile.locale,
    {
      subject: firstLine(extracted.text),
      description: extracted.text,
      priority: 'normal',
      serviceId: chatService?.id ?? null,
      email: profile.email ?? '',
    },
    services,
    value,
  );
  if (isGroup) {
    await ctx.api.sendEphemeral(message.chat_id, senderId, form);
  } else {
    // Ephemeral cards are group-only; in a private chat the form is an ordinary card, sent once per message.
    await ctx.api.send('chat_id', message.chat_id, { msgType: 'interactive', card: form }, larkUuid(`form:${message.message_id}`));
  }
}

/**
 * A reply to a message the bot delivered into a private chat (a ticket's direct notification) becomes the
 * requester's comment on that ticket. Lark threads such a reply under the bot's message, so the message replied to
 * (`parent_id`), else the thread's root, names the ticket. Returns false when neither is a delivered message of a
 * public ticket (the reply is then an ordinary private message). Attachments are kept as links in the comment.
 */
async function commentOnBotMessage(
  ctx: LarkContext,
  m: { tenantKey: string; senderId: string; chatId: string; messageId: string; replyTo: string[]; extracted: ExtractedMessage },
): Promise<boolean> {
  const find = ctx.desk.findTicketByBotMessage?.bind(ctx.desk);
  if (!find) return false;
  let ticket: TicketSummary | null = null;
  for (const messageId of m.replyTo) {
    ticket = await find({ platform: PLATFORM, workspaceId: m.tenantKey, messageId });
    if (ticket) break;
  }
  if (!ticket) return false;
  const body = [m.extracted.text, ...m.extracted.files.map((f) => `${f.name}: ${f.url}`)].filter((l) => l.length > 0).join('\n');
  try {
    const userId = await resolveUserId(ctx, m.tenantKey, m.senderId);
    const now = await ctx.desk.addRequesterComment({
      via: PLATFORM,
      ticketNumber: ticket.number,
      userId,
      body,
      externalRef: larkRef(m.tenantKey, m.messageId),
    });
    if (now.number !== ticket.number) await startedFollowUp(ctx, m, ticket.number, now);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const author = await ctx.profiles.profile(m.tenantKey, m.senderId);
    await tellUser(ctx, { chatId: null, openId: m.senderId }, errorText(author.locale, e));
  }
  return true;
}

/**
 * The ticket was closed, so the reply started a follow-up. It has no chat of its own yet: link this private chat so
 * its answers come here, and tell the person its number (once per message, through Lark's uuid).
 */
async function startedFollowUp(
  ctx: LarkContext,
  m: { tenantKey: string; senderId: string; chatId: string; messageId: string },
  closedNumber: number,
  followUp: TicketSummary,
): Promise<void> {
  const author = await ctx.profiles.profile(m.tenantKey, m.senderId);
  await ctx.desk.linkThread(followUp.number, { platform: PLATFORM, workspaceId: m.tenantKey, chatId: m.chatId, threadRef: '', locale: author.locale });
  const sentence = t(author.locale, 'lark:dm.follow_up', {
    closed: closedNumber,
    number: followUp.number,
    subject: followUp.subject,
    status: t(author.locale, `common:status.${followUp.status}`),
  });
  await ctx.api.send('chat_id', m.chatId, { msgType: 'text', text: neutralizeText(`${sentence}\n${followUp.url}`) }, larkUuid(`follow-up:${m.messageId}`));
}

export async function handleMessageRecalled(ctx: LarkContext, data: unknown): Promise<void> {
  const parsed = messageRecalledSchema.safeParse(data);
  if (!parsed.success) return;
  try {
    await ctx.desk.deleteThreadReply({ via: PLATFORM, externalRef: larkRef(parsed.data.tenant_key ?? '', parsed.data.message_id) });
  } catch (e) {
    // most recalled messages were never synced comments
    if (!isDomainError(e)) throw e;
  }
}
