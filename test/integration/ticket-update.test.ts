/**
 * The store's updateTicket on pg directly (one UPDATE of the patch's columns, src/infra/repos/prisma-store.ts):
 * every field of the port's patch lands in its column with its type, the version goes up by one per update, the
 * transaction's own later read sees the change, and a rollback undoes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/infra/db/prisma.ts';
import { createPrismaStore } from '../../src/infra/repos/prisma-store.ts';
import type { Store } from '../../src/core/ports/store-port.ts';
import { createMigratedDatabase } from '../helpers/test-db.ts';

let db: Db;
let store: Store;
let close: () => Promise<void>;
let requesterId: string;
let agentId: string;

beforeAll(async () => {
  ({ db, close } = await createMigratedDatabase(4));
  store = createPrismaStore(db);
  requesterId = (await db.user.create({ data: { email: 'req@update.example', emailDomain: 'update.example', name: 'Req' } })).id;
  agentId = (await db.user.create({ data: { email: 'agent@update.example', emailDomain: 'update.example', name: 'Agent', role: 'agent' } })).id;
});
afterAll(async () => {
  await close?.();
});

const newTicket = () => db.ticket.create({ data: { subject: 's', description: 'd', via: 'api', requesterId, submitterId: requesterId } });

describe('updateTicket', () => {
  it('writes every field of the patch to its column, one version up', async () => {
    const t = await newTicket();
    const at = (s: string) => new Date(`2026-12-0${s}T10:00:00.123Z`);
    const patch = {
      status: 'solved',
      priority: 'urgent',
      visibility: 'private',
      descriptionPublic: false,
      assigneeId: agentId,
      solvedAt: at('1'),
      closedAt: at('2'),
      tags: ['vpn', 'ошибка', '障害'],
      firstReplyAt: at('3'),
      waitingSince: at('4'),
      firstReplyDueAt: at('5'),
      nextReplyDueAt: at('6'),
      resolutionDueAt: at('7'),
      slaDueAt: at('8'),
      slaCheckAt: at('9'),
    } as const;
    await store.tx((tx) => tx.updateTicket(t.id, { ...patch, tags: [...patch.tags] }));
    // Read back through Prisma's client, which maps each field to its column independently of the raw UPDATE.
    const row = await db.ticket.findUniqueOrThrow({ where: { id: t.id } });
    expect(row).toMatchObject({ ...patch, version: t.version + 1 });
    expect(row.updatedAt.getTime()).toBeGreaterThanOrEqual(t.updatedAt.getTime());
  });

  it('clears with null, leaves what the patch does not name, and the same transaction reads the change', async () => {
    const t = await newTicket();
    await db.ticket.update({ where: { id: t.id }, data: { assigneeId: agentId, tags: ['a'], priority: 'high' } });
    const seen = await store.tx(async (tx) => {
      const before = await tx.lockTicketById(t.id);
      await tx.updateTicket(t.id, { assigneeId: null, tags: [] });
      await tx.updateTicket(t.id, { status: 'open' });
      return { before: before!, after: await tx.readTicket(t.id) };
    });
    expect(seen.after.status).toBe('open');
    expect(seen.after.version).toBe(seen.before.version + 2);
    const row = await db.ticket.findUniqueOrThrow({ where: { id: t.id } });
    expect(row).toMatchObject({ assigneeId: null, tags: [], priority: 'high', status: 'open', version: seen.before.version + 2 });
  });

  it('is undone with its transaction, and refuses a field it has no column for', async () => {
    const t = await newTicket();
    await expect(
      store.tx(async (tx) => {
        await tx.updateTicket(t.id, { status: 'pending' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await db.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('new');
    await expect(store.tx((tx) => tx.updateTicket(t.id, { nope: 1 } as never))).rejects.toThrow(/no column for nope/);
  });
});
