import { webApi } from '@slack/bolt';
import { ChannelSendError } from '../../core/ports/channel-port.ts';

/** Platform errors Slack documents as temporary. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** The Slack `error` string of a Web API platform error, or null for any other failure. */
export function slackErrorCode(e: unknown): string | null {
  if (e instanceof webApi.WebAPIPlatformError) return e.data.error;
  return null;
}

/** Maps a Web API failure to what the sync engine needs to decide: wait, retry, or give up. */
export function toChannelSendError(e: unknown): ChannelSendError {
  if (e instanceof ChannelSendError) return e;
  if (e instanceof webApi.WebAPIRateLimitedError) {
    return new ChannelSendError('rate_limited', 'slack: rate limited', Math.max(1, e.retryAfter) * 1000);
  }
  if (e instanceof webApi.WebAPIHTTPError) {
    if (e.statusCode === 429) return new ChannelSendError('rate_limited', 'slack: HTTP 429', 1000);
    const kind = e.statusCode >= 500 || e.statusCode === 408 ? 'transient' : 'permanent';
    return new ChannelSendError(kind, `slack: HTTP ${e.statusCode}`);
  }
  if (e instanceof webApi.WebAPIRequestError) return new ChannelSendError('transient', 'slack: request failed');
  const code = slackErrorCode(e);
  if (code !== null) {
    if (code === 'ratelimited' || code === 'rate_limited') return new ChannelSendError('rate_limited', `slack: ${code}`, 1000);
    if (TRANSIENT.has(code)) return new ChannelSendError('transient', `slack: ${code}`);
    // channel_not_found, not_in_channel, is_archived, account_inactive, invalid_auth and every other platform error
    // are answers about this request or this install: retrying repeats them.
    return new ChannelSendError('permanent', `slack: ${code}`);
  }
  // Anything else (an unexpected response shape, a bug) may pass on a later attempt.
  return new ChannelSendError('transient', e instanceof Error ? `slack: ${e.message}` : 'slack: unknown error');
}

/** True when retrying the same call later cannot help. */
export function isPermanentSlackError(e: unknown): boolean {
  return toChannelSendError(e).kind === 'permanent';
}

/**
 * A Web API failure inside a listener, as the sync engine's ChannelSendError (Bolt wraps listener errors as
 * `original`); null for anything that is not a Slack answer (a database error keeps its own stack).
 */
export function slackFailureOf(e: unknown): ChannelSendError | null {
  const inner = e instanceof Error && 'original' in e && e.original instanceof Error ? e.original : e;
  const code = inner instanceof Error && 'code' in inner ? String(inner.code) : '';
  return code.startsWith('slack_webapi_') ? toChannelSendError(inner) : null;
}
