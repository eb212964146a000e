import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window. Bolt only rejects stale timestamps; we reject future ones too (a skewed or forged clock). */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'future_timestamp' | 'bad_signature' };

export function computeSlackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** Checks the v0 signature over the exact bytes Slack sent. Never throws. */
export function verifySlackSignature(input: {
  signingSecret: string;
  timestamp: string | string[] | undefined;
  signature: string | string[] | undefined;
  rawBody: Buffer;
  nowSeconds?: number;
}): SignatureVerdict {
  const { timestamp, signature } = input;
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || timestamp === '' || signature === '') {
    return { ok: false, reason: 'missing_headers' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const ts = Number(timestamp);
  if (ts < now - SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  if (ts > now + SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'future_timestamp' };
  const expected = Buffer.from(computeSlackSignature(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on different lengths, and the length of a hex digest is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
