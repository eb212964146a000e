/**
 * A strict local fake of the Lark Open API (node:http on 127.0.0.1, port 0). It refuses what Lark refuses: bad app
 * credentials, calls without a valid `Bearer t-...` tenant token, unknown receive_id_type, content of the wrong
 * shape, replies to unknown messages, ephemeral cards outside groups, reused or expired card tokens. It honours the
 * `uuid` of send/reply (same uuid within an hour = the same message) and can be told to fail the next N calls.
 *
 * Files: GET /open-apis/im/v1/messages/:id/resources/:key?type=image|file serves a file only through a message that
 * names it and with the type Lark files it under; POST /open-apis/im/v1/images and /open-apis/im/v1/files take real
 * multipart/form-data (parsed by the runtime's FormData parser), with Lark's field names and limits; image and
 * file messages must name a key the app uploaded.
 *
 * Error codes marked (guess) are not documented anywhere we could check; the adapter must not depend on them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateCard, validateContent } from './lark-fake-content.ts';
import { CARD_TOKEN_TTL, CODES, FakeWorld, HOUR, type FakeChat, type FakeResource, type RecordedCall, type StoredMessage } from './lark-fake-world.ts';

/** Codes of the file endpoints (guess: Lark documents 234xxx for them without a table we could check). */
export const FILE_CODES = { fileNotInMessage: 234003, typeMismatch: 234004, imageInvalid: 234011, fileEmpty: 234010, tooLarge: 234006, keyUnknown: 230001 } as const;
const IMAGE_MAX = 10 * 1024 * 1024;
const FILE_MAX = 30 * 1024 * 1024;
const FILE_TYPES = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'];

function looksLikeImage(b: Buffer): boolean {
  return (
    (b[0] === 0xff && b[1] === 0xd8) ||
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    b.subarray(0, 3).toString('latin1') === 'GIF' ||
    (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP')
  );
}

export { CODES, pathPattern, type Fault, type FakeChat, type FakeUser, type RecordedCall, type StoredMessage } from './lark-fake-world.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

class Reply {
  constructor(
    readonly status: number,
    readonly body: Obj,
    readonly headers: Record<string, string> = {},
  ) {}
}
const ok = (body: Obj = {}) => new Reply(200, { code: 0, msg: 'success', ...body });
const fail = (status: number, code: number, msg: string) => new Reply(status, { code, msg });

export class LarkFake extends FakeWorld {
  private server: Server | null = null;
  private port = 0;

  get url(): string {
    if (!this.server) throw new Error('fake not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  // ---- HTTP --------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && resource) return this.serveResource(req, res, url, decodeURIComponent(resource[1]!), decodeURIComponent(resource[2]!));
    const contentType = req.headers['content-type'] ?? '';
    if (method === 'POST' && contentType.startsWith('multipart/form-data')) return this.receiveUpload(req, res, url, Buffer.concat(chunks));
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    let reply: Reply;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const fault = this.takeFault(method, url.pathname);
    if (fault) {
      reply = new Reply(fault.status, { code: fault.code, msg: fault.msg ?? 'fault' }, fault.headers ?? {});
    } else if (raw.length > 0 && !isObj(body)) {
      reply = fail(400, CODES.fieldValidation, 'body is not a JSON object');
    } else {
      reply = this.route(method, url, req.headers['authorization'], isObj(body) ? body : {});
    }
    this.calls.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { authorization: req.headers['authorization'], 'content-type': req.headers['content-type'] },
      body,
      status: reply.status,
      code: typeof reply.body['code'] === 'number' ? reply.body['code'] : null,
    });
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private record(req: IncomingMessage, url: URL, body: unknown, reply: Reply): void {
    this.calls.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { authorization: req.headers['authorization'], 'content-type': req.headers['content-type'] },
      body,
      status: reply.status,
      code: typeof reply.body['code'] === 'number' ? reply.body['code'] : null,
    });
  }

  private answer(res: ServerResponse, reply: Reply): void {
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  /** A message's file: the tenant token, a message that names the key, and the type Lark files it under. */
  private serveResource(req: IncomingMessage, res: ServerResponse, url: URL, messageId: string, key: string): void {
    const fault = this.takeFault('GET', url.pathname);
    const type = url.searchParams.get('type');
    let reply: Reply | null = fault ? new Reply(fault.status, { code: fault.code, msg: fault.msg ?? 'fault' }, fault.headers ?? {}) : this.checkAuth(req.headers['authorization']);
    const m = this.messages.get(messageId);
    const r = this.resources.get(key);
    if (!reply && type !== 'image' && type !== 'file') reply = fail(400, CODES.fieldValidation, 'type is required: image or file');
    if (!reply && (!m || m.deleted)) reply = fail(400, CODES.invalidParam, 'invalid message_id');
    if (!reply && (!r || !m!.content.includes(JSON.stringify(key)))) reply = fail(400, FILE_CODES.fileNotInMessage, 'file not in message');
    if (!reply && r!.kind !== type) reply = fail(400, FILE_CODES.typeMismatch, 'resource type does not match');
    this.record(req, url, undefined, reply ?? ok({}));
    if (reply) return this.answer(res, reply);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(r!.bytes.length), 'content-disposition': `attachment; filename="${encodeURIComponent(r!.name)}"` });
    res.end(r!.bytes);
  }

  /** POST im/v1/images and im/v1/files, multipart only. */
  private async receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<void> {
    const fields: Record<string, string> = {};
    const files: Record<string, { name: string; bytes: Buffer }> = {};
    let reply: Reply | null = null;
    try {
      const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type']! } }).formData();
      for (const [k, v] of form.entries()) {
        if (typeof v === 'string') fields[k] = v;
        else files[k] = { name: v.name, bytes: Buffer.from(await v.arrayBuffer()) };
      }
    } catch {
      reply = fail(400, CODES.fieldValidation, 'cannot parse multipart body');
    }
    const fault = this.takeFault('POST', url.pathname);
    if (fault) reply = new Reply(fault.status, { code: fault.code, msg: fault.msg ?? 'fault' }, fault.headers ?? {});
    reply ??= this.checkAuth(req.headers['authorization']);
    if (!reply) {
      if (url.pathname === '/open-apis/im/v1/images') reply = this.uploadImage(fields, files);
      else if (url.pathname === '/open-apis/im/v1/files') reply = this.uploadFile(fields, files);
      else reply = new Reply(404, { code: 404, msg: '404 page not found' });
    }
    const summary = { ...fields, ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, { filename: f.name, size: f.bytes.length }])) };
    this.record(req, url, summary, reply);
    this.answer(res, reply);
  }

  private uploadImage(fields: Record<string, string>, files: Record<string, { name: string; bytes: Buffer }>): Reply {
    if (fields['image_type'] !== 'message' && fields['image_type'] !== 'avatar') return fail(400, CODES.fieldValidation, 'image_type is required: message or avatar');
    const image = files['image'];
    if (!image) return fail(400, CODES.fieldValidation, 'image is required');
    if (image.bytes.length === 0) return fail(400, FILE_CODES.fileEmpty, 'image is empty');
    if (image.bytes.length > IMAGE_MAX) return fail(400, FILE_CODES.tooLarge, 'image is larger than 10 MB');
    if (!looksLikeImage(image.bytes)) return fail(400, FILE_CODES.imageInvalid, 'image format not supported');
    const key = this.nextId('img_v3_');
    this.resources.set(key, { key, kind: 'image', bytes: image.bytes, name: image.name, uploadedByApp: true });
    return ok({ data: { image_key: key } });
  }

  private uploadFile(fields: Record<string, string>, files: Record<string, { name: string; bytes: Buffer }>): Reply {
    const fileType = fields['file_type'];
    if (!fileType || !FILE_TYPES.includes(fileType)) return fail(400, CODES.fieldValidation, 'file_type is invalid');
    if (!fields['file_name']) return fail(400, CODES.fieldValidation, 'file_name is required');
    const file = files['file'];
    if (!file) return fail(400, CODES.fieldValidation, 'file is required');
    if (file.bytes.length === 0) return fail(400, FILE_CODES.fileEmpty, 'file is empty');
    if (file.bytes.length > FILE_MAX) return fail(400, FILE_CODES.tooLarge, 'file is larger than 30 MB');
    const key = this.nextId('file_v3_');
    this.resources.set(key, { key, kind: 'file', bytes: file.bytes, name: fields['file_name'], fileType, uploadedByApp: true });
    return ok({ data: { file_key: key } });
  }

  /** An image or file message must name a key the app uploaded. */
  private unknownKey(msgType: unknown, content: unknown): Reply | null {
    if (msgType !== 'image' && msgType !== 'file') return null;
    const parsed = JSON.parse(String(content)) as Obj;
    const key = msgType === 'image' ? parsed['image_key'] : parsed['file_key'];
    const r = isStr(key) ? this.resources.get(key) : undefined;
    if (!r || r.kind !== msgType || !r.uploadedByApp) return fail(400, FILE_CODES.keyUnknown, `invalid ${msgType}_key`);
    return null;
  }

  /** The files the bot posted into a thread (its root's replies), with their bytes, in order. */
  sentFiles(rootId?: string): (FakeResource & { messageId: string })[] {
    return [...this.messages.values()]
      .filter((m) => m.sender.sender_type === 'app' && (m.msg_type === 'image' || m.msg_type === 'file') && (!rootId || m.root_id === rootId))
      .map((m) => {
        const c = JSON.parse(m.content) as Obj;
        return { ...this.resources.get(String(c['image_key'] ?? c['file_key']))!, messageId: m.message_id };
      });
  }

  private route(method: string, url: URL, auth: string | undefined, body: Obj): Reply {
    const path = url.pathname;
    if (method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') return this.issueToken(body);
    const authFailure = this.checkAuth(auth);
    if (authFailure) return authFailure;
    const msg = /^\/open-apis\/im\/v1\/messages\/([^/]+)(\/reply)?$/.exec(path);
    if (method === 'GET' && path === '/open-apis/bot/v3/info') {
      return new Reply(200, { code: 0, msg: 'ok', bot: { activate_status: 2, app_name: this.appName, avatar_url: '', ip_white_list: [], open_id: this.botOpenId } });
    }
    const contact = /^\/open-apis\/contact\/v3\/users\/([^/]+)$/.exec(path);
    if (method === 'GET' && contact) return this.getUser(decodeURIComponent(contact[1]!), url.searchParams.get('user_id_type') ?? 'open_id');
    if (method === 'POST' && path === '/open-apis/im/v1/messages') return this.send(url.searchParams.get('receive_id_type'), body);
    if (msg && msg[2] && method === 'POST') return this.reply(decodeURIComponent(msg[1]!), body);
    if (msg && !msg[2] && method === 'PATCH') return this.patch(decodeURIComponent(msg[1]!), body);
    if (msg && !msg[2] && method === 'PUT') return this.put(decodeURIComponent(msg[1]!), body);
    if (msg && !msg[2] && method === 'DELETE') return this.remove(decodeURIComponent(msg[1]!));
    if (method === 'POST' && path === '/open-apis/ephemeral/v1/send') return this.sendEphemeral(body);
    if (method === 'POST' && path === '/open-apis/ephemeral/v1/delete') return this.deleteEphemeral(body);
    if (method === 'POST' && path === '/open-apis/interactive/v1/card/update') return this.updateCard(body);
    return new Reply(404, { code: 404, msg: '404 page not found' });
  }

  private issueToken(body: Obj): Reply {
    if (body['app_id'] !== this.appId) return fail(400, CODES.appIdInvalid, 'app_id is invalid');
    if (body['app_secret'] !== this.appSecret) return fail(400, CODES.appSecretInvalid, 'app secret invalid');
    const token = `t-${randomBytes(20).toString('hex')}`;
    this.tokens.set(token, this.now() + this.tokenTtlSeconds * 1000);
    return new Reply(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: this.tokenTtlSeconds });
  }

  private checkAuth(auth: string | undefined): Reply | null {
    const m = /^Bearer (t-\S+)$/.exec(auth ?? '');
    if (!m) return fail(400, CODES.tokenMissing, 'Missing access token for authorization.');
    const exp = this.tokens.get(m[1]!);
    if (exp === undefined || exp <= this.now()) return fail(400, CODES.tokenInvalid, 'Invalid access token for authorization.');
    return null;
  }

  private getUser(id: string, idType: string): Reply {
    const u = [...this.users.values()].find((x) => (idType === 'user_id' ? x.user_id : idType === 'union_id' ? x.union_id : x.open_id) === id);
    if (!u) return fail(400, CODES.userNotFound, 'no user authority error');
    return ok({ data: { user: { ...u, status: { is_activated: true, is_resigned: false } } } });
  }

  private messageData(m: StoredMessage): Obj {
    return {
      message_id: m.message_id,
      ...(m.root_id ? { root_id: m.root_id, parent_id: m.parent_id } : {}),
      ...(m.thread_id ? { thread_id: m.thread_id } : {}),
      msg_type: m.msg_type,
      create_time: String(m.create_time),
      update_time: String(m.create_time),
      deleted: m.deleted,
      updated: m.updated,
      chat_id: m.chat_id,
      sender: { ...m.sender, tenant_key: this.tenantKey },
      body: { content: m.content },
      mentions: [],
    };
  }

  /** Lark's idempotency: the same uuid within an hour answers with the message it first created. */
  private byUuid(uuid: unknown): StoredMessage | null | Reply {
    if (uuid === undefined) return null;
    if (!isStr(uuid) || uuid.length === 0 || uuid.length > 50) return fail(400, CODES.fieldValidation, 'uuid must be 1..50 characters');
    const hit = this.uuids.get(uuid);
    if (hit && this.now() - hit.at < HOUR) return this.messages.get(hit.messageId) ?? null;
    return null;
  }

  private storeBotMessage(chatId: string, msgType: string, content: string, parent: StoredMessage | null, inThread: boolean, uuid: unknown): StoredMessage {
    const m = this.storeMessage(chatId, msgType, content, parent, inThread, { id: this.appId, id_type: 'app_id', sender_type: 'app' });
    if (isStr(uuid)) this.uuids.set(uuid, { messageId: m.message_id, at: this.now() });
    return m;
  }

  private send(receiveIdType: string | null, body: Obj): Reply {
    const types = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'];
    if (!receiveIdType || !types.includes(receiveIdType)) return fail(400, CODES.fieldValidation, 'receive_id_type is invalid');
    if (!isStr(body['receive_id'])) return fail(400, CODES.fieldValidation, 'receive_id is required');
    const bad = validateContent(body['msg_type'], body['content']);
    if (bad) return fail(400, CODES.invalidParam, `invalid message content: ${bad}`);
    const unknownKey = this.unknownKey(body['msg_type'], body['content']);
    if (unknownKey) return unknownKey;
    const dup = this.byUuid(body['uuid']);
    if (dup instanceof Reply) return dup;
    if (dup) return ok({ data: this.messageData(dup) });
    let chat: FakeChat | undefined;
    if (receiveIdType === 'chat_id') {
      chat = this.chats.get(body['receive_id']);
      if (!chat) return fail(400, CODES.invalidParam, 'invalid receive_id');
      if (!chat.botIn) return fail(400, CODES.botNotInChat, 'Bot/User can NOT be out of the chat.');
    } else {
      const id = body['receive_id'];
      const key = receiveIdType as 'open_id' | 'user_id' | 'union_id' | 'email';
      const user = [...this.users.values()].find((u) => u[key] === id);
      if (!user) return fail(400, CODES.noAvailability, 'Bot has NO availability to this user.');
      chat = this.p2pChat(user);
    }
    const m = this.storeBotMessage(chat.chat_id, String(body['msg_type']), String(body['content']), null, false, body['uuid']);
    return ok({ data: this.messageData(m) });
  }

  private liveMessage(id: string): StoredMessage | Reply {
    const m = this.messages.get(id);
    if (!m) return fail(400, CODES.invalidParam, 'invalid message_id');
    if (m.deleted) return fail(400, CODES.messageRecalled, 'The message was withdrawn.');
    return m;
  }

  private reply(parentId: string, body: Obj): Reply {
    const parent = this.liveMessage(parentId);
    if (parent instanceof Reply) return parent;
    if (parent.ephemeralFor) return fail(400, CODES.invalidParam, 'cannot reply to an ephemeral card');
    const bad = validateContent(body['msg_type'], body['content']);
    if (bad) return fail(400, CODES.invalidParam, `invalid message content: ${bad}`);
    if (body['reply_in_thread'] !== undefined && typeof body['reply_in_thread'] !== 'boolean') {
      return fail(400, CODES.fieldValidation, 'reply_in_thread must be a boolean');
    }
    const unknownKey = this.unknownKey(body['msg_type'], body['content']);
    if (unknownKey) return unknownKey;
    const dup = this.byUuid(body['uuid']);
    if (dup instanceof Reply) return dup;
    if (dup) return ok({ data: this.messageData(dup) });
    const chat = this.chats.get(parent.chat_id);
    if (!chat?.botIn) return fail(400, CODES.botNotInChat, 'Bot/User can NOT be out of the chat.');
    const m = this.storeBotMessage(parent.chat_id, String(body['msg_type']), String(body['content']), parent, body['reply_in_thread'] === true, body['uuid']);
    return ok({ data: this.messageData(m) });
  }

  private ownMessage(id: string): StoredMessage | Reply {
    const m = this.liveMessage(id);
    if (m instanceof Reply) return m;
    if (m.sender.sender_type !== 'app' || m.ephemeralFor) return fail(400, CODES.notSender, 'only messages the bot sent can be changed');
    return m;
  }

  private patch(id: string, body: Obj): Reply {
    const m = this.ownMessage(id);
    if (m instanceof Reply) return m;
    if (m.msg_type !== 'interactive') return fail(400, CODES.invalidParam, 'PATCH only edits cards; use PUT for text');
    const bad = validateContent('interactive', body['content']);
    if (bad) return fail(400, CODES.invalidParam, `invalid card: ${bad}`);
    // Only shared cards (config.update_multi) can be edited after they were sent.
    const original: unknown = JSON.parse(m.content);
    const shared = isObj(original) && (original['schema'] === '2.0' || (isObj(original['config']) && original['config']['update_multi'] === true));
    if (!shared) return fail(400, CODES.cardNotShared, 'only shared cards (update_multi) can be updated');
    m.content = String(body['content']);
    m.updated = true;
    return ok({});
  }

  private put(id: string, body: Obj): Reply {
    const m = this.ownMessage(id);
    if (m instanceof Reply) return m;
    if (m.msg_type !== 'text' && m.msg_type !== 'post') return fail(400, CODES.invalidParam, 'PUT only edits text and post messages');
    if (body['msg_type'] !== m.msg_type) return fail(400, CODES.invalidParam, 'msg_type cannot change');
    const bad = validateContent(body['msg_type'], body['content']);
    if (bad) return fail(400, CODES.invalidParam, `invalid message content: ${bad}`);
    m.content = String(body['content']);
    m.updated = true;
    return ok({ data: this.messageData(m) });
  }

  private remove(id: string): Reply {
    const m = this.ownMessage(id);
    if (m instanceof Reply) return m;
    m.deleted = true;
    return ok({});
  }

  private sendEphemeral(body: Obj): Reply {
    const targets = (['open_id', 'user_id', 'email'] as const).filter((k) => body[k] !== undefined);
    if (targets.length !== 1) return fail(400, CODES.fieldValidation, 'exactly one of open_id, user_id, email is required');
    if (body['msg_type'] !== 'interactive') return fail(400, CODES.fieldValidation, 'msg_type must be interactive');
    if (!isStr(body['chat_id'])) return fail(400, CODES.fieldValidation, 'chat_id is required');
    const bad = validateCard(body['card']);
    if (bad) return fail(400, CODES.invalidParam, `invalid card: ${bad}`);
    const chat = this.chats.get(body['chat_id']);
    if (!chat) return fail(400, CODES.invalidParam, 'invalid chat_id');
    if (chat.type !== 'group') return fail(400, CODES.invalidParam, 'ephemeral cards are only for group chats');
    if (!chat.botIn) return fail(400, CODES.botNotInChat, 'Bot/User can NOT be out of the chat.');
    const key = targets[0]!;
    const user = [...this.users.values()].find((u) => u[key] === body[key]);
    if (!user || !chat.members.has(user.open_id)) return fail(400, CODES.invalidParam, 'the user is not in the chat');
    const m = this.storeBotMessage(chat.chat_id, 'interactive', JSON.stringify(body['card']), null, false, undefined);
    m.ephemeralFor = user.open_id;
    return ok({ data: { message_id: m.message_id } });
  }

  private deleteEphemeral(body: Obj): Reply {
    const id = body['message_id'];
    if (!isStr(id)) return fail(400, CODES.fieldValidation, 'message_id is required');
    const m = this.liveMessage(id);
    if (m instanceof Reply) return m;
    if (!m.ephemeralFor) return fail(400, CODES.invalidParam, 'not an ephemeral message');
    m.deleted = true;
    return new Reply(200, { code: 0, msg: 'success' });
  }

  private updateCard(body: Obj): Reply {
    const token = body['token'];
    const entry = isStr(token) ? this.cardTokens.get(token) : undefined;
    if (!entry || !isStr(token)) return fail(400, CODES.cardTokenInvalid, 'card token is invalid');
    if (this.now() - entry.issuedAt > CARD_TOKEN_TTL) return fail(400, CODES.cardTokenInvalid, 'card token expired');
    if (entry.uses >= 2) return fail(400, CODES.cardTokenInvalid, 'card token was used twice already');
    const card = body['card'];
    const bad = validateCard(card);
    if (bad) return fail(400, CODES.invalidParam, `invalid card: ${bad}`);
    if (isObj(card) && card['schema'] !== '2.0' && card['type'] !== 'template' && !Array.isArray(card['open_ids'])) {
      return fail(400, CODES.cardNeedsOpenIds, 'open_ids is required for a card JSON 1.0 update');
    }
    entry.uses += 1;
    const m = this.messages.get(entry.messageId);
    if (m && !m.deleted) {
      m.content = JSON.stringify(card);
      m.updated = true;
    }
    return new Reply(200, { code: 0, msg: 'success' });
  }
}
