/**
 * The content type of a stream from its first bytes: the head is read (at most HEAD_BYTES, never the file), a
 * magic-number detector (a port: file-type in src/infra/attachments/) is asked, and the stream goes on unchanged,
 * head first. What the sender or the platform claimed is never used.
 */
import { Readable } from 'node:stream';
import { contentTypeOf } from './attachment-rules.ts';

/** Enough for every magic number file-type knows (it asks for 4100 bytes). */
export const HEAD_BYTES = 4100;

/** A magic-number detector: the MIME type the bytes start with, or null. */
export type DetectType = (head: Uint8Array) => Promise<string | null>;

/** Without a detector: only text or not (enough for tests of the core). */
const noDetector: DetectType = async () => null;

export async function sniffStream(body: Readable, name: string, detect: DetectType = noDetector): Promise<{ body: Readable; contentType: string }> {
  const it = body[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < HEAD_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    parts.push(b);
    have += b.length;
  }
  const headAll = Buffer.concat(parts);
  const head = headAll.subarray(0, HEAD_BYTES);
  const contentType = contentTypeOf(await detect(head).catch(() => null), head, name);
  async function* rest() {
    if (headAll.length) yield headAll;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  // An error of the source reaches the reader. Stopping the source is its owner's business (see BlobStore.put).
  return { body: Readable.from(rest(), { objectMode: false }), contentType };
}
