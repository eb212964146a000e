/**
 * What the sync engine does with a platform's refusal, the same for every chat channel: HTTP 429 waits as long as
 * the platform asked, no answer at all (`status` null) and 5xx are tried again, and anything else the platform
 * refused is permanent, because sending the same again cannot succeed.
 */
import { ChannelSendError } from '../../core/ports/channel-port.ts';

export function refusalError(what: string, status: number | null, retryAfterMs: number): ChannelSendError {
  if (status === 429) return new ChannelSendError('rate_limited', what, retryAfterMs);
  return new ChannelSendError(status === null || status >= 500 ? 'transient' : 'permanent', what);
}
