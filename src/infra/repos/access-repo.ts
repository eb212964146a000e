/**
 * The core's AccessPort on PostgreSQL: API tokens (hashes only) and the active flag of agents. Deactivation revokes
 * the tokens and deletes the console sessions in the same transaction, so no request sees a half-deactivated agent.
 */
import type { AccessPort, ApiTokenRecord } from '../../core/ports/access-port.ts';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.ts';
import { sqlOf, type Db } from '../db/prisma.ts';
import { toUser, userInclude, USER_COLUMNS, USER_ORG, userOf } from './prisma-store.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';

const tokenRowSchema = z.object({
  t_id: z.string(),
  t_user_id: z.string(),
  t_label: z.string(),
  t_created_at: z.date(),
  t_last_used_at: z.date().nullable(),
  t_expires_at: z.date().nullable(),
  t_revoked_at: z.date().nullable(),
});

const tokenSelect = { id: true, userId: true, label: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true } as const;

export function createAccessRepo(db: Db): AccessPort {
  return {
    async insertToken(input) {
      return db.apiToken.create({ data: input, select: tokenSelect });
    },

    // Every API call asks: one raw statement on pg directly (src/infra/db/direct-sql.ts).
    async findToken(tokenHash) {
      const rows = await sqlOf(db).rows(Prisma.sql`
        SELECT t.id::text AS t_id, t.user_id::text AS t_user_id, t.label AS t_label, t.created_at AS t_created_at, t.last_used_at AS t_last_used_at,
               t.expires_at AS t_expires_at, t.revoked_at AS t_revoked_at, ${USER_COLUMNS}
        FROM api_tokens t JOIN users u ON u.id = t.user_id ${USER_ORG} WHERE t.token_hash = ${tokenHash}`);
      if (!rows[0]) return null;
      const t = tokenRowSchema.parse(rows[0]);
      const token = { id: t.t_id, userId: t.t_user_id, label: t.t_label, createdAt: t.t_created_at, lastUsedAt: t.t_last_used_at, expiresAt: t.t_expires_at, revokedAt: t.t_revoked_at };
      return { token, user: userOf(rows[0]) };
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
