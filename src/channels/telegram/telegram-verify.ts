import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares the X-Telegram-Bot-Api-Secret-Token header with the configured secret in constant time. Both sides are
 * hashed first so that neither the comparison nor an early length check tells an attacker how long the secret is.
 */
export function secretMatches(expected: string, received: string | string[] | undefined): boolean {
  if (typeof received !== 'string' || expected.length === 0) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(received, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** What Telegram accepts as secret_token in setWebhook. */
export const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
