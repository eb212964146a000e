/**
 * The Slack Web API calls this channel makes: one WebClient, every answer parsed by zod, every failure thrown as a
 * ChannelSendError (wait, retry or give up). No automatic retries and no sleeping on 429: the sync engine and the
 * inbox worker own retry policy.
 */
// Slack's own Web API client, which Bolt is built on: Bolt's re-export of it would load Bolt's receivers and
// their HTTP stack too (about 15 MiB of the idle process) for nothing this channel calls.
import * as webApi from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChannelSendError, type FetchedFile, type OutboundFile } from '../../core/ports/channel-port.ts';
import { fetchedBody, networkError, webBody } from '../shared/file-stream.ts';
import { statusError } from '../shared/send-error.ts';
import * as answers from './slack-schemas.ts';

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

/** A message to post: where (a conversation, a thread in it) and what. */
type Message = Content & { channel: string; threadTs?: string | null };
const messageArgs = (a: Message) => ({ channel: a.channel, text: a.text, blocks: a.blocks, thread_ts: a.threadTs ?? undefined });

/** Answers whose body this channel does not read. */
const permissive = z.unknown();

/** Platform errors Slack documents as temporary. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Maps a Web API failure to what the engine needs to decide: wait, retry, or give up. */
export function toChannelSendError(e: unknown): ChannelSendError {
  if (e instanceof ChannelSendError) return e;
  if (e instanceof webApi.WebAPIRateLimitedError) return new ChannelSendError('rate_limited', 'slack: rate limited', Math.max(1, e.retryAfter) * 1000);
  if (e instanceof webApi.WebAPIHTTPError) return statusError('slack', e.statusCode, 'Web API', e.headers['retry-after']);
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

/** What `call` answers, or `fallback` when Slack refuses for good; a busy or broken Slack is thrown (to retry). */
export async function orWhenPermanent<T, F>(call: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call;
  } catch (e) {
    if (!isPermanent(e)) throw e;
    return fallback;
  }
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

/** Why a download answer is not the file (a redirect to sign-in, a failed status, a web page); null when it is. */
function downloadRefusal(res: Response): ChannelSendError | null {
  if (res.status >= 300 && res.status < 400) {
    return new ChannelSendError('permanent', 'slack: file download refused (redirected to sign-in: check the token and the files:read scope)');
  }
  if (!res.ok) return statusError('slack', res.status, 'file download', res.headers.get('retry-after'));
  const page = (res.headers.get('content-type') ?? '').startsWith('text/html');
  return page ? new ChannelSendError('permanent', 'slack: file download answered a web page (check the files:read scope)') : null;
}

/** How long a file transfer may take before it counts as failed (files are large; the engine retries). */
const FILE_TIMEOUT_MS = 120_000;

export class SlackApi {
  private readonly client: webApi.WebClient;
  private readonly botToken: string;
  private readonly apiHost: string;

  constructor(opts: { botToken: string; apiUrl: string; logger?: Logger; timeoutMs?: number }) {
    this.botToken = opts.botToken;
    this.apiHost = new URL(opts.apiUrl).hostname;
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
    return this.call('auth.test', {}, answers.authTestSchema);
  }

  postMessage(a: Message & { metadata?: Metadata }) {
    const args = { ...messageArgs(a), metadata: a.metadata, unfurl_links: false, unfurl_media: false };
    return this.call('chat.postMessage', args, answers.postedSchema);
  }

  async postEphemeral(a: Message & { user: string }): Promise<void> {
    await this.call('chat.postEphemeral', { ...messageArgs(a), user: a.user }, permissive);
  }

  async update(a: Content & { channel: string; ts: string }): Promise<void> {
    await this.call('chat.update', { ...messageArgs(a), ts: a.ts }, answers.postedSchema);
  }

  async delete(a: { channel: string; ts: string }): Promise<void> {
    await this.call('chat.delete', a, permissive);
  }

  async permalink(channel: string, ts: string): Promise<string> {
    return (await this.call('chat.getPermalink', { channel, message_ts: ts }, answers.permalinkSchema)).permalink;
  }

  /** The id (D…) of the app's direct chat with a person: chat.postMessage takes the user id, histories do not. */
  async openDirect(user: string): Promise<string> {
    return (await this.call('conversations.open', { users: user, return_im: true }, answers.openedSchema)).channel.id;
  }

  async openView(triggerId: string, view: View): Promise<void> {
    await this.call('views.open', { trigger_id: triggerId, view }, permissive);
  }

  /**
   * With `thread`, a thread: the parent first, then the replies, oldest first (asked about a reply, Slack answers
   * that reply). Without, the conversation's top-level messages only, newest first.
   */
  async messages(
    channel: string,
    o: { thread?: string | null; latest?: string; oldest?: string; inclusive?: boolean; limit: number; metadata?: boolean },
  ) {
    const args = { channel, ts: o.thread ?? undefined, latest: o.latest, oldest: o.oldest, inclusive: o.inclusive, limit: o.limit };
    const method = o.thread ? 'conversations.replies' : 'conversations.history';
    return (await this.call(method, { ...args, include_all_metadata: o.metadata }, answers.messagesSchema)).messages;
  }

  userInfo(user: string) {
    return this.call('users.info', { user, include_locale: true }, answers.userInfoSchema);
  }

  /** A file's record (Slack Connect stubs carry only the id). */
  async fileInfo(file: string) {
    return (await this.call('files.info', { file }, answers.fileInfoSchema)).file;
  }

  /**
   * Where the bot token may be sent: Slack's own hosts over https, or the host of the configured Web API (a
   * proxy, a test fake). A file URL from anywhere else never sees the token.
   */
  private mayAuthenticate(url: URL): boolean {
    if (url.hostname === this.apiHost) return url.protocol === 'https:' || url.protocol === 'http:';
    return url.protocol === 'https:' && (url.hostname === 'slack.com' || url.hostname.endsWith('.slack.com'));
  }

  /**
   * Streams a file's url_private(_download) with the bot token, within maxBytes. Without a valid token (or the
   * files:read scope) Slack answers with a redirect to its sign-in page, or that page itself: both are refusals.
   */
  async download(link: string, maxBytes: number): Promise<FetchedFile> {
    const url = URL.parse(link);
    if (!url) throw new ChannelSendError('permanent', 'slack: the file has no valid download URL');
    if (!this.mayAuthenticate(url)) throw new ChannelSendError('permanent', `slack: file host ${url.hostname} is not Slack's`);
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${this.botToken}` }, redirect: 'manual', signal: AbortSignal.timeout(FILE_TIMEOUT_MS) });
    } catch (e) {
      throw networkError('slack', 'file download', e);
    }
    const refusal = downloadRefusal(res);
    if (!refusal) return fetchedBody(res, maxBytes, 'slack');
    await res.body?.cancel().catch(() => {});
    throw refusal;
  }

  /**
   * Slack's external upload flow: files.getUploadURLExternal for each file, its bytes POSTed to the URL Slack
   * gave, then one files.completeUploadExternal that shares them all in the channel (and thread). Returns the
   * files' ids (Slack posts the message itself, after answering).
   */
  async uploadFiles(files: OutboundFile[], to: { channel: string; threadTs: string | null }): Promise<string[]> {
    const uploaded: { id: string; title: string }[] = [];
    for (const f of files) {
      const { uploadUrl, fileId } = await this.call('files.getUploadURLExternal', { filename: f.name, length: f.size }, answers.uploadUrlSchema);
      const stream = await f.open();
      let res: Response;
      try {
        res = await fetch(uploadUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(f.size) },
          body: webBody(stream),
          duplex: 'half',
          signal: AbortSignal.timeout(FILE_TIMEOUT_MS),
        } as RequestInit);
      } catch (e) {
        stream.destroy();
        throw networkError('slack', 'file upload', e);
      }
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw statusError('slack', res.status, 'file upload', res.headers.get('retry-after'));
      uploaded.push({ id: fileId, title: f.name });
    }
    const args = { files: JSON.stringify(uploaded), channel_id: to.channel, thread_ts: to.threadTs ?? undefined };
    const done = await this.call('files.completeUploadExternal', args, answers.completedUploadSchema);
    return done.files.map((f) => f.id);
  }
}
