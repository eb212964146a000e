import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a received secret (a header, a token, a signature) with the expected one in constant time. Both sides
 * are hashed first, so that neither the comparison nor an early length check tells an attacker how long it is.
 * Nothing matches an empty expected secret.
 */
export function secretEquals(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || expected.length === 0) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(received));
}
