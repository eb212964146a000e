import { createHash } from 'node:crypto';

/** Lark's `uuid` (send/reply idempotency key) holds at most 50 characters. */
const MAX = 50;

/** The delivery key as Lark's uuid: itself when it fits, else a stable digest of it. */
export function larkUuid(deliveryKey: string): string {
  if (deliveryKey.length <= MAX) return deliveryKey;
  return `d-${createHash('sha256').update(deliveryKey).digest('base64url')}`;
}
