/**
 * Console sessions and sign-in throttling, kept in PostgreSQL so that every instance of the service sees the same
 * sessions and the same failure counts. The cookie carries a random 32-byte id; the table only its sha256, so a
 * leaked table signs nobody in.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../infra/db/prisma.ts';

export const SESSION_IDLE_MS = 12 * 3_600_000;
export const SESSION_MAX_MS = 7 * 86_400_000;
/** Writing last-seen on every request would turn each page view into a write; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_MAX_FAILURES = 5;

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

export interface StoredSession {
  idHash: string;
  userId: string;
  csrfSecret: string;
}

export function createSessionStore(db: Db, clock: () => Date = () => new Date()) {
  return {
    async create(userId: string): Promise<{ cookieValue: string; session: StoredSession }> {
      const cookieValue = randomBytes(32).toString('base64url');
      const now = clock();
      const session = { idHash: sha256(cookieValue), userId, csrfSecret: randomBytes(24).toString('base64url') };
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
      return { idHash, userId: row.userId, csrfSecret: row.csrfSecret };
    },

    async destroy(idHash: string): Promise<void> {
      await db.consoleSession.deleteMany({ where: { idHash } });
    },

    /** The throttle key of one email from one address; hashed so the table holds no addresses. */
    signInKey(email: string, ip: string): string {
      return sha256(`${email.trim().toLowerCase()}\n${ip}`);
    },

    async recentFailures(keyHash: string): Promise<number> {
      return db.consoleSignInFailure.count({ where: { keyHash, createdAt: { gt: new Date(clock().getTime() - SIGN_IN_WINDOW_MS) } } });
    },

    async recordFailure(keyHash: string): Promise<void> {
      const now = clock();
      await db.consoleSignInFailure.create({ data: { keyHash, createdAt: now } });
      await db.consoleSignInFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - SIGN_IN_WINDOW_MS) } } });
    },

    async clearFailures(keyHash: string): Promise<void> {
      await db.consoleSignInFailure.deleteMany({ where: { keyHash } });
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
