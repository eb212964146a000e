/**
 * The core's AccessPort on PostgreSQL: API tokens (hashes only) and the active flag of agents. Deactivation revokes
 * the tokens and deletes the console sessions in the same transaction, so no request sees a half-deactivated agent.
 */
import type { AccessPort, ApiTokenRecord } from '../../core/ports/access-port.ts';
import type { Db } from '../db/prisma.ts';
import { toUser, userInclude } from './prisma-store.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';

const tokenSelect = { id: true, userId: true, label: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true } as const;

export function createAccessRepo(db: Db): AccessPort {
  return {
    async insertToken(input) {
      return db.apiToken.create({ data: input, select: tokenSelect });
    },

    async findToken(tokenHash) {
      const row = await db.apiToken.findUnique({ where: { tokenHash }, select: { ...tokenSelect, user: { include: userInclude } } });
      if (!row) return null;
      const { user, ...token } = row;
      return { token, user: toUser(user) };
    },

    async touchToken(id, at, staleBefore) {
      await db.apiToken.updateMany({
        where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: staleBefore } }] },
        data: { lastUsedAt: at },
      });
    },

    async listTokens(userId): Promise<ApiTokenRecord[]> {
      return db.apiToken.findMany({ where: { userId }, select: tokenSelect, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
    },

    async revokeToken(userId, tokenId, at) {
      await db.apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: at } });
      return db.apiToken.findFirst({ where: { id: tokenId, userId }, select: tokenSelect });
    },

    async listStaff(page) {
      const after = decodeCursor<unknown>(page.cursor);
      const rows = await db.user.findMany({
        where: { role: { in: ['agent', 'admin'] }, ...(typeof after === 'string' ? { email: { gt: after } } : {}) },
        include: userInclude,
        orderBy: { email: 'asc' },
        take: page.limit + 1,
      });
      const items = rows.slice(0, page.limit).map(toUser);
      return { items, nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.email) : null };
    },

    async deactivate(userId, at) {
      await db.$transaction([
        db.user.update({ where: { id: userId }, data: { deactivatedAt: at } }),
        db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } }),
        db.consoleSession.deleteMany({ where: { userId } }),
      ]);
    },

    async reactivate(userId) {
      await db.user.update({ where: { id: userId }, data: { deactivatedAt: null } });
    },
  };
}
