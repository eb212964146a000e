/**
 * A strict local fake of the Telegram Bot API (node:http on 127.0.0.1, port 0). It answers like the real API,
 * including its refusals, records every call, keeps every sent message per chat, and can be told to fail:
 * `failNext('sendMessage', { type: 'rate_limit', retryAfter: 3 }, 2)`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, Update, User } from 'telegraf/types';
import { parseTelegramHtml, type ParsedEntity } from './telegram-fake-html.ts';
import {
  ApiError,
  bad,
  commandsKey,
  failure,
  faultAnswer,
  memberJson,
  NOT_MODIFIED,
  parseBody,
  validateMarkup,
  type Answer,
  type Fault,
  type Params,
} from './telegram-fake-protocol.ts';
import { createHash } from 'node:crypto';
import { parseMultipart, TelegramFakeFiles, type FakeTgFile, type MediaKind, type UploadedPart } from './telegram-fake-files.ts';
import { TelegramFakeStore, type InlineButton, type MemberStatus, type StoredMessage } from './telegram-fake-store.ts';
import { TelegramUpdateBuilder } from './telegram-updates.ts';

export type { Fault };

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Set when the fake answered; a held getUpdates stays undefined until then. */
  status?: number;
  response?: unknown;
}

export interface TelegramFakeOptions {
  token?: string;
  username?: string;
}

export class TelegramFake {
  readonly token: string;
  readonly bot: User & { username: string };
  readonly calls: RecordedCall[] = [];
  readonly store = new TelegramFakeStore();
  readonly files = new TelegramFakeFiles();
  readonly updates: TelegramUpdateBuilder;
  readonly commands = new Map<string, { command: string; description: string }[]>();
  webhook: { url: string; secret?: string; allowedUpdates?: string[] } | null = null;

  private server: http.Server | undefined;
  private port = 0;
  private readonly faults = new Map<string, (Fault | null)[]>();
  private queue: Update[] = [];
  private allowedUpdates: string[] | null = null;
  private heldPoll: { finish: (a: Answer) => void; limit: number; timer: NodeJS.Timeout } | undefined;

  constructor(opts: TelegramFakeOptions = {}) {
    this.token = opts.token ?? '7000001:AAFakeTokenForTests_0123456789abcdef';
    const botId = Number(this.token.split(':')[0]);
    this.bot = { id: botId, is_bot: true, first_name: 'TicketBot', username: opts.username ?? 'ticket_bot' };
    this.updates = new TelegramUpdateBuilder({ nextMessageId: (chatId) => this.store.allocMessageId(chatId) });
  }

  /** Bot API root for telegraf (with the trailing slash telegraf needs). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (this.heldPoll) this.finishPoll([]);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `times` calls to `method` fail with `fault` (after `after` calls that succeed). */
  failNext(method: string, fault: Fault, times = 1, opts: { after?: number } = {}): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < (opts.after ?? 0); i += 1) list.push(null);
    for (let i = 0; i < times; i += 1) list.push(fault);
    this.faults.set(method, list);
  }

  /** Learns what an update implies (chats, users, messages, callback ids), as Telegram would before sending it. */
  observe(update: Update): Update {
    this.store.observe(update);
    return update;
  }

  /** Queues an update for getUpdates (long polling). */
  queueUpdate(update: Update): void {
    this.observe(update);
    this.queue.push(update);
    if (this.heldPoll) this.finishPoll(this.pending(this.heldPoll.limit));
  }

  setMember(chatId: number, userId: number, status: MemberStatus): void {
    const rec = this.store.chats.get(chatId);
    if (!rec) throw new Error(`fake: chat ${chatId} unknown; observe an update from it first`);
    rec.members.set(userId, status);
  }

  blockBot(userId: number): void {
    const rec = this.store.chats.get(userId);
    if (rec) rec.blocked = true;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  sent(chatId: number): StoredMessage[] {
    return this.store.sentBy(chatId).filter((m) => !m.deleted);
  }

  lastSent(chatId: number): StoredMessage {
    const m = this.sent(chatId).at(-1);
    if (!m) throw new Error(`fake: the bot sent nothing to chat ${chatId}`);
    return m;
  }

  /**
   * A file a person sends, as its message field: `photo` is the array of sizes (a small thumbnail with other bytes,
   * then the full picture), the rest one object. `claimedSize` makes Telegram report a larger size (to reach the
   * 20 MB download limit without the bytes).
   */
  addMedia(kind: MediaKind, bytes: Buffer, o: { name?: string; mimeType?: string; claimedSize?: number } = {}): unknown {
    if (kind === 'photo') {
      const thumb = this.files.add(Buffer.concat([Buffer.from('thumb'), bytes.subarray(0, 16)]), { dir: 'photos', ext: 'jpg' });
      const full = this.files.add(bytes, { dir: 'photos', ext: 'jpg', ...(o.claimedSize ? { claimedSize: o.claimedSize } : {}) });
      return [
        { ...this.files.wire(thumb), width: 90, height: 51 },
        { ...this.files.wire(full), width: 1280, height: 720 },
      ];
    }
    const dir = kind === 'voice' ? 'voice' : kind === 'document' ? 'documents' : `${kind}s`;
    const ext = o.name?.split('.').pop() ?? (kind === 'voice' ? 'oga' : 'dat');
    const f = this.files.add(bytes, { dir, ext, ...o });
    const extra = kind === 'voice' || kind === 'audio' ? { duration: 3 } : kind === 'video' || kind === 'animation' ? { duration: 3, width: 640, height: 360 } : {};
    return { ...this.files.wire(f), ...extra };
  }

  /** The photos and documents the bot sent into a chat, with their bytes, in order. */
  sentFiles(chatId: number): { kind: 'photo' | 'document'; name: string | null; sha256: string; bytes: Buffer; replyTo: number | null; group: string | null }[] {
    return this.sent(chatId).flatMap((m) => {
      if (!m.file) return [];
      const f = this.files.files.get(m.file.fileId)!;
      return [{ kind: m.file.kind, name: f.name ?? null, bytes: f.bytes, sha256: createHash('sha256').update(f.bytes).digest('hex'), replyTo: m.reply_to_message_id ?? null, group: m.media_group_id ?? null }];
    });
  }

  /** A callback_query update for the button with this label (or predicate) on a bot message. */
  press(from: User, message: StoredMessage, label: string | ((b: InlineButton) => boolean)): Update.CallbackQueryUpdate {
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    const button = buttons.find((b) => (typeof label === 'string' ? b.text === label : label(b)));
    if (!button?.callback_data) {
      throw new Error(`fake: no callback button ${String(label)} on message; has ${buttons.map((b) => b.text).join(', ')}`);
    }
    const chat = this.store.chats.get(message.chatId)!.chat;
    return this.updates.callbackQuery(from, this.toMessage(message, chat), button.callback_data);
  }

  private pending(limit: number): Update[] {
    const types = this.allowedUpdates;
    return this.queue
      .filter((u) => !types || types.length === 0 || Object.keys(u).some((k) => types.includes(k)))
      .slice(0, limit);
  }

  private finishPoll(result: Update[]): void {
    const held = this.heldPoll;
    if (!held) return;
    this.heldPoll = undefined;
    clearTimeout(held.timer);
    held.finish({ status: 200, body: { ok: true, result } });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (a: Answer) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(a.status, a.status >= 500 ? 'Internal Server Error' : undefined, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify(a.body));
    };
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(pathname);
    if (download && req.method === 'GET') {
      const fault = this.faults.get('file')?.shift();
      if (fault) return send(faultAnswer(fault));
      const got = this.files.download(download[1]!, this.token, decodeURIComponent(download[2]!));
      res.writeHead(got.status, { 'content-type': got.type, 'content-length': String(got.body.length) }).end(got.body);
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(pathname);
    if (!m || m[1] !== this.token) return send(failure(new ApiError(401, 'Unauthorized')));
    const method = m[2]!;
    let params: Params;
    let parts = new Map<string, UploadedPart>();
    try {
      const type = req.headers['content-type'] ?? '';
      if (type.startsWith('multipart/form-data')) ({ params, parts } = await parseMultipart(type, Buffer.concat(chunks)));
      else params = parseBody(type, Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(failure(bad("can't parse request body")));
    }
    this.parts = parts;
    const call: RecordedCall = { method, params: parts.size > 0 ? { ...params, _parts: [...parts.entries()].map(([name, p]) => ({ name, filename: p.filename, size: p.bytes.length })) } : params };
    this.calls.push(call);
    const reply = (a: Answer) => {
      call.status = a.status;
      call.response = a.body;
      send(a);
    };
    const fault = this.faults.get(method)?.shift();
    if (fault) return reply(faultAnswer(fault));
    try {
      if (method === 'getUpdates') return this.getUpdates(params, reply, req);
      const fn = this.methods[method];
      if (!fn) return reply(failure(new ApiError(404, 'Not Found')));
      reply({ status: 200, body: { ok: true, result: fn(params) } });
    } catch (e) {
      if (e instanceof ApiError) return reply(failure(e));
      reply({ status: 500, body: { ok: false, error_code: 500, description: String(e) } });
    }
  }

  private getUpdates(params: Params, reply: (a: Answer) => void, req: http.IncomingMessage): void {
    if (this.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = typeof params['offset'] === 'number' ? params['offset'] : 0;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    if (Array.isArray(params['allowed_updates'])) this.allowedUpdates = params['allowed_updates'].map(String);
    const limit = typeof params['limit'] === 'number' ? Math.min(Math.max(params['limit'], 1), 100) : 100;
    const timeout = typeof params['timeout'] === 'number' ? params['timeout'] : 0;
    if (this.heldPoll) {
      const earlier = this.heldPoll;
      this.heldPoll = undefined;
      clearTimeout(earlier.timer);
      earlier.finish(
        failure(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running')),
      );
    }
    const ready = this.pending(limit);
    if (ready.length > 0 || timeout <= 0) return reply({ status: 200, body: { ok: true, result: ready } });
    const timer = setTimeout(() => this.finishPoll([]), timeout * 1000);
    this.heldPoll = { finish: reply, limit, timer };
    req.socket.once('close', () => {
      if (this.heldPoll?.finish === reply) {
        clearTimeout(timer);
        this.heldPoll = undefined;
      }
    });
  }

  /** The file parts of the request being answered (the fake answers one request at a time, synchronously). */
  private parts = new Map<string, UploadedPart>();

  private readonly methods: Record<string, (p: Params) => unknown> = {
    getFile: (p) => this.files.getFile(p),
    sendPhoto: (p) => this.sendFile(p, 'photo'),
    sendDocument: (p) => this.sendFile(p, 'document'),
    sendMediaGroup: (p) => this.sendMediaGroup(p),
    getMe: () => ({ ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    setMyCommands: (p) => {
      const commands = p['commands'];
      if (!Array.isArray(commands)) throw bad('parameter "commands" is required');
      if (commands.length > 100) throw bad('too many commands');
      const clean = commands.map((c: unknown) => {
        const { command, description } = (c ?? {}) as { command?: unknown; description?: unknown };
        if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command)) throw bad('BOT_COMMAND_INVALID');
        if (typeof description !== 'string' || description.length < 1 || description.length > 256) {
          throw bad('command description must be non-empty');
        }
        return { command, description };
      });
      this.commands.set(commandsKey(p), clean);
      return true;
    },
    getMyCommands: (p) => this.commands.get(commandsKey(p)) ?? [],
    sendMessage: (p) => this.sendMessage(p),
    editMessageText: (p) => this.editMessageText(p),
    editMessageReplyMarkup: (p) => {
      const msg = this.editable(p);
      const markup = validateMarkup(p['reply_markup']);
      if (JSON.stringify(markup ?? null) === JSON.stringify(msg.reply_markup ?? null)) throw bad(NOT_MODIFIED);
      msg.reply_markup = markup;
      msg.edits += 1;
      return this.toMessage(msg, this.store.chats.get(msg.chatId)!.chat);
    },
    deleteMessage: (p) => {
      const chatId = this.chatIdOf(p);
      const msg = this.store.message(chatId, Number(p['message_id']));
      if (!msg) throw bad('message to delete not found');
      msg.deleted = true;
      return true;
    },
    answerCallbackQuery: (p) => {
      const id = String(p['callback_query_id'] ?? '');
      if (this.store.callbackQueries.get(id) !== false) {
        throw bad('query is too old and response timeout expired or query ID is invalid');
      }
      if (typeof p['text'] === 'string' && p['text'].length > 200) throw bad('MESSAGE_TOO_LONG');
      this.store.callbackQueries.set(id, true);
      return true;
    },
    getChatMember: (p) => {
      const rec = this.knownChat(this.chatIdOf(p));
      const userId = Number(p['user_id']);
      const user = this.store.users.get(userId) ?? (userId === this.bot.id ? this.bot : undefined);
      if (!user) throw bad('user not found');
      const status = userId === this.bot.id ? rec.botStatus : rec.chat.type === 'private' ? 'member' : (rec.members.get(userId) ?? 'left');
      return memberJson(user, status);
    },
    getChatAdministrators: (p) => {
      const rec = this.knownChat(this.chatIdOf(p));
      if (rec.chat.type === 'private') throw bad('there are no administrators in the private chat');
      return [...rec.members.entries()]
        .filter(([, s]) => s === 'creator' || s === 'administrator')
        .map(([id, s]) => memberJson(this.store.users.get(id)!, s));
    },
    setWebhook: (p) => {
      const url = String(p['url'] ?? '');
      if (url === '') {
        this.webhook = null;
        return true;
      }
      if (!url.startsWith('https://')) throw bad('bad webhook: An HTTPS URL must be provided for webhook');
      const secret = p['secret_token'];
      if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
        throw bad('secret token contains unallowed characters');
      }
      if (p['drop_pending_updates'] === true) this.queue = [];
      const allowed = Array.isArray(p['allowed_updates']) ? p['allowed_updates'].map(String) : undefined;
      this.webhook = { url, ...(typeof secret === 'string' ? { secret } : {}), ...(allowed ? { allowedUpdates: allowed } : {}) };
      return true;
    },
    deleteWebhook: (p) => {
      this.webhook = null;
      if (p['drop_pending_updates'] === true) this.queue = [];
      return true;
    },
    getWebhookInfo: () => ({
      url: this.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
    }),
  };

  private chatIdOf(p: Params): number {
    const raw = p['chat_id'];
    if (raw === undefined || raw === null || raw === '') throw bad('chat_id is empty');
    const id = Number(raw);
    if (!Number.isInteger(id)) throw bad('chat not found');
    return id;
  }

  private knownChat(chatId: number) {
    const rec = this.store.chats.get(chatId);
    if (!rec) throw bad('chat not found');
    return rec;
  }

  private writableChat(chatId: number) {
    // Telegram knows every user: a private chat with one who never started the bot is refused, not unknown.
    if (!this.store.chats.has(chatId) && this.store.users.has(chatId)) throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
    const rec = this.knownChat(chatId);
    if (rec.chat.type === 'private') {
      if (rec.blocked) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
      if (!rec.started) throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
    } else if (rec.botStatus === 'kicked') {
      throw new ApiError(403, `Forbidden: bot was kicked from the ${rec.chat.type} chat`);
    } else if (rec.botStatus === 'left') {
      throw new ApiError(403, `Forbidden: bot is not a member of the ${rec.chat.type} chat`);
    }
    return rec;
  }

  private parseText(p: Params): { text: string; entities: ParsedEntity[] } {
    const raw = p['text'];
    if (typeof raw !== 'string' || raw.length === 0) throw bad('message text is empty');
    let parsed: { text: string; entities: ParsedEntity[] } = { text: raw, entities: [] };
    if (p['parse_mode'] !== undefined) {
      if (p['parse_mode'] !== 'HTML') throw bad(`unsupported parse_mode in fake: ${String(p['parse_mode'])}`);
      const r = parseTelegramHtml(raw);
      if (!r.ok) throw new ApiError(400, r.description);
      parsed = r;
    }
    if (parsed.text.trim().length === 0) throw bad('message text is empty');
    if (parsed.text.length > 4096) throw bad('message is too long');
    return parsed;
  }

  private sendMessage(p: Params): Message {
    const chatId = this.chatIdOf(p);
    const { text, entities } = this.parseText(p);
    const markup = validateMarkup(p['reply_markup']);
    const rec = this.writableChat(chatId);
    const replyTo = this.replyTarget(p, chatId);
    const stored: StoredMessage = {
      message_id: this.store.allocMessageId(chatId),
      chatId,
      fromBot: true,
      from: this.bot,
      date: Math.floor(Date.now() / 1000),
      text,
      entities,
      ...(markup ? { reply_markup: markup } : {}),
      ...(replyTo !== undefined ? { reply_to_message_id: replyTo } : {}),
      deleted: false,
      edits: 0,
    };
    this.store.chatMessages(chatId).set(stored.message_id, stored);
    return this.toMessage(stored, rec.chat);
  }

  /** reply_parameters (an object, or its JSON in a form field), or the older reply_to_message_id Telegram still takes. */
  private replyTarget(p: Params, chatId: number): number | undefined {
    let rp = p['reply_parameters'] as { message_id?: unknown; allow_sending_without_reply?: unknown } | string | undefined;
    if (typeof rp === 'string') {
      try {
        rp = JSON.parse(rp) as { message_id?: unknown; allow_sending_without_reply?: unknown };
      } catch {
        throw bad("can't parse reply parameters JSON object");
      }
    }
    if (rp === undefined && p['reply_to_message_id'] !== undefined) rp = { message_id: p['reply_to_message_id'], allow_sending_without_reply: p['allow_sending_without_reply'] === true || p['allow_sending_without_reply'] === 'true' };
    if (rp === undefined) return undefined;
    const target = this.store.message(chatId, Number(rp.message_id));
    if (target) return target.message_id;
    if (rp.allow_sending_without_reply !== true && rp.allow_sending_without_reply !== 'true') throw bad('message to be replied not found');
    return undefined;
  }

  private storeFile(chatId: number, file: FakeTgFile, kind: 'photo' | 'document', replyTo: number | undefined, group?: string): StoredMessage {
    const stored: StoredMessage = {
      message_id: this.store.allocMessageId(chatId),
      chatId,
      fromBot: true,
      from: this.bot,
      date: Math.floor(Date.now() / 1000),
      text: '',
      entities: [],
      file: { kind, fileId: file.fileId },
      ...(group ? { media_group_id: group } : {}),
      ...(replyTo !== undefined ? { reply_to_message_id: replyTo } : {}),
      deleted: false,
      edits: 0,
    };
    this.store.chatMessages(chatId).set(stored.message_id, stored);
    return stored;
  }

  private fileMessage(m: StoredMessage): Message {
    const chat = this.store.chats.get(m.chatId)!.chat;
    const f = this.files.files.get(m.file!.fileId)!;
    const media = m.file!.kind === 'photo' ? { photo: [{ ...this.files.wire(f), width: 1280, height: 720 }] } : { document: this.files.wire(f) };
    return { message_id: m.message_id, from: m.from, chat, date: m.date, ...media, ...(m.media_group_id ? { media_group_id: m.media_group_id } : {}) } as unknown as Message;
  }

  private sendFile(p: Params, kind: 'photo' | 'document'): Message {
    const chatId = this.chatIdOf(p);
    const { file } = this.files.resolve(p, this.parts, kind);
    this.writableChat(chatId);
    const replyTo = this.replyTarget(p, chatId);
    return this.fileMessage(this.storeFile(chatId, file, kind, replyTo));
  }

  private sendMediaGroup(p: Params): Message[] {
    const chatId = this.chatIdOf(p);
    let media: unknown = p['media'];
    if (typeof media === 'string') {
      try {
        media = JSON.parse(media);
      } catch {
        throw bad("can't parse InputMedia JSON object");
      }
    }
    if (!Array.isArray(media)) throw bad('parameter "media" is required');
    if (media.length < 2 || media.length > 10) throw bad('wrong number of media specified: must include 2-10 items');
    const items = media as { type?: unknown; media?: unknown }[];
    const types = items.map((i) => i.type);
    if (types.some((t) => !['photo', 'video', 'document', 'audio'].includes(String(t)))) throw bad("can't parse InputMedia: media type is invalid");
    const visual = types.every((t) => t === 'photo' || t === 'video');
    if (!visual && !types.every((t) => t === types[0])) throw bad(`${types.includes('document') ? 'document' : 'audio'} can't be mixed with other media types`);
    if (types.some((t) => t === 'video' || t === 'audio')) throw bad('unsupported media type in fake');
    const resolved = items.map((i) => this.files.resolve({}, this.parts, i.type as 'photo' | 'document', i.media).file);
    this.writableChat(chatId);
    const replyTo = this.replyTarget(p, chatId);
    const group = `${Date.now()}${this.store.allocMessageId(-1)}`;
    return resolved.map((f, i) => this.fileMessage(this.storeFile(chatId, f, items[i]!.type as 'photo' | 'document', replyTo, group)));
  }

  private editable(p: Params): StoredMessage {
    if (p['inline_message_id'] !== undefined) throw bad('MESSAGE_ID_INVALID');
    const chatId = this.chatIdOf(p);
    this.knownChat(chatId);
    const msg = this.store.message(chatId, Number(p['message_id']));
    if (!msg) throw bad('message to edit not found');
    if (!msg.fromBot) throw bad("message can't be edited");
    return msg;
  }

  private editMessageText(p: Params): Message {
    const msg = this.editable(p);
    const { text, entities } = this.parseText(p);
    const markup = validateMarkup(p['reply_markup']);
    const same =
      text === msg.text &&
      JSON.stringify(entities) === JSON.stringify(msg.entities) &&
      JSON.stringify(markup ?? null) === JSON.stringify(msg.reply_markup ?? null);
    if (same) throw bad(NOT_MODIFIED);
    Object.assign(msg, { text, entities, edits: msg.edits + 1 });
    if (markup) msg.reply_markup = markup;
    else delete msg.reply_markup;
    return this.toMessage(msg, this.store.chats.get(msg.chatId)!.chat);
  }

  toMessage(m: StoredMessage, chat: Message['chat']): Message {
    return {
      message_id: m.message_id,
      from: m.from,
      chat,
      date: m.date,
      text: m.text,
      ...(m.entities.length > 0 ? { entities: m.entities } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    } as Message;
  }
}

