/**
 * A public comment's files through the thread drain, without a database: handed to the adapter's postFiles after
 * the comment's text, as their own delivery; as help-center links where the channel has no postFiles; never for
 * an internal or deleted comment; and after a crash mid-upload, looked for before being sent again.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ChannelAdapter, OutboundFile, SentMessage } from '../ports/channel-port.ts';
import type { DeliveryMessage } from '../chat/chat-messages.ts';
import { FILES_CLAIM_MS, createThreadDrain, type DrainRepo, type PendingDelivery, type ThreadLinkRow } from '../sync/thread-drain.ts';

type Row = Omit<PendingDelivery, 'status'> & { status: 'pending' | 'sending' | 'sent' | 'failed'; platformMessageId: string | null };

function world(opts: { postFiles: boolean; direct?: boolean }) {
  let clock = 5_000_000;
  const link: ThreadLinkRow = { id: 'L1', ticketId: 'T1', platform: 'test', workspaceId: 'W', chatId: opts.direct ? 'U9' : 'C', threadRef: opts.direct ? '' : 'R', directUserId: opts.direct ? 'U9' : null, locale: 'en', status: 'active', brokenReason: null };
  const rows: Row[] = [];
  const claims: number[] = [];
  const calls: string[] = [];
  const ticket = { number: 12, subject: 'VPN', status: 'open' as const, priority: 'normal' as const, visibility: 'public' as const };
  const add = (type: string, comment: Row['comment'], commentId = 'c1') => {
    const r: Row = { id: String(rows.length + 1), status: 'pending', attempts: 0, claimedUntil: null, event: { type, payload: { number: 12, commentId }, createdAt: new Date(clock) }, ticket, comment, deliveredMessageId: null, platformMessageId: null };
    rows.push(r);
    return r;
  };
  const repo: DrainRepo = {
    loadThreadLink: async () => ({ ...link }),
    nextDelivery: async () => {
      const r = rows.find((x) => x.status === 'pending' || x.status === 'sending');
      return r ? ({ ...r, status: r.status as 'pending' | 'sending' } as PendingDelivery) : null;
    },
    claimDelivery: async (id, until) => {
      const r = rows.find((x) => x.id === id)!;
      if (!(r.status === 'pending' || (r.status === 'sending' && (!r.claimedUntil || r.claimedUntil.getTime() <= clock)))) return false;
      Object.assign(r, { status: 'sending', attempts: r.attempts + 1, claimedUntil: until });
      claims.push(until.getTime() - clock);
      return true;
    },
    markDeliverySent: async (id, mid) => void Object.assign(rows.find((x) => x.id === id)!, { status: 'sent', platformMessageId: mid, claimedUntil: null }),
    markDeliveryFailed: async (id) => void Object.assign(rows.find((x) => x.id === id)!, { status: 'failed' }),
    noteDeliveryError: async (id) => void Object.assign(rows.find((x) => x.id === id)!, { claimedUntil: null }),
    breakThreadLink: async () => undefined,
    moveThreadLink: async () => undefined,
  };
  const uploaded: { key: string; names: string[]; bytes: string[]; threadRef: string | null }[] = [];
  const file = (id: string, name: string, body: string): OutboundFile => ({ id, name, contentType: 'text/plain', size: body.length, open: async () => Readable.from([Buffer.from(body)]) });
  const files = new Map<string, OutboundFile[]>([['c1', [file('a1', 'log.txt', 'line 1'), file('a2', 'más datos.csv', 'x,y')]]]);
  const adapter: ChannelAdapter = {
    platform: 'test',
    limits: { maxMessageLength: 4000, perChatIntervalMs: 0, perGroupPerMinute: 0, globalPerSecond: 0, ephemeral: false, buttons: false, forms: false },
    parse: async () => [],
    tell: async () => {},
    async post(_t, m, ctx): Promise<SentMessage> {
      calls.push(`post:${ctx.deliveryKey}:${(m as DeliveryMessage & { body?: string }).body ?? m.kind}`);
      return { messageId: `p${calls.length}` };
    },
    async sendDirect(_u, m, ctx) {
      calls.push(`direct:${ctx.deliveryKey}:${(m as { body?: string }).body}`);
      return { messageId: `d${calls.length}` };
    },
    update: async () => undefined,
    delete: async () => undefined,
    async findDelivered(_t, ctx) {
      calls.push(`find:${ctx.deliveryKey}`);
      return uploaded.some((u) => u.key === ctx.deliveryKey) ? { messageId: 'found' } : null;
    },
    ...(opts.postFiles
      ? {
          async postFiles(target, fs, ctx) {
            const bytes: string[] = [];
            for (const f of fs) {
              let s = '';
              for await (const c of await f.open()) s += String(c);
              bytes.push(s);
            }
            uploaded.push({ key: ctx.deliveryKey, names: fs.map((f) => f.name), bytes, threadRef: target.threadRef });
            calls.push(`files:${ctx.deliveryKey}`);
            return fs.map((f) => ({ messageId: `f-${f.id}` }));
          },
        }
      : {}),
  };
  const drain = createThreadDrain({
    repo,
    scheduler: { drainLater: async () => undefined },
    adapters: new Map([['test', adapter]]),
    publicUrl: 'http://help.test',
    log: { info() {}, warn() {}, error() {} },
    files: { outboundFiles: async (id) => files.get(id) ?? [] },
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  });
  return { rows, add, drain, calls, uploaded, claims, tick: (ms: number) => void (clock += ms) };
}

const reply = { body: 'Here are the logs', authorName: 'Ann', public: true, deleted: false };

describe('a comment’s files through the drain', () => {
  it('are handed to postFiles after the text, as their own delivery, with the bytes (under a long claim)', async () => {
    const w = world({ postFiles: true });
    w.add('comment.added', reply);
    w.add('comment.files', reply);
    await w.drain('L1');
    expect(w.claims).toEqual([30_000, FILES_CLAIM_MS]);
    expect(w.calls).toEqual(['post:delivery-1:Here are the logs', 'files:delivery-2']);
    expect(w.uploaded).toEqual([{ key: 'delivery-2', names: ['log.txt', 'más datos.csv'], bytes: ['line 1', 'x,y'], threadRef: 'R' }]);
    expect(w.rows.map((r) => [r.status, r.platformMessageId])).toEqual([['sent', 'p1'], ['sent', 'f-a1']]);
  });

  it('become help-center links where the channel cannot upload (in the direct chat for a direct link)', async () => {
    const w = world({ postFiles: false, direct: true });
    w.add('comment.files', reply);
    await w.drain('L1');
    expect(w.calls).toEqual(['direct:delivery-1:log.txt: http://help.test/attachments/a1/log.txt\nmás datos.csv: http://help.test/attachments/a2/m%C3%A1s%20datos.csv']);
  });

  it('never leave for an internal note or a deleted comment, and a comment without stored files sends nothing', async () => {
    const w = world({ postFiles: true });
    w.add('comment.files', { ...reply, public: false });
    w.add('comment.files', { ...reply, deleted: true });
    w.add('comment.files', reply, 'c-none');
    await w.drain('L1');
    expect(w.calls).toEqual([]);
    expect(w.rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('a files-only comment posts no empty text', async () => {
    const w = world({ postFiles: true });
    w.add('comment.added', { ...reply, body: '  ' });
    w.add('comment.files', { ...reply, body: '  ' });
    await w.drain('L1');
    expect(w.calls).toEqual(['files:delivery-2']);
  });

  it('after a crash between the upload and its commit, looks for it first and does not upload twice', async () => {
    const w = world({ postFiles: true });
    const d = w.add('comment.files', reply);
    // The first drain uploaded (the platform has it under this delivery's key) and died before marking it sent.
    w.uploaded.push({ key: 'delivery-1', names: ['log.txt'], bytes: ['line 1'], threadRef: 'R' });
    Object.assign(d, { status: 'sending', attempts: 1, claimedUntil: new Date(5_000_000 + FILES_CLAIM_MS) });
    w.tick(FILES_CLAIM_MS + 1);
    await w.drain('L1');
    expect(w.calls).toEqual(['find:delivery-1']);
    expect(d).toMatchObject({ status: 'sent', platformMessageId: 'found' });
  });
});
