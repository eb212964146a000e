/**
 * The state behind the Lark fake: users, chats, messages, tokens, the clock and scripted faults. The HTTP side
 * (lark-fake.ts) reads and changes it the way Lark would.
 */
import { randomBytes } from 'node:crypto';

export const CODES = {
  ok: 0,
  appSecretInvalid: 10014,
  appIdInvalid: 10003, // (guess)
  tokenMissing: 99991661,
  tokenInvalid: 99991663,
  fieldValidation: 99992402,
  rateLimited: 99991400,
  invalidParam: 230001,
  botNotInChat: 230002,
  messageRecalled: 230011,
  noAvailability: 230013,
  chatRateLimited: 230020,
  notSender: 230027, // (guess)
  cardNotShared: 230099, // (guess)
  userNotFound: 41050, // (guess)
  cardTokenInvalid: 300130, // (guess)
  cardNeedsOpenIds: 300090,
} as const;

export interface FakeUser {
  open_id: string;
  user_id: string;
  union_id: string;
  name: string;
  email?: string;
  locale?: string;
}

export interface FakeChat {
  chat_id: string;
  type: 'group' | 'p2p';
  members: Set<string>;
  botIn: boolean;
}

export interface StoredMessage {
  message_id: string;
  chat_id: string;
  root_id: string | null;
  parent_id: string | null;
  thread_id: string | null;
  msg_type: string;
  content: string;
  sender: { id: string; id_type: 'open_id' | 'app_id'; sender_type: 'user' | 'app' };
  create_time: number;
  deleted: boolean;
  updated: boolean;
  /** open_id of the only person who sees it (ephemeral cards). */
  ephemeralFor: string | null;
}

/** A file Lark holds: a person's (seeded) or one the app uploaded. */
export interface FakeResource {
  key: string;
  kind: 'image' | 'file';
  bytes: Buffer;
  name: string;
  /** file_type of an upload (stream, pdf, doc...). */
  fileType?: string;
  uploadedByApp: boolean;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: unknown;
  status: number;
  code: number | null;
}

export interface Fault {
  status: number;
  code: number;
  msg?: string;
  headers?: Record<string, string>;
}

export interface ArmedFault extends Fault {
  pattern: RegExp;
  method: string | null;
  remaining: number;
}

export const HOUR = 3_600_000;
export const CARD_TOKEN_TTL = 30 * 60_000;

/** '/open-apis/im/v1/messages/:id/reply' -> a regex over the path; ':x' matches one segment. */
export function pathPattern(p: string): RegExp {
  const body = p
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}$`);
}


export class FakeWorld {
  readonly appId: string;
  readonly appSecret: string;
  readonly tenantKey: string;
  readonly botOpenId: string;
  readonly appName = 'TicketBot';
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly chats = new Map<string, FakeChat>();
  readonly messages = new Map<string, StoredMessage>();
  readonly resources = new Map<string, FakeResource>();
  protected readonly tokens = new Map<string, number>();
  protected readonly uuids = new Map<string, { messageId: string; at: number }>();
  protected readonly cardTokens = new Map<string, { messageId: string; issuedAt: number; uses: number }>();
  protected faults: ArmedFault[] = [];
  protected throttles: { pattern: RegExp; seconds: number; until: number | null; refused: number }[] = [];
  private clockOffset = 0;
  private seq = 0;
  tokenTtlSeconds = 7200;

  constructor(opts: { appId?: string; appSecret?: string; tenantKey?: string; botOpenId?: string } = {}) {
    this.appId = opts.appId ?? `cli_${randomBytes(8).toString('hex')}`;
    this.appSecret = opts.appSecret ?? randomBytes(16).toString('hex');
    this.tenantKey = opts.tenantKey ?? '736588c9260f175d';
    this.botOpenId = opts.botOpenId ?? `ou_bot${randomBytes(6).toString('hex')}`;
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** Moves the fake's clock (uuid window, token and card-token expiry). */
  advance(ms: number): void {
    this.clockOffset += ms;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq.toString(16).padStart(6, '0')}${randomBytes(13).toString('hex')}`;
  }

  // ---- world -------------------------------------------------------------------------------------------------

  addUser(u: Partial<FakeUser> & { name: string }): FakeUser {
    const user: FakeUser = {
      open_id: u.open_id ?? this.nextId('ou_'),
      user_id: u.user_id ?? randomBytes(4).toString('hex'),
      union_id: u.union_id ?? this.nextId('on_'),
      ...u,
    };
    this.users.set(user.open_id, user);
    return user;
  }

  addGroup(members: FakeUser[], opts: { chatId?: string; botIn?: boolean } = {}): FakeChat {
    const chat: FakeChat = {
      chat_id: opts.chatId ?? this.nextId('oc_'),
      type: 'group',
      members: new Set(members.map((m) => m.open_id)),
      botIn: opts.botIn ?? true,
    };
    this.chats.set(chat.chat_id, chat);
    return chat;
  }

  /** The private chat between the bot and `user` (created on first use, as Lark does). */
  p2pChat(user: FakeUser): FakeChat {
    for (const c of this.chats.values()) if (c.type === 'p2p' && c.members.has(user.open_id)) return c;
    const chat: FakeChat = { chat_id: this.nextId('oc_'), type: 'p2p', members: new Set([user.open_id]), botIn: true };
    this.chats.set(chat.chat_id, chat);
    return chat;
  }

  /** Stores a message as if a person had written it (so the bot can reply to it). */
  storeUserMessage(user: FakeUser, chatId: string, msgType: string, content: string, replyTo?: string): StoredMessage {
    const parent = replyTo ? this.messages.get(replyTo) : undefined;
    if (replyTo && !parent) throw new Error(`fake: unknown message ${replyTo}`);
    return this.storeMessage(chatId, msgType, content, parent ?? null, true, { id: user.open_id, id_type: 'open_id', sender_type: 'user' });
  }

  /** A new message; a reply in a thread (`threaded`, or under a message already in one) gets the thread's id. */
  protected storeMessage(chatId: string, msgType: string, content: string, parent: StoredMessage | null, threaded: boolean, sender: StoredMessage['sender']): StoredMessage {
    const root = parent ? (parent.root_id ?? parent.message_id) : null;
    const m: StoredMessage = {
      message_id: this.nextId('om_'),
      chat_id: chatId,
      root_id: root,
      parent_id: parent?.message_id ?? null,
      thread_id: parent && (threaded || parent.thread_id) ? (parent.thread_id ?? `omt_${root!.slice(3, 15)}`) : null,
      msg_type: msgType,
      content,
      sender,
      create_time: this.now(),
      deleted: false,
      updated: false,
      ephemeralFor: null,
    };
    this.messages.set(m.message_id, m);
    return m;
  }

  /**
   * A file a person sends: its key, to put into a message's content (image_key / file_key). Lark serves it only
   * through a message whose content names it.
   */
  addResource(kind: 'image' | 'file', bytes: Buffer, name = kind === 'image' ? 'image.png' : 'file.bin'): string {
    const key = kind === 'image' ? this.nextId('img_v3_') : this.nextId('file_v3_');
    this.resources.set(key, { key, kind, bytes, name, uploadedByApp: false });
    return key;
  }

  /** A delayed-update token for a card message, as Lark puts into each card callback. */
  issueCardToken(messageId: string): string {
    const token = `c-${randomBytes(20).toString('hex')}`;
    this.cardTokens.set(token, { messageId, issuedAt: this.now(), uses: 0 });
    return token;
  }

  messagesIn(chatId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chat_id === chatId);
  }

  /** Replies under a thread root, oldest first. */
  thread(rootId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.root_id === rootId);
  }

  botMessagesIn(chatId: string): StoredMessage[] {
    return this.messagesIn(chatId).filter((m) => m.sender.sender_type === 'app' && !m.ephemeralFor);
  }

  ephemeralsFor(chatId: string, openId: string): StoredMessage[] {
    return this.messagesIn(chatId).filter((m) => m.ephemeralFor === openId);
  }

  callsTo(method: string, path: string): RecordedCall[] {
    const re = pathPattern(path);
    return this.calls.filter((c) => c.method === method && re.test(c.path));
  }

  // ---- faults ------------------------------------------------------------------------------------------------

  failNext(path: string, count: number, fault: Fault, method?: string): void {
    this.faults.push({ ...fault, pattern: pathPattern(path), method: method ?? null, remaining: count });
  }

  rateLimitNext(path: string, count: number, resetSeconds: number): void {
    this.failNext(path, count, {
      status: 429,
      code: CODES.rateLimited,
      msg: 'request trigger frequency limit',
      headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(resetSeconds) },
    });
  }

  chatLimitNext(path: string, count: number): void {
    this.failNext(path, count, { status: 400, code: CODES.chatRateLimited, msg: 'The message sending frequency of the chat has exceeded the limit' });
  }

  serverErrorNext(path: string, count: number): void {
    this.failNext(path, count, { status: 500, code: 1_000_000, msg: 'internal error' });
  }

  botNotInChatNext(path: string, count: number): void {
    this.failNext(path, count, { status: 400, code: CODES.botNotInChat, msg: 'Bot/User can NOT be out of the chat.' });
  }

  /**
   * Lark's frequency limiter: for `seconds` from the next call to `path` (so however late that call comes on a
   * loaded machine, it meets the limit) every call to it is refused with HTTP 429, code 99991400 and the seconds left
   * in `x-ogw-ratelimit-reset`. `refused()` counts the calls that came too early, so a test can show that a client
   * waited as told (one refusal) instead of hammering (several).
   */
  throttle(path: string, seconds: number): { refused(): number } {
    const entry = { pattern: pathPattern(path), seconds, until: null as number | null, refused: 0 };
    this.throttles.push(entry);
    return { refused: () => entry.refused };
  }

  protected takeFault(method: string, path: string): ArmedFault | null {
    const now = this.now();
    const th = this.throttles.find((x) => (x.until === null || x.until > now) && x.pattern.test(path));
    if (th) {
      th.until ??= now + th.seconds * 1000;
      th.refused += 1;
      return {
        status: 429,
        code: CODES.rateLimited,
        msg: 'request trigger frequency limit',
        headers: { 'x-ogw-ratelimit-limit': '5', 'x-ogw-ratelimit-reset': String(Math.ceil((th.until - now) / 1000)) },
        pattern: th.pattern,
        method: null,
        remaining: 0,
      };
    }
    const f = this.faults.find((x) => x.remaining > 0 && x.pattern.test(path) && (!x.method || x.method === method));
    if (!f) return null;
    f.remaining -= 1;
    this.faults = this.faults.filter((x) => x.remaining > 0);
    return f;
  }

  /** Makes every issued tenant token invalid (as after a secret rotation). */
  revokeTokens(): void {
    this.tokens.clear();
  }
}
