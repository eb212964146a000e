/**
 * Help-center sessions, kept in PostgreSQL so that every instance of the service sees the same sessions. The
 * cookie carries a random 32-byte id; the table only its sha256, so a leaked table signs nobody in. A session is
 * of one kind, an agent's or an end user's, fixed when it is made: each kind reaches its own pages only. Every
 * sign-in makes a new session (a new id), so a cookie planted before sign-in is never promoted.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/prisma.ts';
import { SESSION_IDLE_MS, SESSION_MAX_MS, type SessionKind, type SessionRepo, type StoredSession } from '../../core/ports/console-port.ts';

/** Writing last-seen on every request would turn each page view into a write; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

export function createSessionRepo(db: Db, clock: () => Date = () => new Date()): SessionRepo {
  return {
    async create(userId: string, kind: SessionKind): Promise<{ cookieValue: string; session: StoredSession }> {
      const cookieValue = randomBytes(32).toString('base64url');
      const now = clock();
      const session = { idHash: sha256(cookieValue), userId, kind, csrfSecret: randomBytes(24).toString('base64url') };
      await db.consoleSession.create({
        data: { ...session, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) },
      });
      // Sign-in is rare: a good moment to drop sessions that have ended.
      await db.consoleSession.deleteMany({ where: { expiresAt: { lt: now } } });
      return { cookieValue, session };
    },

    /** The live session of this cookie, its expiry pushed forward (idle limit, never past the maximum age). */
    async find(cookieValue: string | undefined): Promise<StoredSession | null> {
      if (!cookieValue || cookieValue.length > 100) return null;
      const idHash = sha256(cookieValue);
      const row = await db.consoleSession.findUnique({ where: { idHash } });
      const now = clock();
      if (!row) return null;
      if (row.expiresAt <= now) {
        await db.consoleSession.deleteMany({ where: { idHash } });
        return null;
      }
      if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
        const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_MAX_MS));
        await db.consoleSession.updateMany({ where: { idHash }, data: { lastSeenAt: now, expiresAt } });
      }
      return { idHash, userId: row.userId, kind: row.kind as SessionKind, csrfSecret: row.csrfSecret };
    },

    async destroy(idHash: string): Promise<void> {
      await db.consoleSession.deleteMany({ where: { idHash } });
    },
  };
}

