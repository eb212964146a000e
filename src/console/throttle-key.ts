import { createHash } from 'node:crypto';

/** The key a sign-in throttle counts under: the sha256 of what is limited (an email, a client address…). */
export function throttleKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
