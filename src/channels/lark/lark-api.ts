/**
 * The Open API calls this channel makes, through the SDK client. Each call either returns the parsed `data` or
 * throws a ChannelSendError the sync engine can act on.
 */
import { AppType, Client, LoggerLevel } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ChannelSendError } from '../../core/ports/channel-port.ts';
import { failureOf, isTokenFailure, LARK_CODES, toChannelSendError, type LarkFailure } from './lark-errors.ts';
import { createFetchHttpInstance, responseHeaders, sdkLogger, TokenCache } from './lark-http.ts';
import {
  apiResponseSchema,
  botInfoSchema,
  contactUserSchema,
  sentMessageDataSchema,
} from './lark-schemas.ts';

export type ReceiveIdType = 'chat_id' | 'open_id';

/** What we send: msg_type plus its content object (JSON-stringified on the wire, as Lark requires). */
export type LarkOutbound = { msgType: 'interactive'; card: Record<string, unknown> } | { msgType: 'text'; text: string };

export function contentOf(out: LarkOutbound): string {
  return out.msgType === 'text' ? JSON.stringify({ text: out.text }) : JSON.stringify(out.card);
}

export interface LarkProfileData {
  name: string | null;
  email: string | null;
  locale: string | null;
}

export class LarkApi {
  constructor(
    private readonly client: Client,
    private readonly tokens: TokenCache,
  ) {}

  private fail(f: LarkFailure): ChannelSendError {
    // A rejected tenant token stays in the cache until it expires unless we drop it.
    if (isTokenFailure(f)) this.tokens.clear();
    return toChannelSendError(f);
  }

  /** `done` lists error codes that mean the wanted state already holds (e.g. deleting a deleted message). */
  private async call(run: () => Promise<unknown>, done: readonly number[] = []): Promise<unknown> {
    let res: unknown;
    try {
      res = await run();
    } catch (e) {
      const f = failureOf(e);
      if (f.code !== null && done.includes(f.code)) return undefined;
      throw this.fail(f);
    }
    const env = apiResponseSchema.safeParse(res);
    if (!env.success) throw this.fail({ status: 200, code: null, msg: 'answer is not a Lark envelope' });
    if (env.data.code !== 0 && done.includes(env.data.code)) return undefined;
    if (env.data.code !== 0) {
      const headers = res && typeof res === 'object' ? responseHeaders.get(res) : undefined;
      throw this.fail({ status: 200, code: env.data.code, msg: env.data.msg ?? '', headers });
    }
    return env.data.data;
  }

  private async callData<T>(schema: z.ZodType<T>, run: () => Promise<unknown>): Promise<T> {
    const data = await this.call(run);
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw this.fail({ status: 200, code: null, msg: 'unexpected answer shape' });
    return parsed.data;
  }

  /** `uuid` is Lark's idempotency key: the same uuid within an hour returns the first message instead of a new one. */
  async send(receiveIdType: ReceiveIdType, receiveId: string, out: LarkOutbound, uuid?: string): Promise<string> {
    return (await this.sendMessage(receiveIdType, receiveId, out, uuid)).messageId;
  }

  /** As send, also saying which chat the message landed in (for open_id, the private chat Lark chose). */
  async sendMessage(receiveIdType: ReceiveIdType, receiveId: string, out: LarkOutbound, uuid?: string): Promise<{ messageId: string; chatId: string | null }> {
    const data = await this.callData(sentMessageDataSchema, () =>
      this.client.im.v1.message.create({
        params: { receive_id_type: receiveIdType },
        data: { receive_id: receiveId, msg_type: out.msgType, content: contentOf(out), ...(uuid ? { uuid } : {}) },
      }),
    );
    return { messageId: data.message_id, chatId: data.chat_id ?? null };
  }

  async reply(messageId: string, out: LarkOutbound, uuid?: string): Promise<string> {
    const data = await this.callData(sentMessageDataSchema, () =>
      this.client.im.v1.message.reply({
        path: { message_id: messageId },
        data: { msg_type: out.msgType, content: contentOf(out), reply_in_thread: true, ...(uuid ? { uuid } : {}) },
      }),
    );
    return data.message_id;
  }

  /** Cards are edited with PATCH; text with PUT. */
  async edit(messageId: string, out: LarkOutbound): Promise<void> {
    if (out.msgType === 'interactive') {
      await this.call(() =>
        this.client.im.v1.message.patch({ path: { message_id: messageId }, data: { content: contentOf(out) } }),
      );
    } else {
      await this.call(() =>
        this.client.im.v1.message.update({
          path: { message_id: messageId },
          data: { msg_type: 'text', content: contentOf(out) },
        }),
      );
    }
  }

  /** Idempotent: a message that is already withdrawn counts as deleted. */
  async delete(messageId: string): Promise<void> {
    await this.call(() => this.client.im.v1.message.delete({ path: { message_id: messageId } }), [LARK_CODES.messageRecalled]);
  }

  /** A card only `openId` sees in a group chat (the SDK has no helper for this endpoint). */
  async sendEphemeral(chatId: string, openId: string, card: Record<string, unknown>): Promise<string> {
    const data = await this.callData(sentMessageDataSchema, () =>
      this.client.request({
        method: 'POST',
        url: '/open-apis/ephemeral/v1/send',
        data: { chat_id: chatId, open_id: openId, msg_type: 'interactive', card },
      }),
    );
    return data.message_id;
  }

  async deleteEphemeral(messageId: string): Promise<void> {
    await this.call(
      () => this.client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/delete', data: { message_id: messageId } }),
      [LARK_CODES.messageRecalled],
    );
  }

  /** Delayed update of the card a callback came from; the token lives 30 minutes and works twice. */
  async updateCardByToken(token: string, card: Record<string, unknown>): Promise<void> {
    await this.call(() =>
      this.client.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card } }),
    );
  }

  async getUser(openId: string): Promise<LarkProfileData> {
    const data = await this.callData(contactUserSchema, () =>
      this.client.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
    );
    const u = data.user;
    return {
      name: u.name || u.en_name || null,
      email: u.email || u.enterprise_email || null,
      locale: u.locale || null,
    };
  }

  /** The bot's own open_id, to recognise its mentions and its own messages. */
  async botOpenId(): Promise<string> {
    let res: unknown;
    try {
      res = await this.client.request({ method: 'GET', url: '/open-apis/bot/v3/info' });
    } catch (e) {
      throw this.fail(failureOf(e));
    }
    const parsed = botInfoSchema.safeParse(res);
    if (!parsed.success || parsed.data.code !== 0 || !parsed.data.bot) {
      throw this.fail({ status: 200, code: parsed.success ? parsed.data.code : null, msg: 'bot info unavailable' });
    }
    return parsed.data.bot.open_id;
  }
}

/**
 * The SDK client this channel uses: its own token cache (the SDK's default is shared process-wide per app id), a
 * fetch transport with a timeout, and a logger that never prints request configs.
 */
export function createLarkApi(opts: {
  appId: string;
  appSecret: string;
  /** Open API base without a trailing slash. */
  domain: string;
  timeoutMs: number;
  logger: Logger;
}): LarkApi {
  const tokens = new TokenCache();
  const client = new Client({
    appId: opts.appId,
    appSecret: opts.appSecret,
    appType: AppType.SelfBuild,
    domain: opts.domain,
    cache: tokens,
    httpInstance: createFetchHttpInstance({ timeoutMs: opts.timeoutMs }),
    logger: sdkLogger(opts.logger),
    loggerLevel: LoggerLevel.warn,
  });
  return new LarkApi(client, tokens);
}
