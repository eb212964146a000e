/**
 * Authenticates a request from Lark before anything else looks at it. The SDK's dispatcher answers 200 to a bad
 * signature, a failed decryption or a wrong verification token (platforms.md 2.1), so the route calls this first
 * and only hands on what passed.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AESCipher } from '@larksuiteoapi/node-sdk';
import { z } from 'zod';
import { secretEquals } from '../shared/secret-compare.ts';
import {
  encryptedBodySchema,
  jsonOrNull,
  legacyCardSchema,
  urlVerificationSchema,
  v1EnvelopeSchema,
  v2EnvelopeSchema,
} from './lark-schemas.ts';

export interface LarkSecrets {
  encryptKey?: string | undefined;
  verificationToken?: string | undefined;
}

export type VerifiedRequest =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'v2'; body: Record<string, unknown>; eventId: string; eventType: string }
  | { kind: 'v1'; body: Record<string, unknown>; uuid: string; eventType: string }
  | { kind: 'legacy_card'; body: Record<string, unknown>; cardToken: string };

export type VerifyResult = { ok: true; request: VerifiedRequest } | { ok: false; status: 400 | 401; reason: string };

const reject = (status: 400 | 401, reason: string): VerifyResult => ({ ok: false, status, reason });

/** hex(sha256(timestamp + nonce + encryptKey + body)): Lark's v2 signature, plain SHA-256 and not an HMAC. */
export function larkSignature(timestamp: string, nonce: string, encryptKey: string, raw: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(raw).digest('hex');
}

/** hex(sha1(timestamp + nonce + verificationToken + body)): the signature of legacy card callbacks. */
export function legacyCardSignature(timestamp: string, nonce: string, token: string, raw: Buffer | string): string {
  return createHash('sha1').update(timestamp + nonce + token).update(raw).digest('hex');
}

/** AES-256-CBC with key sha256(encryptKey), the IV first (the SDK's cipher); throws on a wrong key or length. */
export const decryptLarkPayload = (encrypt: string, encryptKey: string) => new AESCipher(encryptKey).decrypt(encrypt);

const jsonObject = z.record(z.string(), z.unknown());
const parseObject = (text: string) => jsonObject.safeParse(jsonOrNull(text)).data ?? null;

const SIGNATURE_HEADERS = ['x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature'];

function signatureHeaders(headers: IncomingHttpHeaders) {
  const [timestamp, nonce, signature] = SIGNATURE_HEADERS.map((name) => headers[name]);
  if (typeof timestamp !== 'string' || typeof nonce !== 'string' || typeof signature !== 'string') return null;
  return timestamp && nonce && signature ? { timestamp, nonce, signature } : null;
}

/**
 * Checks, in Lark's order: JSON, then (with an encrypt key) the SHA-256 signature over the raw bytes, then
 * decryption, then the verification token inside. Legacy card callbacks (no schema, not encrypted) carry a SHA-1
 * signature keyed by the verification token instead.
 *
 * No replay window is enforced: Lark's retries (up to 6 h later) are not documented to be re-signed, and a replayed
 * event is harmless because the inbox records each event id once.
 */
export function verifyLarkRequest(raw: Buffer, headers: IncomingHttpHeaders, secrets: LarkSecrets): VerifyResult {
  const { encryptKey, verificationToken } = secrets;
  // The config refuses to start Lark like this; should it ever be reached, nothing is taken on trust.
  if (!encryptKey && !verificationToken) return reject(401, 'no verification token or encrypt key configured');
  const outer = parseObject(raw.toString('utf8'));
  if (!outer) return reject(400, 'body is not a JSON object');
  const sig = signatureHeaders(headers);
  const signed = (sign: typeof larkSignature, secret: string) =>
    sig !== null && secretEquals(sign(sig.timestamp, sig.nonce, secret, raw), sig.signature);
  const tokenOk = (token: string | undefined) => !verificationToken || secretEquals(verificationToken, token);

  let body = outer;
  const encrypted = encryptedBodySchema.safeParse(outer);
  if (!encrypted.success && 'encrypt' in outer) return reject(400, 'malformed encrypt field');
  if (encrypted.success) {
    if (!encryptKey) return reject(401, 'encrypted body but no encrypt key configured');
    if (sig && !signed(larkSignature, encryptKey)) return reject(401, 'bad signature');
    let inner: Record<string, unknown> | null;
    try {
      inner = parseObject(decryptLarkPayload(encrypted.data.encrypt, encryptKey));
    } catch {
      inner = null;
    }
    if (!inner) return reject(401, 'decryption failed');
    // An unsigned body is only acceptable for the URL challenge, where decrypting proves the key.
    if (!sig && inner['type'] !== 'url_verification') return reject(401, 'missing signature');
    body = inner;
  }

  const isLegacyCard = !encrypted.success && !('schema' in body) && body['type'] !== 'url_verification' && 'action' in body;
  if (!encrypted.success && encryptKey && !isLegacyCard) {
    if (!sig) return reject(401, 'missing signature');
    if (!signed(larkSignature, encryptKey)) return reject(401, 'bad signature');
  }

  const challenge = urlVerificationSchema.safeParse(body);
  if (challenge.success) {
    if (!tokenOk(challenge.data.token)) return reject(401, 'bad token');
    return { ok: true, request: { kind: 'challenge', challenge: challenge.data.challenge } };
  }

  if ('schema' in body) {
    const v2 = v2EnvelopeSchema.safeParse(body);
    if (!v2.success) return reject(400, 'malformed 2.0 event');
    if (!tokenOk(v2.data.header.token)) return reject(401, 'bad token');
    return { ok: true, request: { kind: 'v2', body, eventId: v2.data.header.event_id, eventType: v2.data.header.event_type } };
  }

  if (isLegacyCard) {
    const card = legacyCardSchema.safeParse(body);
    // Legacy callbacks are signed with the verification token only; without it they cannot be trusted.
    if (!verificationToken) return reject(401, 'legacy card callback needs a verification token');
    if (!signed(legacyCardSignature, verificationToken)) return reject(401, 'bad legacy card signature');
    if (!card.success) return reject(400, 'malformed card callback');
    return { ok: true, request: { kind: 'legacy_card', body, cardToken: card.data.token } };
  }

  const v1 = v1EnvelopeSchema.safeParse(body);
  if (v1.success) {
    if (!tokenOk(v1.data.token)) return reject(401, 'bad token');
    return { ok: true, request: { kind: 'v1', body, uuid: v1.data.uuid, eventType: v1.data.event.type } };
  }
  return reject(400, 'unknown payload shape');
}

/**
 * The copy of a verified body that goes into the inbox: the verification token is a secret and is not needed once
 * the request passed, so it is not stored.
 */
export function storableBody(request: Exclude<VerifiedRequest, { kind: 'challenge' }>): Record<string, unknown> {
  if (request.kind === 'v2') {
    const { header, ...rest } = v2EnvelopeSchema.parse(request.body);
    const { token: _token, ...safeHeader } = header;
    return { ...rest, header: safeHeader };
  }
  if (request.kind === 'v1') {
    const { token: _token, ...rest } = v1EnvelopeSchema.parse(request.body);
    return rest;
  }
  return structuredClone(request.body);
}
