/**
 * A received chat message, processed from the inbox: a reply in a ticket's thread becomes a comment; a mention of
 * the bot in a group (or any message in a private chat) opens the request form for its author.
 */
import { isDomainError } from '../../core/errors.ts';
import type { ThreadTarget } from '../../core/ports/channel-port.ts';
import { requestFormCard } from './lark-cards.ts';
import { errorText, larkRef, tellUser, type LarkContext } from './lark-context.ts';
import { firstLine } from './lark-form.ts';
import { PLATFORM } from './lark-profile.ts';
import { messageRecalledSchema, messageReceiveSchema, type CreateTicketValue } from './lark-schemas.ts';
import { extractMessage } from './lark-text.ts';
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
