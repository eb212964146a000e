/**
 * The workspace a SlackFake serves: users, conversations, messages (with ts values and threads), ephemerals,
 * views and trigger ids. Plain data plus the lookups the Web API methods share.
 */

export interface FakeUser {
  id: string;
  name: string;
  realName: string;
  email: string | null;
  locale: string;
  isBot: boolean;
}

export interface FakeConversation {
  id: string;
  name: string;
  members: Set<string>;
  archived: boolean;
  isIm: boolean;
}

export interface FakeMessage {
  type: 'message';
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  bot_id?: string;
  app_id?: string;
  files?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  reply_count?: number;
  latest_reply?: string;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  thread_ts: string | null;
  text: string;
  blocks: unknown[];
  message_ts: string;
}

export interface FakeView {
  id: string;
  hash: string;
  trigger_id: string;
  view: Record<string, unknown>;
}

/** A file in the workspace: a person's (seeded) or one the bot uploaded through the external upload flow. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  user: string;
  bytes: Buffer;
  /** Shared into these conversations (completeUploadExternal). */
  channels: string[];
}

/** An upload URL handed out by files.getUploadURLExternal and not completed yet. */
export interface FakeUpload {
  fileId: string;
  filename: string;
  length: number;
  bytes: Buffer | null;
  completed: boolean;
}

export class FakeWorkspace {
  readonly files = new Map<string, FakeFile>();
  readonly uploads = new Map<string, FakeUpload>();
  readonly users = new Map<string, FakeUser>();
  readonly conversations = new Map<string, FakeConversation>();
  /** Every message of a conversation, replies included, in posting order. */
  readonly messages = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly views: FakeView[] = [];
  readonly triggers = new Map<string, 'valid' | 'used' | 'expired'>();
  private seq = 0;
  private tsSecond = 0;
  private tsMicro = 0;

  constructor(
    readonly teamId: string,
    readonly teamDomain: string,
    readonly botUserId: string,
    readonly botId: string,
    readonly appId: string,
  ) {
    this.users.set(botUserId, {
      id: botUserId,
      name: 'helpdesk',
      realName: 'Help Desk',
      email: null,
      locale: 'en-US',
      isBot: true,
    });
  }

  /** Slack ts values: the wall clock's seconds (as Slack's are) and a 6-digit suffix, strictly increasing. */
  nextTs(): string {
    const second = Math.max(Math.floor(Date.now() / 1000), this.tsSecond);
    this.tsMicro = second === this.tsSecond ? this.tsMicro + 1 : 1;
    this.tsSecond = second;
    return `${second}.${String(this.tsMicro).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(8, '0')}`;
  }

  list(channel: string): FakeMessage[] {
    let list = this.messages.get(channel);
    if (!list) {
      list = [];
      this.messages.set(channel, list);
    }
    return list;
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  /** A user id given as a channel means the app's direct chat with that person. */
  resolveChannel(id: string): FakeConversation | undefined {
    const direct = this.conversations.get(id);
    if (direct) return direct;
    const user = this.users.get(id);
    if (!user || user.isBot) return undefined;
    const dmId = `D${id.slice(1)}`;
    let dm = this.conversations.get(dmId);
    if (!dm) {
      dm = { id: dmId, name: user.name, members: new Set([id, this.botUserId]), archived: false, isIm: true };
      this.conversations.set(dmId, dm);
    }
    return dm;
  }

  addMessage(channel: string, m: Omit<FakeMessage, 'type' | 'ts'> & { ts?: string }): FakeMessage {
    const msg: FakeMessage = { type: 'message', ...m, ts: m.ts ?? this.nextTs() };
    this.list(channel).push(msg);
    if (msg.thread_ts && msg.thread_ts !== msg.ts) {
      const parent = this.find(channel, msg.thread_ts);
      if (parent) {
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.latest_reply = msg.ts;
      }
    }
    return msg;
  }

  /** The thread: the parent, then its replies in order. */
  thread(channel: string, ts: string): FakeMessage[] {
    const all = this.messages.get(channel) ?? [];
    const parent = all.find((m) => m.ts === ts);
    if (!parent) return [];
    return [parent, ...all.filter((m) => m.thread_ts === ts && m.ts !== ts)];
  }

  isTopLevel(m: FakeMessage): boolean {
    return !m.thread_ts || m.thread_ts === m.ts;
  }
}
