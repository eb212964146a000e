/**
 * Sign-in throttling in PostgreSQL, shared by every instance: a key (the sha256 of what is limited, e.g. an email
 * and the client's address) may be admitted `limit` times per window. Admitting is one statement, an upsert whose
 * row lock puts concurrent attempts in a line: 25 parallel guesses against a limit of 5 get 5 evaluations, not 25.
 * The window starts at the first attempt and ends `windowMs` later (a fixed window, like @fastify/rate-limit's).
 */
import type { Db } from '../db/prisma.ts';
import type { Admission, ThrottleRepo } from '../../core/ports/console-port.ts';

export function createThrottleRepo(db: Db, clock: () => Date = () => new Date()): ThrottleRepo {
  return {
    async admit(key: string, limit: number, windowMs: number): Promise<Admission> {
      const now = clock();
      const windowEnded = new Date(now.getTime() - windowMs);
      const rows = await db.$queryRaw<{ hits: number }[]>`
        INSERT INTO sign_in_throttles AS t (key_hash, window_start, hits) VALUES (${key}, ${now}, 1)
        ON CONFLICT (key_hash) DO UPDATE SET
          hits = CASE WHEN t.window_start <= ${windowEnded} THEN 1 ELSE t.hits + 1 END,
          window_start = CASE WHEN t.window_start <= ${windowEnded} THEN ${now} ELSE t.window_start END
        WHERE t.window_start <= ${windowEnded} OR t.hits < ${limit}
        RETURNING hits`;
      if (rows.length > 0) return { admitted: true };
      const row = await db.signInThrottle.findUnique({ where: { keyHash: key }, select: { windowStart: true } });
      const endsIn = row ? row.windowStart.getTime() + windowMs - now.getTime() : windowMs;
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(endsIn / 1000)) };
    },

    /** A successful sign-in forgives the failures before it. */
    async clear(key: string): Promise<void> {
      await db.signInThrottle.deleteMany({ where: { keyHash: key } });
    },

    /** Rows whose window ended a day ago count for nothing. */
    async purge(): Promise<number> {
      return (await db.signInThrottle.deleteMany({ where: { windowStart: { lt: new Date(clock().getTime() - 86_400_000) } } })).count;
    },
  };
}

