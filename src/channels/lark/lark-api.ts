/**
 * The Open API calls this channel makes, through the SDK client. Each call either returns the parsed `data` or
 * throws a ChannelSendError the sync engine can act on.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppType, Client, DefaultCache, LoggerLevel } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { z } from 'zod';
import { FileTooLargeError, type FetchedFile, type OutboundFile } from '../../core/ports/channel-port.ts';
import { declaredSize, limitBytes } from '../shared/file-stream.ts';
import { FilePart } from '../shared/multipart.ts';
import { failureOf, isTokenFailure, LARK_CODES, toChannelSendError, type LarkFailure } from './lark-errors.ts';
import { createFetchHttpInstance, responseHeaders, sdkLogger } from './lark-http.ts';
import { apiResponseSchema, botInfoSchema, contactUserSchema, sentMessageDataSchema } from './lark-schemas.ts';

/** What we send: msg_type plus its content object (JSON-stringified on the wire, as Lark requires). */
export type LarkOutbound = { msgType: 'interactive'; card: Record<string, unknown> } | { msgType: 'text'; text: string };
/** An uploaded image or file (its image_key or file_key), sent as its own message. */
export type LarkFileMessage = { msgType: 'image' | 'file'; key: string };

export function contentOf(out: LarkOutbound | LarkFileMessage): string {
  if (out.msgType === 'interactive') return JSON.stringify(out.card);
  return JSON.stringify(out.msgType === 'text' ? { text: out.text } : { [`${out.msgType}_key`]: out.key });
}

/** What the upload endpoints answer: the key to send the image or file by. */
const uploadedKey = {
  image: z.looseObject({ image_key: z.string().min(1) }).transform((r) => r.image_key),
  file: z.looseObject({ file_key: z.string().min(1) }).transform((r) => r.file_key),
};

/** The file_type Lark wants for an upload: a few document kinds by extension, everything else a plain stream. */
export function larkFileType(name: string): string {
  const ext = (name.toLowerCase().split('.').pop() ?? '').replace(/^(doc|xls|ppt)x$/, '$1');
  return ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt'].includes(ext) ? ext : 'stream';
}

export type LarkProfileData = Awaited<ReturnType<LarkApi['getUser']>>;

/** A delivery key as Lark's `uuid` (send/reply idempotency, at most 50 characters): itself, or a stable digest. */
export const larkUuid = (key: string) => (key.length <= 50 ? key : `d-${createHash('sha256').update(key).digest('base64url')}`);

export class LarkApi {
  private readonly client: Client;
  private readonly tokens: DefaultCache;
  constructor(client: Client, tokens: DefaultCache) {
    this.client = client;
    this.tokens = tokens;
  }

  private fail(f: LarkFailure) {
    // A rejected tenant token stays in the cache until it expires unless we drop it.
    if (isTokenFailure(f)) this.tokens.values.clear();
    return toChannelSendError(f);
  }

  /** `done` lists error codes that mean the wanted state already holds (e.g. deleting a deleted message). */
  private async call<T = unknown>(run: () => Promise<unknown>, schema?: z.ZodType<T>, done: readonly number[] = []): Promise<T> {
    let res: unknown;
    try {
      res = await run();
    } catch (e) {
      const f = failureOf(e);
      if (f.code !== null && done.includes(f.code)) return undefined as T;
      throw this.fail(f);
    }
    const env = apiResponseSchema.safeParse(res);
    if (!env.success) throw this.fail({ status: 200, code: null, msg: 'answer is not a Lark envelope' });
    if (env.data.code !== 0 && done.includes(env.data.code)) return undefined as T;
    if (env.data.code !== 0) throw this.fail({ status: 200, code: env.data.code, msg: env.data.msg ?? '', headers: responseHeaders.get(res as object) });
    if (!schema) return env.data.data as T;
    const parsed = schema.safeParse(env.data.data);
    if (!parsed.success) throw this.fail({ status: 200, code: null, msg: 'unexpected answer shape' });
    return parsed.data;
  }

  /**
   * `uuid` is Lark's idempotency key: the same uuid within an hour returns the first message instead of a new one.
   * Says which chat the message landed in (for open_id, the private chat Lark chose).
   */
  async send(receiveIdType: 'chat_id' | 'open_id', receiveId: string, out: LarkOutbound | LarkFileMessage, uuid?: string) {
    const data = { receive_id: receiveId, msg_type: out.msgType, content: contentOf(out), ...(uuid ? { uuid } : {}) };
    const sent = await this.call(() => this.client.im.v1.message.create({ params: { receive_id_type: receiveIdType }, data }), sentMessageDataSchema);
    return { messageId: sent.message_id, chatId: sent.chat_id ?? null };
  }

  /** Into a chat, or into its thread when there is one. */
  async post(chatId: string, threadRef: string | null, out: LarkOutbound | LarkFileMessage, uuid?: string): Promise<string> {
    return threadRef ? this.reply(threadRef, out, uuid) : (await this.send('chat_id', chatId, out, uuid)).messageId;
  }

  /** A reply in the message's thread (a topic reply, so the ticket's conversation stays together). */
  async reply(messageId: string, out: LarkOutbound | LarkFileMessage, uuid?: string): Promise<string> {
    const data = { msg_type: out.msgType, content: contentOf(out), reply_in_thread: true, ...(uuid ? { uuid } : {}) };
    return (await this.call(() => this.client.im.v1.message.reply({ path: { message_id: messageId }, data }), sentMessageDataSchema)).message_id;
  }

  /** Cards are edited with PATCH (shared cards only); text with PUT. */
  async edit(messageId: string, out: LarkOutbound): Promise<void> {
    const path = { message_id: messageId };
    if (out.msgType === 'interactive') await this.call(() => this.client.im.v1.message.patch({ path, data: { content: contentOf(out) } }));
    else await this.call(() => this.client.im.v1.message.update({ path, data: { msg_type: 'text', content: contentOf(out) } }));
  }

  /** Recalls a message; idempotent: one already withdrawn counts as deleted. */
  async delete(messageId: string): Promise<void> {
    await this.call(() => this.client.im.v1.message.delete({ path: { message_id: messageId } }), undefined, [LARK_CODES.messageRecalled]);
  }

  /** A card only `openId` sees in a group chat (the SDK has no helper for this endpoint). */
  async sendEphemeral(chatId: string, openId: string, card: Record<string, unknown>): Promise<string> {
    const data = { chat_id: chatId, open_id: openId, msg_type: 'interactive', card };
    return (await this.call(() => this.client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/send', data }), sentMessageDataSchema)).message_id;
  }

  async deleteEphemeral(messageId: string): Promise<void> {
    await this.call(() => this.client.request({ method: 'POST', url: '/open-apis/ephemeral/v1/delete', data: { message_id: messageId } }), undefined, [LARK_CODES.messageRecalled]);
  }

  /** Delayed update of the card a callback came from; the token lives 30 minutes and works twice. */
  async updateCardByToken(token: string, card: Record<string, unknown>): Promise<void> {
    await this.call(() => this.client.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card } }));
  }

  async getUser(openId: string) {
    const { user: u } = await this.call(() => this.client.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }), contactUserSchema);
    return { name: u.name || u.en_name || null, email: u.email || u.enterprise_email || null, locale: u.locale || null };
  }

  /**
   * A file of a received message (GET im/v1/messages/:message_id/resources/:file_key?type=image|file), as the
   * SDK's stream, within maxBytes: refused at once when Lark says a larger length, cut when the stream passes it.
   */
  async resource(messageId: string, fileKey: string, type: 'image' | 'file', maxBytes: number): Promise<FetchedFile> {
    let got: { getReadableStream(): Readable; headers: unknown };
    try {
      got = await this.client.im.v1.messageResource.get({ path: { message_id: messageId, file_key: fileKey }, params: { type } });
    } catch (e) {
      throw this.fail(failureOf(e));
    }
    const stream = got.getReadableStream();
    const headers = (got.headers ?? {}) as Record<string, string>;
    const size = declaredSize(headers['content-length'] ?? null);
    if (size !== null && size > maxBytes) {
      stream.destroy();
      throw new FileTooLargeError(size, maxBytes);
    }
    const type_ = headers['content-type'];
    return { body: limitBytes(stream, maxBytes), contentType: type_ ? (type_.split(';')[0]?.trim() ?? null) : null, size };
  }

  /** POST im/v1/images (image_type=message) or im/v1/files (file_type, file_name), multipart, streamed: its key. */
  async upload(file: OutboundFile, as: 'image' | 'file'): Promise<string> {
    const stream = await file.open();
    const part = new FilePart(stream, file.name, file.size, file.contentType);
    const data = as === 'image' ? { image_type: 'message', image: part } : { file_type: larkFileType(file.name), file_name: file.name, file: part };
    const request = { method: 'POST', url: `/open-apis/im/v1/${as}s`, data, headers: { 'Content-Type': 'multipart/form-data' } };
    return this.call(() => this.client.request(request), uploadedKey[as]).finally(() => stream.destroy());
  }

  /** The bot's own open_id, to recognise its mentions and its own messages. */
  async botOpenId(): Promise<string> {
    // bot/v3/info answers outside `data`: its envelope is read whole.
    const info = await this.call(() => this.client.request({ method: 'GET', url: '/open-apis/bot/v3/info' }).then((res) => ({ code: 0, data: res })), botInfoSchema);
    if (!info.bot || info.code !== 0) throw this.fail({ status: 200, code: info.code, msg: 'bot info unavailable' });
    return info.bot.open_id;
  }
}

/**
 * The SDK client this channel uses: its own token cache (the SDK's default is shared process-wide per app id), a
 * fetch transport with a timeout, and a logger that never prints request configs.
 */
export function createLarkApi(opts: { appId: string; appSecret: string; domain: string; timeoutMs: number; logger: Logger }): LarkApi {
  const tokens = new DefaultCache();
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
