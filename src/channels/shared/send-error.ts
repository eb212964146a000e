/**
 * What the sync engine does with a platform's refusal, the same for every chat channel: HTTP 429 waits as long as
 * the platform asked, no answer at all (`status` null), 408 and 5xx are tried again, and anything else the
 * platform refused is permanent, because sending the same again cannot succeed.
 */
import { ChannelSendError } from '../../core/ports/channel-port.ts';

export function refusalError(what: string, status: number | null, retryAfterMs: number): ChannelSendError {
  if (status === 429) return new ChannelSendError('rate_limited', what, retryAfterMs);
  return new ChannelSendError(status === null || status === 408 || status >= 500 ? 'transient' : 'permanent', what);
}

/** An HTTP answer that is not OK (a file transfer, a Web API call), with its Retry-After (seconds; 1 when absent). */
export function statusError(platform: string, status: number, what: string, retryAfter?: string | null): ChannelSendError {
  return refusalError(`${platform}: ${what}: HTTP ${status}`, status, Math.max(1, Number(retryAfter) || 1) * 1000);
}
