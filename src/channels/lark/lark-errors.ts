/**
 * Lark failures as the sync engine understands them. Lark reports errors both as HTTP 4xx/5xx and as HTTP 200 with
 * a non-zero `code` (platforms.md 2.4), so both paths end here.
 */
import type { ChannelSendError } from '../../core/ports/channel-port.ts';
import { refusalError } from '../shared/send-error.ts';
import { LarkHttpError, LarkNetworkError } from './lark-http.ts';
import { apiResponseSchema } from './lark-schemas.ts';

export const LARK_CODES = {
  rateLimited: 99991400,
  chatRateLimited: 230020,
  messageRecalled: 230011,
} as const;

/** Codes that mean our tenant token went bad (invalid, missing, expired): fetch a new one and try again later. */
const TOKEN_CODES = new Set([99991663, 99991661, 99991677]);

const DEFAULT_RETRY_MS = 1_000;

function retryAfterMs(headers: Record<string, string> | undefined): number {
  const reset = Number(headers?.['x-ogw-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? Math.ceil(reset * 1000) : DEFAULT_RETRY_MS;
}

export interface LarkFailure {
  status: number | null;
  code: number | null;
  msg: string;
  headers?: Record<string, string> | undefined;
}

export function isTokenFailure(f: LarkFailure): boolean {
  return f.code !== null && TOKEN_CODES.has(f.code);
}

export function toChannelSendError(f: LarkFailure): ChannelSendError {
  const what = `lark: ${f.status === null ? 'no answer' : `HTTP ${f.status}`} code ${f.code ?? 'none'} ${f.msg}`.trim();
  // The per-chat limit has no reset header; Lark's window is one second.
  if (f.code === LARK_CODES.chatRateLimited) return refusalError(what, 429, DEFAULT_RETRY_MS);
  // A rejected tenant token is dropped and fetched again: the send is tried again, as if Lark had not answered.
  const status = f.code === LARK_CODES.rateLimited ? 429 : isTokenFailure(f) ? null : f.status;
  return refusalError(what, status, retryAfterMs(f.headers));
}

/** Whatever a client call threw, as a LarkFailure (unknown errors count as no answer, i.e. transient). */
export function failureOf(e: unknown): LarkFailure {
  if (e instanceof LarkHttpError) {
    const body = apiResponseSchema.safeParse(e.body).data;
    return { status: e.status, code: body?.code ?? null, msg: body?.msg?.slice(0, 200) ?? '', headers: e.headers };
  }
  if (e instanceof LarkNetworkError) return { status: null, code: null, msg: e.message };
  return { status: null, code: null, msg: e instanceof Error ? e.message.slice(0, 200) : 'unknown error' };
}
