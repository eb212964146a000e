/**
 * What every BlobStore does to the bytes on their way in: count them against the limit (FileTooLargeError the
 * moment one byte too many arrives, so nothing beyond the limit is read) and hash them, without holding them.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { FileTooLargeError } from '../../core/ports/channel-port.ts';

export class BlobMeter extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  private readonly maxBytes: number;
  constructor(maxBytes: number) {
    super();
    this.maxBytes = maxBytes;
    // Its error reaches whoever reads it (an iterator, a pipeline, an upload); this keeps one that comes before
    // the reader is attached from being an unhandled 'error' event.
    this.on('error', () => undefined);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return cb(new FileTooLargeError(null, this.maxBytes));
    this.hash.update(chunk);
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Yields the stream's bytes in pieces of exactly `size` (the last one shorter), copying as little as it can. */
export async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of source) {
    let chunk = c;
    while (have + chunk.length >= size) {
      const take = size - have;
      parts.push(chunk.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      have = 0;
      chunk = chunk.subarray(take);
    }
    if (chunk.length) {
      parts.push(chunk);
      have += chunk.length;
    }
  }
  if (have) yield Buffer.concat(parts);
}
