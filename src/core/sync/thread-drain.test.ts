/**
 * The drain's decisions with no database: a repository in memory with the same claim semantics as the SQL one
 * (pending, or sending with a lease that ran out), a channel that records what it was asked to send and fails on
 * demand, and a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import { ChannelSendError, type ChannelAdapter, type OutboundContext, type SentMessage, type ThreadTarget } from '../ports/channel-port.ts';
import type { DeliveryMessage } from '../chat/chat-messages.ts';
import { CLAIM_MS, createThreadDrain, type DrainRepo, type PendingDelivery, type ThreadLinkRow } from './thread-drain.ts';

type Row = Omit<PendingDelivery, 'status'> & { status: 'pending' | 'sending' | 'sent' | 'failed'; platformMessageId: string | null; lastError: string | null };

function world() {
  let clock = 1_000_000;
  const link: ThreadLinkRow = { id: 'L1', ticketId: 'T1', platform: 'test', workspaceId: 'W', chatId: 'C', threadRef: 'R', directUserId: null, locale: 'en', status: 'active', brokenReason: null };
  const rows: Row[] = [];
  const scheduled: { linkId: string; at: number }[] = [];
  const ticket = { number: 7, subject: 'Backup failed', status: 'open' as const, priority: 'normal' as const, visibility: 'public' as const };
  let nextId = 1;
  const add = (type: string, payload: Record<string, unknown> = {}, comment: Row['comment'] = null) => {
    const r: Row = { id: String(nextId++), status: 'pending', attempts: 0, claimedUntil: null, event: { type, payload, createdAt: new Date(clock) }, ticket: { ...ticket }, comment, deliveredMessageId: null, platformMessageId: null, lastError: null };
    rows.push(r);
    return r;
  };
  const repo: DrainRepo = {
    loadThreadLink: async (id) => (id === link.id ? { ...link } : null),
    nextDelivery: async () => {
      const r = rows.find((x) => x.status === 'pending' || x.status === 'sending');
      return r ? ({ ...r, status: r.status as 'pending' | 'sending' } as PendingDelivery) : null;
    },
    claimDelivery: async (id, until) => {
      const r = rows.find((x) => x.id === id)!;
      const free = r.status === 'pending' || (r.status === 'sending' && (r.claimedUntil === null || r.claimedUntil.getTime() <= clock));
      if (!free) return false;
      Object.assign(r, { status: 'sending', attempts: r.attempts + 1, claimedUntil: until });
      return true;
    },
    markDeliverySent: async (id, mid, note) => void Object.assign(rows.find((x) => x.id === id)!, { status: 'sent', platformMessageId: mid, claimedUntil: null, lastError: note ?? null }),
    markDeliveryFailed: async (id, reason) => void Object.assign(rows.find((x) => x.id === id)!, { status: 'failed', lastError: reason, claimedUntil: null }),
    noteDeliveryError: async (id, reason, nothingSent) => {
      const r = rows.find((x) => x.id === id)!;
      Object.assign(r, { lastError: reason, claimedUntil: null, ...(nothingSent ? { status: 'pending' } : {}) });
    },
    breakThreadLink: async (_id, reason) => {
      Object.assign(link, { status: 'broken', brokenReason: reason });
      for (const r of rows) if (r.status === 'pending' || r.status === 'sending') Object.assign(r, { status: 'failed', lastError: `thread link broken: ${reason}` });
    },
    moveThreadLink: async (_id, chatId) => void (link.chatId = chatId),
  };
  const sent: { target: ThreadTarget; message: DeliveryMessage; key: string }[] = [];
  const calls: string[] = [];
  let failNext: Error[] = [];
  let posted = 0;
  let gate: Promise<void> | null = null;
  const adapter: ChannelAdapter = {
    platform: 'test',
    limits: { maxMessageLength: 4000, perChatIntervalMs: 0, perGroupPerMinute: 0, globalPerSecond: 0, ephemeral: false, buttons: false, forms: false },
    parse: async () => [],
    tell: async () => {},
    async post(target, message, ctx: OutboundContext): Promise<SentMessage> {
      calls.push(`post:${ctx.deliveryKey}`);
      if (gate) await gate;
      const f = failNext.shift();
      if (f) throw f;
      sent.push({ target, message: message as DeliveryMessage, key: ctx.deliveryKey });
      return { messageId: `m${++posted}` };
    },
    async sendDirect() {
      throw new Error('not used');
    },
    async update(_t, messageId, message) {
      calls.push(`update:${messageId}:${(message as { body?: string }).body}`);
    },
    async delete(_t, messageId) {
      calls.push(`delete:${messageId}`);
    },
    async findDelivered(_t, ctx) {
      calls.push(`find:${ctx.deliveryKey}`);
      const s = sent.find((x) => x.key === ctx.deliveryKey);
      return s ? { messageId: 'found' } : null;
    },
  };
  const log = { info() {}, warn() {}, error() {} };
  const drain = createThreadDrain({
    repo,
    scheduler: { drainLater: async (linkId, at) => void scheduled.push({ linkId, at: at.getTime() }) },
    adapters: new Map([['test', adapter]]),
    publicUrl: 'http://help.test',
    log,
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    random: () => 0.5,
  });
  return {
    rows, link, add, drain, sent, calls, scheduled, adapter,
    tick: (ms: number) => void (clock += ms),
    failWith: (...e: Error[]) => void (failNext = e),
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

describe('the thread drain, without a database', () => {
  it('sends the thread oldest first and records the platform ids', async () => {
    const w = world();
    w.add('ticket.created', { status: 'new' });
    w.add('comment.added', { commentId: 'c1' }, { body: 'Try a restart', authorName: 'Ann', public: true, deleted: false });
    await w.drain('L1');
    expect(w.sent.map((s) => s.message.kind)).toEqual(['ticket_confirmation', 'agent_reply']);
    expect(w.sent[1]!.message).toMatchObject({ body: 'Try a restart', ticket: { url: 'http://help.test/tickets/7' } });
    expect(w.rows.map((r) => [r.status, r.platformMessageId])).toEqual([['sent', 'm1'], ['sent', 'm2']]);
    expect(w.sent[0]!.target).toEqual({ platform: 'test', workspaceId: 'W', chatId: 'C', threadRef: 'R' });
  });

  it('after a crash between sending and sent, asks the platform first and does not send twice', async () => {
    const w = world();
    const d = w.add('ticket.created', { status: 'new' });
    // The first drain claimed the delivery and the platform took the message; then the process died.
    Object.assign(d, { status: 'sending', attempts: 1, claimedUntil: new Date(1_000_000 + CLAIM_MS) });
    w.sent.push({ target: { platform: 'test', workspaceId: 'W', chatId: 'C', threadRef: 'R' }, message: { kind: 'ticket_confirmation', ticket: { number: 7, subject: '', status: 'new', priority: 'normal', url: '' } }, key: `delivery-${d.id}` });
    w.tick(CLAIM_MS + 1);
    await w.drain('L1');
    expect(w.calls).toEqual([`find:delivery-${d.id}`]);
    expect(d).toMatchObject({ status: 'sent', platformMessageId: 'found' });
    expect(w.sent).toHaveLength(1);
  });

  it('after a crash before the platform answered, sends it once more when it is not there', async () => {
    const w = world();
    const d = w.add('ticket.created', { status: 'new' });
    Object.assign(d, { status: 'sending', attempts: 1, claimedUntil: new Date(0) });
    await w.drain('L1');
    expect(w.calls).toEqual([`find:delivery-${d.id}`, `post:delivery-${d.id}`]);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('on a 429 waits what the platform asked, puts the delivery back and keeps its place', async () => {
    const w = world();
    const first = w.add('ticket.created', { status: 'new' });
    w.add('ticket.status_changed', { from: 'new', to: 'pending' });
    w.failWith(new ChannelSendError('rate_limited', 'ratelimited', 30_000));
    await w.drain('L1');
    expect(first).toMatchObject({ status: 'pending', lastError: 'ratelimited', claimedUntil: null });
    expect(w.rows[1]!.status).toBe('pending');
    expect(w.scheduled).toHaveLength(1);
    const waited = w.scheduled[0]!.at - (first.event.createdAt.getTime());
    expect(waited).toBeGreaterThanOrEqual(30_000);
    expect(waited).toBeLessThan(30_000 + 250);
    // The retry sends both, in order, with no lookup (nothing was posted).
    await w.drain('L1');
    expect(w.sent.map((s) => s.message.kind)).toEqual(['ticket_confirmation', 'status_changed']);
    expect(w.calls.filter((c) => c.startsWith('find'))).toEqual([]);
  });

  it('on a 5xx retries with backoff, and the retry looks whether the message arrived after all', async () => {
    const w = world();
    const d = w.add('ticket.created', { status: 'new' });
    w.failWith(new ChannelSendError('transient', 'HTTP 502'));
    await w.drain('L1');
    expect(d).toMatchObject({ status: 'sending', claimedUntil: null, lastError: 'HTTP 502' });
    expect(w.scheduled).toHaveLength(1);
    await w.drain('L1');
    expect(w.calls).toEqual([`post:delivery-${d.id}`, `find:delivery-${d.id}`, `post:delivery-${d.id}`]);
    expect(d.status).toBe('sent');
  });

  it('on a permanent error breaks the thread link and fails what waits in it', async () => {
    const w = world();
    w.add('ticket.created', { status: 'new' });
    w.add('ticket.status_changed', { from: 'new', to: 'open' });
    w.failWith(new ChannelSendError('permanent', 'channel_not_found'));
    await w.drain('L1');
    expect(w.link).toMatchObject({ status: 'broken', brokenReason: 'channel_not_found' });
    expect(w.rows.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(w.scheduled).toEqual([]);
  });

  it('two drains of one thread at once send every message exactly once', async () => {
    const w = world();
    w.add('ticket.created', { status: 'new' });
    w.add('comment.added', { commentId: 'c1' }, { body: 'One', authorName: 'Ann', public: true, deleted: false });
    const release = w.hold();
    const a = w.drain('L1');
    await new Promise((r) => setTimeout(r, 5));
    const b = w.drain('L1'); // sees the first delivery claimed by `a`: steps aside until the claim runs out
    await new Promise((r) => setTimeout(r, 5));
    release();
    await Promise.all([a, b]);
    expect(w.sent.map((s) => s.key)).toEqual(['delivery-1', 'delivery-2']);
    expect(w.scheduled.length).toBeGreaterThanOrEqual(1);
    // The drain that stepped aside comes back and finds nothing left.
    await w.drain('L1');
    expect(w.sent).toHaveLength(2);
  });

  it('never sends anything of a private ticket, nor an internal or deleted comment', async () => {
    const w = world();
    const p = w.add('ticket.created', { status: 'new' });
    p.ticket.visibility = 'private';
    w.add('comment.added', { commentId: 'c1' }, { body: 'internal', authorName: 'Ann', public: false, deleted: false });
    w.add('comment.added', { commentId: 'c2' }, { body: 'gone', authorName: 'Ann', public: true, deleted: true });
    await w.drain('L1');
    expect(w.calls).toEqual([]);
    expect(w.rows.map((r) => [r.status, r.lastError])).toEqual([['sent', 'nothing to send'], ['sent', 'nothing to send'], ['sent', 'nothing to send']]);
  });

  it("an agent's edit and delete of a public reply change the message that carried it", async () => {
    const w = world();
    const edit = w.add('comment.edited', { commentId: 'c1' }, { body: 'Try a restart, then call us', authorName: 'Ann', public: true, deleted: false });
    edit.deliveredMessageId = 'm9';
    const del = w.add('comment.deleted', { commentId: 'c1' }, { body: '', authorName: 'Ann', public: true, deleted: true });
    del.deliveredMessageId = 'm9';
    const never = w.add('comment.edited', { commentId: 'c2' }, { body: 'x', authorName: 'Ann', public: true, deleted: false });
    await w.drain('L1');
    expect(w.calls).toEqual(['update:m9:Try a restart, then call us', 'delete:m9']);
    expect(never).toMatchObject({ status: 'sent', lastError: 'nothing to send' });
  });
});
