/**
 * The default BlobStore: the bytes in PostgreSQL, so every instance sees every file with no other service to run
 * or back up. A blob is one attachment_blobs row and its bytes in CHUNK_BYTES rows of attachment_blob_chunks,
 * written one chunk at a time as they stream in (memory holds one chunk) and read a few chunks at a time, from the
 * chunk a range starts in. The blob row is marked complete last; a put that fails removes what it wrote (and
 * leaves the body to its caller), and
 * `sweep` removes what a crash left (incomplete, or never referenced by an attachment, after an hour).
 *
 * The bytes go through a small `pg` pool of their own rather than the Prisma client: bytea parameters and
 * results stay Buffers end to end (no text encoding of every chunk), which keeps memory flat while a file streams.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import pg from 'pg';
import type { BlobStore, ByteRange, StoredBlob } from '../../core/attachments/attachment-port.ts';
import { BlobMeter, rechunk } from './blob-meter.ts';

export const CHUNK_BYTES = 256 * 1024;
/** Chunks read per query while streaming out (1 MiB). */
const READ_BATCH = 4;

export function createPgBlobStore(connectionString: string, max = 4): BlobStore & { sweep(olderThanMs: number): Promise<number>; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString, max });
  // A database restart drops idle connections: the pool reconnects on the next query.
  pool.on('error', () => undefined);
  const q = (text: string, values: unknown[]) => pool.query(text, values);
  return {
    kind: 'postgres',

    async put(body, { maxBytes }): Promise<StoredBlob> {
      const key = randomUUID();
      const meter = new BlobMeter(maxBytes);
      body.on('error', (e) => meter.destroy(e));
      await q('INSERT INTO attachment_blobs (key) VALUES ($1::uuid)', [key]);
      body.pipe(meter);
      try {
        let seq = 0;
        for await (const chunk of rechunk(meter, CHUNK_BYTES)) {
          await q('INSERT INTO attachment_blob_chunks (key, seq, data) VALUES ($1::uuid, $2, $3)', [key, seq, chunk]);
          seq++;
        }
        await q('UPDATE attachment_blobs SET complete = true, size = $2 WHERE key = $1::uuid', [key, meter.size]);
        return { key, size: meter.size, sha256: meter.digest() };
      } catch (e) {
        // The body is the caller's to stop (a platform download) or to leave (an HTTP request answered 413).
        body.unpipe(meter);
        await q('DELETE FROM attachment_blobs WHERE key = $1::uuid', [key]).catch(() => undefined);
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
          const { rows } = await pool.query<{ seq: number; data: Buffer }>(
            'SELECT seq, data FROM attachment_blob_chunks WHERE key = $1::uuid AND seq BETWEEN $2 AND $3 ORDER BY seq',
            [key, seq, upto],
          );
          for (const r of rows) {
            const base = r.seq * CHUNK_BYTES;
            const from = Math.max(0, start - base);
            const to = Math.min(r.data.length, end - base + 1);
            if (to > from) yield r.data.subarray(from, to);
          }
          if (rows.length < upto - seq + 1) return;
        }
      }
      return Readable.from(read(), { objectMode: false });
    },

    async delete(key) {
      await q('DELETE FROM attachment_blobs WHERE key = $1::uuid', [key]);
    },

    async sweep(olderThanMs) {
      const r = await q(
        `DELETE FROM attachment_blobs b WHERE b.created_at < $1
           AND (NOT b.complete OR NOT EXISTS (SELECT 1 FROM attachments a WHERE a.storage_key = b.key::text))`,
        [new Date(Date.now() - olderThanMs)],
      );
      return r.rowCount ?? 0;
    },

    close: () => pool.end(),
  };
}
