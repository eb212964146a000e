/**
 * The Slack Web API calls this channel makes: one WebClient, every answer parsed by zod, every failure thrown as a
 * ChannelSendError (wait, retry or give up). No automatic retries and no sleeping on 429: the sync engine and the
 * inbox worker own retry policy.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChannelSendError } from '../../core/ports/channel-port.ts';
import { authTestSchema, messagesSchema, openedSchema, permalinkSchema, postedSchema, userInfoSchema, type SlackMessage } from './slack-schemas.ts';

export type Block = Record<string, unknown>;
export type View = Record<string, unknown>;
export interface Content {
  text: string;
  blocks: Block[];
}
export interface Metadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** Answers whose body this channel does not read. */
const permissive = z.unknown();

/** Platform errors Slack documents as temporary. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Maps a Web API failure to what the engine needs to decide: wait, retry, or give up. */
export function toChannelSendError(e: unknown): ChannelSendError {
  if (e instanceof ChannelSendError) return e;
  if (e instanceof webApi.WebAPIRateLimitedError) return new ChannelSendError('rate_limited', 'slack: rate limited', Math.max(1, e.retryAfter) * 1000);
  if (e instanceof webApi.WebAPIHTTPError) {
    if (e.statusCode === 429) return new ChannelSendError('rate_limited', 'slack: HTTP 429', 1000);
    return new ChannelSendError(e.statusCode >= 500 || e.statusCode === 408 ? 'transient' : 'permanent', `slack: HTTP ${e.statusCode}`);
  }
  if (e instanceof webApi.WebAPIRequestError) return new ChannelSendError('transient', 'slack: request failed');
  if (e instanceof webApi.WebAPIPlatformError) {
    const code = e.data.error;
    if (code === 'ratelimited' || code === 'rate_limited') return new ChannelSendError('rate_limited', `slack: ${code}`, 1000);
    // channel_not_found, not_in_channel, is_archived, invalid_auth and the rest are answers about this request or
    // this install: asking again repeats them.
    return new ChannelSendError(TRANSIENT.has(code) ? 'transient' : 'permanent', `slack: ${code}`);
  }
  // Anything else (an unexpected answer shape) may pass on a later attempt.
  return new ChannelSendError('transient', e instanceof Error ? `slack: ${e.message}` : 'slack: unknown error');
}

export function isPermanent(e: unknown): boolean {
  return toChannelSendError(e).kind === 'permanent';
}

/** The WebClient logs through pino: only its strings and error messages, never request bodies. */
function clientLogger(log: Logger): webApi.Logger {
  let level = webApi.LogLevel.INFO;
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : '')).join(' ').trim();
  return {
    debug: (...m: unknown[]) => log.debug(text(m)),
    info: (...m: unknown[]) => log.info(text(m)),
    warn: (...m: unknown[]) => log.warn(text(m)),
    error: (...m: unknown[]) => log.error(text(m)),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

export class SlackApi {
  private readonly client: webApi.WebClient;

  constructor(opts: { botToken: string; apiUrl: string; logger?: Logger; timeoutMs?: number }) {
    this.client = new webApi.WebClient(opts.botToken, {
      slackApiUrl: opts.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      // Slack answers in well under a second; a hung call must not hold a worker (or a 3-second answer).
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.logger ? { logger: clientLogger(opts.logger) } : {}),
    });
  }

  /** apiCall leaves out undefined fields and JSON-encodes blocks, views and metadata into form fields, as Slack wants. */
  private async call<T extends z.ZodType>(method: string, args: Record<string, unknown>, schema: T): Promise<z.output<T>> {
    let answer: unknown;
    try {
      answer = await this.client.apiCall(method, args);
    } catch (e) {
      throw toChannelSendError(e);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) throw new ChannelSendError('transient', `slack: unexpected answer to ${method}`);
    return parsed.data;
  }

  authTest() {
    return this.call('auth.test', {}, authTestSchema);
  }

  postMessage(a: Content & { channel: string; threadTs?: string | null; metadata?: Metadata }) {
    const args = { channel: a.channel, text: a.text, blocks: a.blocks, thread_ts: a.threadTs ?? undefined, metadata: a.metadata };
    return this.call('chat.postMessage', { ...args, unfurl_links: false, unfurl_media: false }, postedSchema);
  }

  async postEphemeral(a: Content & { channel: string; user: string; threadTs: string | null }): Promise<void> {
    const args = { channel: a.channel, user: a.user, text: a.text, blocks: a.blocks, thread_ts: a.threadTs ?? undefined };
    await this.call('chat.postEphemeral', args, permissive);
  }

  async update(a: Content & { channel: string; ts: string }): Promise<void> {
    await this.call('chat.update', { channel: a.channel, ts: a.ts, text: a.text, blocks: a.blocks }, postedSchema);
  }

  async delete(a: { channel: string; ts: string }): Promise<void> {
    await this.call('chat.delete', a, permissive);
  }

  async permalink(channel: string, ts: string): Promise<string> {
    return (await this.call('chat.getPermalink', { channel, message_ts: ts }, permalinkSchema)).permalink;
  }

  /** The id (D…) of the app's direct chat with a person: chat.postMessage takes the user id, histories do not. */
  async openDirect(user: string): Promise<string> {
    return (await this.call('conversations.open', { users: user, return_im: true }, openedSchema)).channel.id;
  }

  async openView(triggerId: string, view: View): Promise<void> {
    await this.call('views.open', { trigger_id: triggerId, view }, permissive);
  }

  /** Top-level messages only, newest first. */
  async history(channel: string, o: { latest?: string; oldest?: string; inclusive?: boolean; limit: number; metadata?: boolean }): Promise<SlackMessage[]> {
    const args = { channel, latest: o.latest, oldest: o.oldest, inclusive: o.inclusive, limit: o.limit, include_all_metadata: o.metadata };
    return (await this.call('conversations.history', args, messagesSchema)).messages;
  }

  /** A thread: the parent first, then the replies, oldest first (asked about a reply, Slack answers that reply). */
  async replies(channel: string, ts: string, o: { limit: number; metadata?: boolean }): Promise<SlackMessage[]> {
    return (await this.call('conversations.replies', { channel, ts, limit: o.limit, include_all_metadata: o.metadata }, messagesSchema)).messages;
  }

  userInfo(user: string) {
    return this.call('users.info', { user, include_locale: true }, userInfoSchema);
  }
}
