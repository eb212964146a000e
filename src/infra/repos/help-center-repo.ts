/**
 * The help center's customer side on PostgreSQL: a requester's own tickets and their search, chat accounts,
 * preferences, and one-time sign-in links (their hashes). See src/core/ports/help-center-port.ts.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import type { RequesterRepo, SignInLinkRepo } from '../../core/ports/help-center-port.ts';
import { readTicketsInOrder } from './prisma-store.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';
import { UUID_RE } from '../../core/text-rules.ts';

const accountSelect = { id: true, platform: true, workspaceId: true, platformUserId: true, displayName: true, createdAt: true } as const;

export function createRequesterRepo(db: Db): RequesterRepo {
  return {
    async listRequesterTickets(userId, query, page) {
      const raw = decodeCursor<unknown>(page.cursor);
      const after = typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 && raw <= 2_147_483_647 ? raw : null;
      const contains = (v: string) => ({ contains: v, mode: 'insensitive' as const });
      const where: Prisma.TicketWhereInput = {
        requesterId: userId,
        visibility: 'public',
        ...(after ? { number: { lt: after } } : {}),
        ...(query
          ? {
              OR: [
                { subject: contains(query) },
                // Only text the requester can read: an internal description or note must not make a ticket match.
                { descriptionPublic: true, description: contains(query) },
                { comments: { some: { public: true, deletedAt: null, body: contains(query) } } },
                ...(/^#?\d{1,9}$/.test(query) ? [{ number: Number(query.replace('#', '')) }] : []),
              ],
            }
          : {}),
      };
      // The filter through the client, the tickets through the one raw ticket read (ticket-row-sql.ts).
      const rows = await db.ticket.findMany({ where, select: { id: true }, orderBy: [{ number: 'desc' }], take: page.limit + 1 });
      const items = await readTicketsInOrder(db, rows.slice(0, page.limit).map((r) => r.id));
      return { items, nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.number) : null };
    },

    listChatAccounts: (userId) => db.chatIdentity.findMany({ where: { userId }, select: accountSelect, orderBy: { createdAt: 'asc' } }),

    async unlinkChatAccount(userId, accountId) {
      if (!UUID_RE.test(accountId)) return null;
      return db.$transaction(async (tx) => {
        const account = await tx.chatIdentity.findFirst({ where: { id: accountId, userId }, select: accountSelect });
        if (!account) return null;
        await tx.chatIdentity.delete({ where: { id: account.id } });
        // News of their tickets stops going to that account's direct chat; group threads stay (they belong to the group).
        await tx.chatThreadLink.updateMany({
          where: { platform: account.platform, workspaceId: account.workspaceId, directUserId: account.platformUserId, status: 'active', ticket: { requesterId: userId } },
          data: { status: 'broken', brokenReason: 'chat account unlinked by its owner' },
        });
        return account;
      });
    },

    async getPreferences(userId) {
      return db.user.findUnique({ where: { id: userId }, select: { locale: true, localeChosen: true, emailReplies: true } });
    },

    async setPreferences(userId, patch) {
      await db.user.update({
        where: { id: userId },
        data: {
          ...(patch.locale !== undefined ? { locale: patch.locale, localeChosen: true } : {}),
          ...(patch.emailReplies !== undefined ? { emailReplies: patch.emailReplies } : {}),
        },
      });
    },
  };
}

export function createSignInLinkRepo(db: Db): SignInLinkRepo {
  return {
    async insert(link) {
      await db.signInLink.create({ data: link });
    },

    async consume(tokenHash, now) {
      // One statement: of two requests with the same link, the row lock lets exactly one see used_at still null.
      const used = await db.$queryRaw<{ user_id: string; next_path: string | null }[]>`
        UPDATE sign_in_links SET used_at = ${now} WHERE token_hash = ${tokenHash} AND used_at IS NULL AND expires_at > ${now}
        RETURNING user_id, next_path`;
      if (used[0]) return { userId: used[0].user_id, nextPath: used[0].next_path };
      const row = await db.signInLink.findUnique({ where: { tokenHash }, select: { usedAt: true } });
      return !row ? 'invalid' : row.usedAt ? 'used' : 'expired';
    },

    async peek(tokenHash, now) {
      const row = await db.signInLink.findUnique({ where: { tokenHash }, select: { usedAt: true, expiresAt: true } });
      if (!row) return 'invalid';
      if (row.usedAt) return 'used';
      return row.expiresAt > now ? 'valid' : 'expired';
    },

    async purge(before) {
      return (await db.signInLink.deleteMany({ where: { expiresAt: { lt: before } } })).count;
    },
  };
}
