/**
 * A strict local fake of the Slack Web API (POST {url}/api/<method>) on 127.0.0.1. It records every call, keeps the
 * messages the bot posts per conversation and thread, answers scripted faults, and refuses what Slack refuses: a
 * wrong or missing token, a wrong content type, missing arguments, unknown channels and threads, used or expired
 * trigger ids, more than 50 blocks, text over 40,000 characters, updates of messages the bot did not post.
 *
 * Files: GET /files-pri/<team>-<id>/download/<name> serves a file's bytes only with `Authorization: Bearer <bot
 * token>` (anything else is redirected to the sign-in page, as Slack does); the external upload flow
 * (files.getUploadURLExternal, POST /upload/v1/<id>, files.completeUploadExternal) shares uploads into a thread;
 * the retired files.upload is refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { FakeWorkspace, type FakeFile, type FakeMessage, type FakeUser } from './slack-fake-state.ts';
import { slackMethods, type Args, type MethodResult } from './slack-fake-methods.ts';

export type Fault =
  | { kind: 'rate_limited'; retryAfter: number }
  | { kind: 'http'; status: number }
  | { kind: 'error'; error: string }
  /** Slack does the work, but its answer is lost (a 502 from a proxy, a timeout): the caller cannot know. */
  | { kind: 'lost_answer'; status: number };

export interface RecordedCall {
  method: string;
  args: Args;
  /** The token the call carried (bearer or form field), for auth assertions. */
  token: string | null;
  contentType: string | null;
}

export interface SlackFakeOptions {
  botToken?: string;
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Whether the app holds users:read.email (users.info then includes profile.email). */
  emailScope?: boolean;
}

export class SlackFake {
  readonly botToken: string;
  readonly workspace: FakeWorkspace;
  readonly calls: RecordedCall[] = [];
  emailScope: boolean;
  private readonly faults = new Map<string, { fault: Fault; remaining: number; channel?: string | undefined }[]>();
  private server: Server | null = null;
  private port = 0;

  constructor(opts: SlackFakeOptions = {}) {
    this.botToken = opts.botToken ?? 'xoxb-fake-bot-token';
    this.emailScope = opts.emailScope ?? true;
    this.workspace = new FakeWorkspace(
      opts.teamId ?? 'T0001',
      opts.teamDomain ?? 'acme',
      opts.botUserId ?? 'UBOT',
      opts.botId ?? 'BBOT',
      opts.appId ?? 'A0001',
    );
  }

  get url(): string {
    if (!this.server) throw new Error('SlackFake not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** What to pass as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- seeding -------------------------------------------------------------------------------------------------

  addUser(u: Partial<FakeUser> & { id: string }): FakeUser {
    const user: FakeUser = {
      name: u.id.toLowerCase(),
      realName: u.id,
      email: `${u.id.toLowerCase()}@example.com`,
      locale: 'en-US',
      isBot: false,
      ...u,
    };
    this.workspace.users.set(user.id, user);
    return user;
  }

  addChannel(c: { id: string; name?: string; members: string[]; botMember?: boolean; archived?: boolean }): void {
    const members = new Set(c.members);
    if (c.botMember ?? true) members.add(this.workspace.botUserId);
    this.workspace.conversations.set(c.id, {
      id: c.id,
      name: c.name ?? c.id.toLowerCase(),
      members,
      archived: c.archived ?? false,
      isIm: false,
    });
  }

  /** A message a person wrote (seeded, as if it was there before the test). */
  addMessage(channel: string, m: { user: string; text: string; thread_ts?: string; files?: unknown[] }): FakeMessage {
    return this.workspace.addMessage(channel, m);
  }

  /**
   * A file a person shared, as Slack puts it into a message's `files` (pass the result to addMessage or an event).
   * `connect: true` gives the Slack Connect stub (id only, `file_access: "check_file_info"`).
   */
  addFile(f: { name: string; mimetype: string; bytes: Buffer | Uint8Array; user?: string; connect?: boolean }): Record<string, unknown> {
    const file: FakeFile = { id: this.workspace.nextId('F'), name: f.name, title: f.name, mimetype: f.mimetype, user: f.user ?? 'U1', bytes: Buffer.from(f.bytes), channels: [] };
    this.workspace.files.set(file.id, file);
    if (f.connect) return { id: file.id, mode: 'file_access', file_access: 'check_file_info', created: 0, timestamp: 0, user: '' };
    return this.fileObject(file);
  }

  /** A file as files.info and message events show it. */
  fileObject(file: FakeFile): Record<string, unknown> {
    const path = `${this.workspace.teamId}-${file.id}`;
    const name = encodeURIComponent(file.name);
    return {
      id: file.id,
      created: 1652227642,
      timestamp: 1652227642,
      name: file.name,
      title: file.title,
      mimetype: file.mimetype,
      filetype: file.name.split('.').pop() ?? 'binary',
      user: file.user,
      size: file.bytes.length,
      mode: 'hosted',
      is_external: false,
      url_private: `${this.url}/files-pri/${path}/${name}`,
      url_private_download: `${this.url}/files-pri/${path}/download/${name}`,
      permalink: `https://${this.workspace.teamDomain}.slack.com/files/${file.user}/${file.id}/${name}`,
      shares: {},
    };
  }

  /** The files the bot shared into a thread (their bytes and sha256), in posting order. */
  sharedFiles(channel: string, threadTs?: string): { id: string; name: string; bytes: Buffer; sha256: string }[] {
    const msgs = threadTs ? this.botReplies(channel, threadTs) : this.messages(channel).filter((m) => m.user === this.workspace.botUserId);
    return msgs.flatMap((m) => (m.files ?? []) as { id: string }[]).map((f) => {
      const file = this.workspace.files.get(f.id)!;
      return { id: file.id, name: file.name, bytes: file.bytes, sha256: createHash('sha256').update(file.bytes).digest('hex') };
    });
  }

  /** Downloads answered (path and whether the token was right), for assertions. */
  readonly downloads: { fileId: string; authorized: boolean }[] = [];

  /** A trigger id as Slack puts into commands and interactions; valid once, until expired. */
  issueTrigger(): string {
    const id = `${Date.now()}.${this.workspace.nextId('')}.${Math.random().toString(16).slice(2, 10)}`;
    this.workspace.triggers.set(id, 'valid');
    return id;
  }

  expireTrigger(id: string): void {
    this.workspace.triggers.set(id, 'expired');
  }

  // ---- faults and inspection -----------------------------------------------------------------------------------

  /**
   * The next `times` calls to `method` answer with `fault` instead; with `channel`, only calls into that channel
   * count (other work of a running service keeps going untouched).
   */
  failNext(method: string, times: number, fault: Fault, channel?: string): void {
    const list = this.faults.get(method) ?? [];
    list.push({ fault, remaining: times, channel });
    this.faults.set(method, list);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  messages(channel: string): FakeMessage[] {
    return this.workspace.messages.get(channel) ?? [];
  }

  /** The parent and replies of a thread. */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.workspace.thread(channel, ts);
  }

  /** Messages the bot posted into a thread (not the parent). */
  botReplies(channel: string, threadTs: string): FakeMessage[] {
    return this.thread(channel, threadTs).filter((m) => m.ts !== threadTs && m.user === this.workspace.botUserId);
  }

  get ephemerals() {
    return this.workspace.ephemerals;
  }

  get views() {
    return this.workspace.views;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    if (pathname.startsWith('/files-pri/')) return this.serveFile(req, res, pathname);
    if (pathname.startsWith('/upload/v1/')) return this.receiveUpload(req, res, pathname, Buffer.concat(chunks));
    const raw = Buffer.concat(chunks).toString('utf8');
    const match = /^\/api\/([a-zA-Z.]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'POST' || !match?.[1]) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const method = match[1];
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let args: Args = {};
    let badBody = false;
    if (contentType === 'application/x-www-form-urlencoded') {
      args = Object.fromEntries(new URLSearchParams(raw).entries());
    } else if (contentType === 'application/json') {
      try {
        const parsed: unknown = JSON.parse(raw || '{}');
        if (typeof parsed === 'object' && parsed !== null) args = parsed as Args;
        else badBody = true;
      } catch {
        badBody = true;
      }
    } else if (raw !== '') {
      badBody = true;
    }
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    const formToken = typeof args['token'] === 'string' ? args['token'] : null;
    const token = bearer ?? formToken;
    this.calls.push({ method, args, token, contentType: req.headers['content-type'] ?? null });

    const fault = this.takeFault(method, args);
    if (fault && fault.kind !== 'lost_answer') return this.sendFault(res, fault);
    if (badBody) return this.send(res, { ok: false, error: 'invalid_form_data' });
    // JSON bodies must carry the token as a bearer header (Slack ignores a token field in JSON).
    if (contentType === 'application/json' && !bearer) return this.send(res, { ok: false, error: 'invalid_auth' });
    if (token !== this.botToken) return this.send(res, { ok: false, error: 'invalid_auth' });
    const impl = slackMethods[method];
    if (!impl) return this.send(res, { ok: false, error: 'unknown_method' });
    const result = impl(this, args);
    if (fault?.kind === 'lost_answer') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('bad gateway');
      return;
    }
    this.send(res, result);
  }

  /** Slack's file hosting: the bot token or a redirect to the sign-in page (never the bytes). */
  private serveFile(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    const m = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(pathname);
    const file = m && m[1] === this.workspace.teamId ? this.workspace.files.get(m[2]!) : undefined;
    const authorized = req.headers.authorization === `Bearer ${this.botToken}`;
    const fault = this.takeFault('files-pri', {});
    if (file) this.downloads.push({ fileId: file.id, authorized });
    if (fault && fault.kind !== 'lost_answer') return this.sendFault(res, fault);
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (!authorized) {
      res.writeHead(302, { location: `https://${this.workspace.teamDomain}.slack.com/?redir=${encodeURIComponent(pathname)}`, 'content-type': 'text/html' }).end('<html>sign in</html>');
      return;
    }
    if (!file) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<html>not found</html>');
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) }).end(file.bytes);
  }

  /** The upload URL: the raw bytes (or one multipart part), exactly the length announced. */
  private receiveUpload(req: IncomingMessage, res: ServerResponse, pathname: string, body: Buffer): void {
    const upload = this.workspace.uploads.get(pathname.slice('/upload/v1/'.length));
    this.calls.push({ method: 'upload', args: { path: pathname, bytes: body.length }, token: null, contentType: req.headers['content-type'] ?? null });
    const fault = this.takeFault('upload', {});
    if (fault && fault.kind !== 'lost_answer') return this.sendFault(res, fault);
    if (req.method !== 'POST' || !upload || upload.completed) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    if (body.length !== upload.length) return void res.writeHead(400, { 'content-type': 'text/plain' }).end(`length mismatch: ${body.length} != ${upload.length}`);
    upload.bytes = body;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${body.length}`);
  }

  private takeFault(method: string, args: Args): Fault | null {
    const list = this.faults.get(method);
    if (!list) return null;
    const i = list.findIndex((f) => f.channel === undefined || f.channel === args['channel']);
    const entry = list[i];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) list.splice(i, 1);
    return entry.fault;
  }

  private sendFault(res: ServerResponse, fault: Fault): void {
    if (fault.kind === 'rate_limited') {
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(fault.retryAfter) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    } else if (fault.kind === 'http') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('upstream failure');
    } else if (fault.kind === 'error') {
      this.send(res, { ok: false, error: fault.error });
    }
  }

  private send(res: ServerResponse, body: MethodResult): void {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
}
