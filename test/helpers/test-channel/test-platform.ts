/**
 * A tiny chat platform on loopback for the sync engine's tests and benchmark: it stores posted messages per
 * thread, dedupes nothing by itself, and can be told to answer 429, 5xx or a permanent error, or to be slow.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  private server: http.Server | null = null;
  private faults: Fault[] = [];
  /** Delay before answering a post, in ms (the message is stored on receipt, before the delay). */
  delayMs = 0;
  /** Calls to /post, including refused ones. */
  calls = 0;
  url = '';

  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
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
