/**
 * What every chat adapter does with a file's bytes: a platform's HTTP answer becomes a FetchedFile that streams
 * (never buffered whole) and fails with FileTooLargeError as soon as it passes the limit, whether the platform said
 * the size beforehand or not; a stored file's stream becomes a request body for an upload.
 */
import { Readable, Transform, pipeline } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ChannelSendError, FileTooLargeError, type FetchedFile } from '../../core/ports/channel-port.ts';

/** A stream that passes at most `maxBytes` through, then fails with FileTooLargeError (the source is destroyed). */
export function limitBytes(source: Readable, maxBytes: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new FileTooLargeError(null, maxBytes));
      else done(null, chunk);
    },
  });
  // pipeline destroys the source when the counter fails or its reader goes away, and hands source errors on.
  pipeline(source, counter, () => {});
  return counter;
}

/** The size a platform declares, when it is a plain number. */
export function declaredSize(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

/**
 * A successful download answer as a FetchedFile within maxBytes. The caller has checked the status; the body is
 * closed here when the declared length is already too large.
 */
export async function fetchedBody(res: Response, maxBytes: number, platform: string): Promise<FetchedFile> {
  const size = declaredSize(res.headers.get('content-length'));
  if (size !== null && size > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new FileTooLargeError(size, maxBytes);
  }
  if (!res.body) throw new ChannelSendError('transient', `${platform}: the file answer has no body`);
  const body = limitBytes(Readable.fromWeb(res.body as unknown as WebReadableStream), maxBytes);
  const type = res.headers.get('content-type');
  return { body, contentType: type ? (type.split(';')[0]?.trim() ?? null) : null, size };
}

/** A network failure of a file request (the message never carries the URL, which may hold a token). */
export function networkError(platform: string, what: string, e: unknown): Error {
  if (e instanceof ChannelSendError || e instanceof FileTooLargeError) return e;
  const name = e instanceof Error ? e.name : 'unknown';
  return new ChannelSendError('transient', `${platform}: ${what} failed (${name})`);
}

/** A Node stream as a fetch body (used with `duplex: 'half'`). */
export function webBody(stream: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
}
