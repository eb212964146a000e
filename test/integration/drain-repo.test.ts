/**
 * The drain's repository on real PostgreSQL: the read of a thread's next delivery claims it in the same statement
 * (as claimDelivery would: pending, or sending with a lease that ran out), shows the row as it was before the
 * claim, and makes the drain's claimDelivery of it free; a drainLater instead (a pacing wait) gives the claim back;
 * a mark without a send gives its attempt back; a longer claim (a comment's files) extends it; a delivery another
 * drain holds is not claimed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_MS, FILES_CLAIM_MS } from '../../src/core/sync/thread-drain.ts';
import type { Db } from '../../src/infra/db/prisma.ts';
import { createDrainRepo } from '../../src/infra/sync/drain-repo.ts';
import { createMigratedDatabase } from '../helpers/test-db.ts';

let db: Db;
let close: () => Promise<void>;
let userId = '';
let seq = 0;

beforeAll(async () => {
  ({ db, close } = await createMigratedDatabase());
  userId = (await db.user.create({ data: { email: 'repo.requester@example.com', emailDomain: 'example.com', name: 'R' } })).id;
});
afterAll(async () => {
  await close?.();
});

/** A thread link with `n` pending deliveries of comment events, oldest first. */
async function threadWith(n: number): Promise<{ link: string; deliveries: string[] }> {
  const t = await db.ticket.create({ data: { subject: 's', description: 'd', via: 'api', requesterId: userId, submitterId: userId } });
  const l = await db.chatThreadLink.create({ data: { ticketId: t.id, platform: 'test', workspaceId: 'w', chatId: `C${++seq}`, threadRef: `r${seq}` } });
  const deliveries: string[] = [];
  for (let i = 0; i < n; i++) {
    const o = await db.outboxEvent.create({ data: { ticketId: t.id, type: 'ticket.status_changed', payload: { number: t.number, from: 'new', to: 'open' } } });
    deliveries.push(String((await db.delivery.create({ data: { outboxEventId: o.id, threadLinkId: l.id } })).id));
  }
  return { link: l.id, deliveries };
}
const row = async (id: string) => {
  const d = await db.delivery.findUniqueOrThrow({ where: { id: BigInt(id) } });
  return { status: d.status, attempts: d.attempts, claimedUntil: d.claimedUntil };
};

/** Counts the statements sent through pg while `fn` runs. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    statements.push((typeof q === 'string' ? q : (q?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 40));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    return { result: await fn(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

describe('the next delivery of a thread', () => {
  it('is claimed by its read, shown as it was, and its claimDelivery costs no statement', async () => {
    const repo = createDrainRepo(db);
    const { link, deliveries } = await threadWith(2);
    const before = Date.now();
    const d = await repo.nextDelivery(link);
    // What the drain decides on: the row before the claim.
    expect(d).toMatchObject({ id: deliveries[0], status: 'pending', attempts: 0, claimedUntil: null });
    const claimed = await row(deliveries[0]!);
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    expect(claimed.claimedUntil!.getTime()).toBeGreaterThanOrEqual(before + CLAIM_MS);
    const { result, statements } = await counted(() => repo.claimDelivery(d!.id, new Date(Date.now() + CLAIM_MS)));
    expect(result).toBe(true);
    expect(statements).toEqual([]);
    // Sent: the mark goes with the next read, which claims the second.
    await repo.markDeliverySent(d!.id, 'm1', undefined, link);
    const next = await repo.nextDelivery(link);
    expect(next).toMatchObject({ id: deliveries[1], status: 'pending', attempts: 0 });
    expect(await row(deliveries[0]!)).toMatchObject({ status: 'sent', claimedUntil: null });
    expect(await row(deliveries[1]!)).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('is given back as it was by a drainLater of its thread (a pacing wait), in the same statement', async () => {
    const repo = createDrainRepo(db);
    const { link, deliveries } = await threadWith(1);
    await repo.nextDelivery(link);
    const runAt = new Date(Date.now() + 60_000);
    const { statements } = await counted(() => repo.drainLater(link, runAt));
    expect(statements).toHaveLength(1);
    expect(await row(deliveries[0]!)).toEqual({ status: 'pending', attempts: 0, claimedUntil: null });
    expect((await db.threadDrain.findUniqueOrThrow({ where: { threadLinkId: link } })).runAt).toEqual(runAt);
    // Read again: claimed again.
    await repo.nextDelivery(link);
    expect(await row(deliveries[0]!)).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('gives the attempt back when it is marked without a send (nothing to send, found delivered)', async () => {
    const repo = createDrainRepo(db);
    const { link, deliveries } = await threadWith(2);
    const d = await repo.nextDelivery(link);
    await repo.markDeliverySent(d!.id, null, 'nothing to send', link);
    await repo.nextDelivery(link);
    expect(await row(deliveries[0]!)).toEqual({ status: 'sent', attempts: 0, claimedUntil: null });
    // Sent for real: the attempt stays.
    expect(await repo.claimDelivery(deliveries[1]!, new Date(Date.now() + CLAIM_MS))).toBe(true);
    await repo.markDeliverySent(deliveries[1]!, 'm2');
    expect(await row(deliveries[1]!)).toEqual({ status: 'sent', attempts: 1, claimedUntil: null });
  });

  it('gets the longer claim a comment’s files ask for', async () => {
    const repo = createDrainRepo(db);
    const { link, deliveries } = await threadWith(1);
    const d = await repo.nextDelivery(link);
    const until = new Date(Date.now() + FILES_CLAIM_MS);
    expect(await repo.claimDelivery(d!.id, until)).toBe(true);
    expect((await row(deliveries[0]!)).claimedUntil).toEqual(until);
  });

  it('is not claimed while another drain holds it, and its claimDelivery is then refused', async () => {
    const repo = createDrainRepo(db);
    const { link, deliveries } = await threadWith(1);
    const held = new Date(Date.now() + CLAIM_MS);
    await db.delivery.update({ where: { id: BigInt(deliveries[0]!) }, data: { status: 'sending', attempts: 1, claimedUntil: held } });
    const d = await repo.nextDelivery(link);
    expect(d).toMatchObject({ status: 'sending', attempts: 1, claimedUntil: held });
    expect(await row(deliveries[0]!)).toEqual({ status: 'sending', attempts: 1, claimedUntil: held });
    expect(await repo.claimDelivery(d!.id, new Date(Date.now() + CLAIM_MS))).toBe(false);
    // A lease that ran out is taken over by the read, its row shown as the crashed drain left it.
    await db.delivery.update({ where: { id: BigInt(deliveries[0]!) }, data: { claimedUntil: new Date(Date.now() - 1000) } });
    const again = await repo.nextDelivery(link);
    expect(again).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await row(deliveries[0]!)).toMatchObject({ status: 'sending', attempts: 2 });
  });
});
