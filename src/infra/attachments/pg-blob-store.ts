/**
 * The default BlobStore: the bytes in PostgreSQL, so every instance sees every file with no other service to run
 * or back up. A blob is one attachment_blobs row and its bytes in CHUNK_BYTES rows of attachment_blob_chunks,
 * written one chunk at a time as they stream in (memory holds one chunk) and read a few chunks at a time, from the
 * chunk a range starts in. The blob row is marked complete last; a put that fails removes what it wrote (and
 * leaves the body to its caller), and
 * `sweep` removes what a crash left (incomplete, or never referenced by an attachment, after an hour).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db } from '../db/prisma.ts';
import type { BlobStore, ByteRange, StoredBlob } from '../../core/attachments/attachment-port.ts';
import { BlobMeter, rechunk } from './blob-meter.ts';

export const CHUNK_BYTES = 256 * 1024;
/** Chunks read per query while streaming out (1 MiB). */
const READ_BATCH = 4;

export function createPgBlobStore(db: Db): BlobStore & { sweep(olderThanMs: number): Promise<number> } {
  return {
    kind: 'postgres',

    async put(body, { maxBytes }): Promise<StoredBlob> {
      const key = randomUUID();
      const meter = new BlobMeter(maxBytes);
      body.on('error', (e) => meter.destroy(e));
      body.pipe(meter);
      await db.$executeRaw`INSERT INTO attachment_blobs (key) VALUES (${key}::uuid)`;
      try {
        let seq = 0;
        for await (const chunk of rechunk(meter, CHUNK_BYTES)) {
          await db.$executeRaw`INSERT INTO attachment_blob_chunks (key, seq, data) VALUES (${key}::uuid, ${seq}, ${chunk})`;
          seq++;
        }
        await db.$executeRaw`UPDATE attachment_blobs SET complete = true, size = ${meter.size} WHERE key = ${key}::uuid`;
        return { key, size: meter.size, sha256: meter.digest() };
      } catch (e) {
        // The body is the caller's to stop (a platform download) or to leave (an HTTP request answered 413).
        body.unpipe(meter);
        await db.$executeRaw`DELETE FROM attachment_blobs WHERE key = ${key}::uuid`.catch(() => undefined);
        throw e;
      }
    },

    async get(key, range?: ByteRange) {
      const start = range?.start ?? 0;
      const end = range ? range.end : Number.MAX_SAFE_INTEGER;
      const first = Math.floor(start / CHUNK_BYTES);
      const last = Math.floor(end / CHUNK_BYTES);
      async function* read(): AsyncGenerator<Buffer> {
        for (let seq = first; seq <= last; seq += READ_BATCH) {
          const upto = Math.min(seq + READ_BATCH - 1, last);
          const rows = await db.$queryRaw<{ seq: number; data: Uint8Array }[]>`
            SELECT seq, data FROM attachment_blob_chunks WHERE key = ${key}::uuid AND seq BETWEEN ${seq} AND ${upto} ORDER BY seq`;
          for (const r of rows) {
            const base = r.seq * CHUNK_BYTES;
            const from = Math.max(0, start - base);
            const to = Math.min(r.data.length, end - base + 1);
            if (to > from) yield Buffer.from(r.data.buffer, r.data.byteOffset + from, to - from);
          }
          if (rows.length < upto - seq + 1) return;
        }
      }
      return Readable.from(read(), { objectMode: false });
    },

    async delete(key) {
      await db.$executeRaw`DELETE FROM attachment_blobs WHERE key = ${key}::uuid`;
    },

    async sweep(olderThanMs) {
      const before = new Date(Date.now() - olderThanMs);
      return db.$executeRaw`
        DELETE FROM attachment_blobs b WHERE b.created_at < ${before}
          AND (NOT b.complete OR NOT EXISTS (SELECT 1 FROM attachments a WHERE a.storage_key = b.key::text))`;
    },
  };
}
