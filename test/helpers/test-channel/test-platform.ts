/**
 * A tiny chat platform on loopback for the sync engine's tests and benchmark: it stores posted messages per
 * thread, dedupes nothing by itself, and can be told to answer 429, 5xx or a permanent error, to be slow, or to be
 * down for a while (every method answers 503).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The token the test channel's bot downloads and uploads files with; anything else is refused (401). */
export const TEST_BOT_TOKEN = 'test-bot-token';

/** A file a person sent (downloadable with the bot's token at /files/<id>). */
export interface PlatformFile {
  bytes: Buffer;
  contentType: string;
  /** Answer with this status instead (e.g. 404 for a file deleted on the platform). */
  status?: number;
  /** Send no Content-Length (chunked), so only streaming can find the size. */
  chunked?: boolean;
}

/** A file the bot uploaded into a thread. */
export interface UploadedFile {
  id: string;
  chatId: string;
  threadRef: string | null;
  name: string;
  contentType: string;
  key: string;
  sha256: string;
  size: number;
}

export interface PostedMessage {
  id: string;
  chatId: string;
  threadRef: string | null;
  text: string;
  key: string;
  receivedAt: number;
}

type Fault = { status: number; body: unknown; headers?: Record<string, string> };

export class TestPlatform {
  readonly messages: PostedMessage[] = [];
  readonly files = new Map<string, PlatformFile>();
  readonly uploads: UploadedFile[] = [];
  /** Downloads of /files/<id>, including refused ones. */
  fileFetches = 0;
  private server: http.Server | null = null;
  private faults: Fault[] = [];
  /** Delay before answering a post, in ms (the message is stored on receipt, before the delay). */
  delayMs = 0;
  /** Calls to /post, including refused ones. */
  calls = 0;
  /** Calls to /profile, including refused ones. */
  profileCalls = 0;
  /** Until this time (ms since the epoch) every method answers 503, as a platform in an outage does. */
  downUntil = 0;
  url = '';

  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      if (req.url?.startsWith('/files/') || req.url?.startsWith('/upload?')) return void this.handleBinary(req, res);
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => void this.handle(req, raw, res));
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  thread(chatId: string, threadRef: string | null): PostedMessage[] {
    return this.messages.filter((m) => m.chatId === chatId && m.threadRef === threadRef);
  }

  /** Downloads (GET /files/<id>) and uploads (POST /upload?chatId=&threadRef=&name=&key=, raw body). */
  private async handleBinary(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const fail = (status: number, error: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error }));
    };
    if (req.headers.authorization !== `Bearer ${TEST_BOT_TOKEN}`) {
      req.resume();
      return fail(401, 'not_authed');
    }
    if (Date.now() < this.downUntil) {
      req.resume();
      return fail(503, 'service_unavailable');
    }
    const url = new URL(req.url!, 'http://x');
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      this.fileFetches++;
      const f = this.files.get(decodeURIComponent(url.pathname.slice('/files/'.length)));
      if (!f) return fail(404, 'file_not_found');
      if (f.status) return fail(f.status, 'refused');
      res.writeHead(200, { 'content-type': f.contentType, ...(f.chunked ? {} : { 'content-length': String(f.bytes.length) }) });
      // In pieces, as a network delivers it.
      for (let i = 0; i < f.bytes.length; i += 64 * 1024) if (!res.write(f.bytes.subarray(i, i + 64 * 1024))) await new Promise((r) => res.once('drain', r));
      return void res.end();
    }
    if (req.method === 'POST' && url.pathname === '/upload') {
      const chatId = url.searchParams.get('chatId');
      const name = url.searchParams.get('name');
      const key = url.searchParams.get('key');
      if (!chatId || !name || !key) {
        req.resume();
        return fail(400, 'missing_fields');
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const c of req) {
        hash.update(c as Buffer);
        size += (c as Buffer).length;
      }
      const id = `f${this.uploads.length + 1}`;
      this.uploads.push({ id, chatId, threadRef: url.searchParams.get('threadRef') || null, name, contentType: String(req.headers['content-type'] ?? ''), key, sha256: hash.digest('hex'), size });
      // A file is a message in the thread too (findDelivered finds it by its key).
      this.messages.push({ id, chatId, threadRef: url.searchParams.get('threadRef') || null, text: `file|${name}`, key, receivedAt: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ ok: true, id }));
    }
    return fail(404, 'unknown_method');
  }

  private async handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return send(400, { ok: false, error: 'invalid_json' });
    }
    if (req.url === '/profile') this.profileCalls++;
    if (Date.now() < this.downUntil) return send(503, { ok: false, error: 'service_unavailable' });
    if (req.url === '/profile') {
      if (typeof body.user !== 'string') return send(400, { ok: false, error: 'missing_fields' });
      return send(200, { ok: true, id: body.user });
    }
    if (req.url === '/post') {
      this.calls++;
      const fault = this.faults.shift();
      if (fault) return send(fault.status, fault.body, fault.headers);
      if (typeof body.chatId !== 'string' || typeof body.text !== 'string' || typeof body.key !== 'string')
        return send(400, { ok: false, error: 'missing_fields' });
      const m: PostedMessage = {
        id: `m${this.messages.length + 1}`,
        chatId: body.chatId,
        threadRef: typeof body.threadRef === 'string' ? body.threadRef : null,
        text: body.text,
        key: body.key,
        receivedAt: Date.now(),
      };
      this.messages.push(m);
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      return send(200, { ok: true, id: m.id });
    }
    if (req.url === '/update' || req.url === '/delete') {
      const m = this.messages.find((x) => x.id === body.messageId && x.chatId === body.chatId);
      if (!m) return send(200, { ok: false, error: 'message_not_found' });
      if (req.url === '/update') m.text = String(body.text);
      else this.messages.splice(this.messages.indexOf(m), 1);
      return send(200, { ok: true, id: m.id });
    }
    if (req.url === '/find') {
      const m = this.messages.find((x) => x.key === body.key);
      return send(200, { ok: true, id: m?.id ?? null });
    }
    return send(404, { ok: false, error: 'unknown_method' });
  }
}
