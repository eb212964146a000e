/**
 * The Lark (and Feishu) channel: what src/main.ts wires. `createLarkChannel(config, deps)` returns the adapter (parse
 * into ChatEvents, tell the chat service's answers, deliver what the sync engine carries), the routes
 * (POST /lark/events, POST /lark/cards) and a start hook that learns the bot's own open_id.
 *
 * Every send passes the delivery key as Lark's `uuid`, so a retry after a crash (between Lark's answer and our
 * commit) returns the message already posted instead of a second one; that is why there is no findDelivered.
 */
import type { ChatPerson, ChatProfile } from '../../core/chat/chat-events.ts';
import type { ChatReply } from '../../core/chat/chat-service.ts';
import { toLocale } from '../../core/locale.ts';
import { ChannelSendError, type ChannelAdapter, type ChannelLimits, type ReplyContext } from '../../core/ports/channel-port.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { lark as larkMessages } from '../../i18n/messages/lark.ts';
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import { createLarkApi, larkUuid, type LarkApi, type LarkFileMessage, type LarkProfileData } from './lark-api.ts';
import { parseLarkEvent, PLATFORM } from './lark-parse.ts';
import { asCard, renderMessage } from './lark-render.ts';
import { larkRoutes } from './lark-routes.ts';
import { decodeCardAction } from './lark-schemas.ts';

export interface LarkChannelConfig {
  appId: string;
  appSecret: string;
  /** LARK_DOMAIN: https://open.larksuite.com, https://open.feishu.cn, or a local fake. */
  domain: string;
  verificationToken?: string | undefined;
  encryptKey?: string | undefined;
  /** Timeout of one Open API call; defaults to 10 s. */
  requestTimeoutMs?: number;
}

/**
 * Lark: 5 QPS per chat shared by the bots in it, 50/s and 1000/min per app for sends; a text message body may be
 * 150 KB (30,000 characters stay under it even in 4-byte UTF-8), a card 30 KB.
 */
export const LARK_LIMITS: ChannelLimits = { maxMessageLength: 30_000, perChatIntervalMs: 200, perGroupPerMinute: 0, globalPerSecond: 50, ephemeral: true, buttons: true, forms: true };

const PROFILE_TTL_MS = 10 * 60_000;

/** Lark takes images up to 10 MB (sent as images) and files up to 30 MB, none empty. */
const IMAGE_LIMIT = 10 * 1024 * 1024;
const FILE_LIMIT = 30 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff', 'image/bmp', 'image/x-icon']);

/** A handler of a call's failure: `value` when Lark refused for good, else the failure again (to be retried). */
const orPermanent =
  <T>(value: T) =>
  (e: unknown): T => {
    if (e instanceof ChannelSendError && e.kind === 'permanent') return value;
    throw e;
  };

/** People as the contact API knows them, cached for a few minutes; an account the app may not read is anonymous. */
function createPeople(api: Pick<LarkApi, 'getUser'>) {
  const cache = new Map<string, { data: LarkProfileData; until: number }>();
  async function lookup(openId: string): Promise<LarkProfileData> {
    const hit = cache.get(openId);
    if (hit && hit.until > Date.now()) return hit.data;
    // Out of the app's range or no contact scope: Lark will not tell, now or later. Anything else is retried.
    const data = await api.getUser(openId).catch(orPermanent<LarkProfileData>({ name: null, email: null, locale: null }));
    cache.set(openId, { data, until: Date.now() + PROFILE_TTL_MS });
    return data;
  }
  return (workspaceId: string, openId: string): ChatPerson => {
    const ref = { platform: PLATFORM, workspaceId, platformUserId: openId };
    return {
      ...ref,
      profile: async (): Promise<ChatProfile> => {
        const p = await lookup(openId);
        // A workspace profile's email is the tenant's directory, which the person cannot type into.
        return { ...ref, displayName: p.name ?? openId, verifiedEmail: p.email, locale: p.locale ? toLocale(p.locale) : null };
      },
    };
  };
}

/**
 * Tells one answer of the chat service. An answer to a request form's Submit shows on the form itself (through the
 * card's update token); in a group, once the request is in, the form goes (the confirmation is in the thread).
 */
async function tell(api: LarkApi, reply: ChatReply, ctx: ReplyContext): Promise<void> {
  const out = renderMessage(reply.message, reply.locale);
  const uuid = larkUuid(ctx.deliveryKey);
  const pressed = decodeCardAction(ctx.envelope.payload);
  const actor = reply.actor?.platformUserId ?? null;
  if (reply.to === 'actor' && pressed?.value?.op === 'submit' && actor) {
    if (reply.message.kind === 'request_done' && !reply.place.direct && pressed.messageId) return api.deleteEphemeral(pressed.messageId);
    const card = { ...asCard(out, reply.locale), open_ids: [actor] };
    // A token spent (two uses) or expired is refused for good: then it is said as any other answer.
    if (pressed.cardToken && (await api.updateCardByToken(pressed.cardToken, card).then(() => true, orPermanent(false)))) return;
  }
  if (reply.replaces) return api.edit(reply.replaces, out);
  const { place } = reply;
  if (reply.to === 'place' || !actor) {
    await api.post(place.chatId, place.threadRef, out, uuid);
    return;
  }
  if (!place.direct && place.chatId) {
    // Ephemeral cards are for groups only, and Lark's card callbacks do not say what the chat is.
    if (await api.sendEphemeral(place.chatId, actor, asCard(out, reply.locale)).then(() => true, orPermanent(false))) return;
  }
  await api.send('open_id', actor, out, uuid);
}

export function createLarkChannel(config: LarkChannelConfig, deps: ChannelDeps): ChannelModule {
  // The config refuses this already; a channel built by hand must not run open either.
  if (!config.verificationToken && !config.encryptKey) throw new Error('Lark needs a verification token or an encrypt key to authenticate its requests');
  registerMessages('lark', larkMessages);
  const chat = deps.chat;
  const logger = deps.logger.child({ channel: 'lark' });
  // The SDK joins `${domain}/open-apis/...`; a trailing slash would double it.
  const domain = config.domain.replace(/\/+$/, '');
  const api = createLarkApi({ appId: config.appId, appSecret: config.appSecret, domain, timeoutMs: config.requestTimeoutMs ?? 10_000, logger });
  const person = createPeople(api);

  let botId: Promise<string> | null = null;
  const botOpenId = () => (botId ??= api.botOpenId().catch((e: unknown) => {
    botId = null;
    throw e;
  }));

  const adapter: ChannelAdapter = {
    platform: PLATFORM,
    limits: LARK_LIMITS,
    parse: (envelope) => parseLarkEvent(envelope.payload, { botOpenId, person, draft: (id, owner) => chat.drafts.read(id, owner) }),
    tell: (reply, ctx) => tell(api, reply, ctx),
    async post(target, message, ctx) {
      // reply_in_thread keeps the conversation in the ticket's thread (a topic reply to the thread's root).
      return { messageId: await api.post(target.chatId, target.threadRef, renderMessage(message, ctx.locale), larkUuid(ctx.deliveryKey)) };
    },
    async sendDirect(user, message, ctx) {
      const sent = await api.send('open_id', user.platformUserId, renderMessage(message, ctx.locale), larkUuid(ctx.deliveryKey));
      return { messageId: sent.messageId, ...(sent.chatId ? { chatId: sent.chatId } : {}) };
    },
    update: (_target, messageId, message, ctx) => api.edit(messageId, renderMessage(message, ctx.locale)),
    delete: (_target, messageId) => api.delete(messageId),

    fetchFile(file, maxBytes) {
      const ref = file.fetchRef ?? {};
      const type = ref['type'] === 'image' ? 'image' : 'file';
      if (!ref['messageId'] || !ref['fileKey']) return Promise.reject(new ChannelSendError('permanent', 'lark: the file has no message and key to fetch it by'));
      return api.resource(ref['messageId'], ref['fileKey'], type, maxBytes);
    },

    /**
     * Each file uploaded (im/v1/images or im/v1/files), then sent as its own message into the thread. The message's
     * uuid is the delivery's and the file's, so a retry after a crash finds the message Lark already posted.
     */
    async postFiles(target, files, ctx) {
      const refused = files.find((f) => f.size === 0 || f.size > FILE_LIMIT);
      if (refused) throw new ChannelSendError('permanent', refused.size === 0 ? `lark: ${refused.name} is empty` : `lark: ${refused.name} is larger than Lark's 30 MB file limit`);
      const sent = [];
      for (const f of files) {
        const asImage = IMAGE_TYPES.has(f.contentType) && f.size <= IMAGE_LIMIT;
        const out: LarkFileMessage = { msgType: asImage ? 'image' : 'file', key: await api.upload(f, asImage ? 'image' : 'file') };
        sent.push({ messageId: await api.post(target.chatId, target.threadRef, out, larkUuid(`${ctx.deliveryKey}:${f.id}`)) });
      }
      return sent;
    },
  };

  return {
    adapter,
    // A member whose verified profile email is a customer's is linked on their first message; others send the code.
    accountLinking: { platform: 'lark', codeMessage: (code: string) => `link ${code}`, linksByProfileEmail: true },
    routes: larkRoutes({ secrets: { encryptKey: config.encryptKey, verificationToken: config.verificationToken }, inbox: deps.inbox, logger, chat, person }),
    async start() {
      try {
        await botOpenId();
        logger.info('lark channel ready');
      } catch (e) {
        // Not fatal: events wait in the inbox and are retried until the bot's identity is known.
        logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'lark: could not learn the bot identity yet');
      }
    },
  };
}
