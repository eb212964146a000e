/**
 * The BlobStores for real: PostgreSQL (chunk rows) on a fresh database, disk on a temporary directory. Whole
 * reads, ranges across chunk boundaries, the limit enforced while streaming (nothing left behind), deletes, and
 * the sweep of what a crash leaves. The S3 store needs an S3 endpoint, which this machine does not have (no
 * network, no local S3 server): it is skipped unless S3_TEST_BUCKET (with S3_TEST_ENDPOINT and the SDK's usual
 * credentials) names one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/core/attachments/attachment-port.ts';
import { FileTooLargeError } from '../../src/core/ports/channel-port.ts';
import { applyMigrations } from '../../src/infra/db/migrate.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { createDiskBlobStore } from '../../src/infra/attachments/disk-blob-store.ts';
import { CHUNK_BYTES, createPgBlobStore } from '../../src/infra/attachments/pg-blob-store.ts';
import { createTestDatabase } from '../helpers/test-db.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The bytes as a network would deliver them: in uneven pieces. */
function pieces(b: Buffer, size = 70_001): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  })());
}

async function bytesOf(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function storeContract(name: string, make: () => BlobStore, leftovers: () => Promise<number>) {
  describe(name, () => {
    const file = randomBytes(CHUNK_BYTES * 3 + 12_345);

    it('stores a stream and gives back the same bytes, size and sha256', async () => {
      const store = make();
      const b = await store.put(pieces(file), { maxBytes: file.length });
      expect(b).toMatchObject({ size: file.length, sha256: sha(file) });
      expect(sha(await bytesOf(await store.get(b.key)))).toBe(sha(file));
      const empty = await store.put(Readable.from([]), { maxBytes: 10 });
      expect(empty).toMatchObject({ size: 0, sha256: sha(Buffer.alloc(0)) });
      expect((await bytesOf(await store.get(empty.key))).length).toBe(0);
    });

    it('reads ranges inside one chunk, across chunk boundaries and up to the end', async () => {
      const store = make();
      const b = await store.put(pieces(file), { maxBytes: file.length });
      for (const [start, end] of [
        [0, 0],
        [10, 99],
        [CHUNK_BYTES - 5, CHUNK_BYTES + 5],
        [CHUNK_BYTES, CHUNK_BYTES * 2 - 1],
        [CHUNK_BYTES - 1, CHUNK_BYTES * 3 + 2],
        [file.length - 100, file.length - 1],
      ] as const) {
        const got = await bytesOf(await store.get(b.key, { start, end }));
        expect(got.equals(file.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
      }
    });

    it('refuses a stream over the limit while it arrives and keeps nothing of it', async () => {
      const store = make();
      const before = await leftovers();
      let produced = 0;
      const endless = Readable.from((function* () {
        for (;;) {
          produced += 65_536;
          yield Buffer.alloc(65_536, 1);
          if (produced > 50 * 1024 * 1024) return;
        }
      })());
      await expect(store.put(endless, { maxBytes: CHUNK_BYTES * 2 })).rejects.toBeInstanceOf(FileTooLargeError);
      // It stopped reading soon after the limit (a few pieces of read-ahead), not at the end of the stream.
      expect(produced).toBeLessThan(CHUNK_BYTES * 2 + 1024 * 1024);
      expect(await leftovers()).toBe(before);
      // Exactly the limit is fine.
      const exact = await store.put(pieces(file.subarray(0, CHUNK_BYTES * 2)), { maxBytes: CHUNK_BYTES * 2 });
      expect(exact.size).toBe(CHUNK_BYTES * 2);
    });

    it('a source that fails midway keeps nothing and reports the failure', async () => {
      const store = make();
      const before = await leftovers();
      const broken = new Readable({ read() {} });
      broken.push(Buffer.alloc(CHUNK_BYTES + 10, 3));
      setTimeout(() => broken.destroy(new Error('connection reset')), 20);
      await expect(store.put(broken, { maxBytes: 10 * CHUNK_BYTES })).rejects.toThrow(/connection reset/);
      expect(await leftovers()).toBe(before);
    });

    it('deletes', async () => {
      const store = make();
      const b = await store.put(pieces(file.subarray(0, 1000)), { maxBytes: 1000 });
      const before = await leftovers();
      await store.delete(b.key);
      expect(await leftovers()).toBe(before - 1);
    });
  });
}

let db: Db;
let drop: () => Promise<void>;
let dir = '';
let pgStore: ReturnType<typeof createPgBlobStore>;

beforeAll(async () => {
  const t = await createTestDatabase();
  drop = t.drop;
  await applyMigrations(t.url);
  db = createPrisma(t.url);
  pgStore = createPgBlobStore(t.url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-blobs-'));
});
afterAll(async () => {
  await pgStore?.close();
  await db?.$disconnect();
  await drop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function filesUnder(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

storeContract('PostgreSQL store', () => pgStore, () => db.attachmentBlob.count());
storeContract('disk store', () => createDiskBlobStore(dir), () => filesUnder(dir));

describe('PostgreSQL store: chunks and the sweep', () => {
  it('writes 256 KiB chunk rows and sweeps unfinished or unreferenced blobs only when old', async () => {
    const store = pgStore;
    const b = await store.put(pieces(randomBytes(CHUNK_BYTES * 2 + 1)), { maxBytes: 10 * CHUNK_BYTES });
    const chunks = await db.attachmentBlobChunk.findMany({ where: { key: b.key }, select: { seq: true, data: true }, orderBy: { seq: 'asc' } });
    expect(chunks.map((c) => [c.seq, c.data.length])).toEqual([[0, CHUNK_BYTES], [1, CHUNK_BYTES], [2, 1]]);
    // Young: kept (a put in flight, or a row about to commit).
    expect(await store.sweep(3600_000)).toBe(0);
    await db.attachmentBlob.update({ where: { key: b.key }, data: { createdAt: new Date(Date.now() - 2 * 3600_000) } });
    const kept = await store.put(pieces(Buffer.from('referenced')), { maxBytes: 100 });
    await db.attachmentBlob.update({ where: { key: kept.key }, data: { createdAt: new Date(Date.now() - 2 * 3600_000) } });
    const user = await db.user.create({ data: { email: 'sweep@example.com', emailDomain: 'example.com', name: 'S' } });
    await db.attachment.create({ data: { uploaderId: user.id, name: 'r.txt', state: 'stored', storageKey: kept.key, size: 10, sha256: kept.sha256, contentType: 'text/plain' } });
    expect(await store.sweep(3600_000)).toBeGreaterThanOrEqual(1);
    expect(await db.attachmentBlob.findUnique({ where: { key: b.key } })).toBeNull();
    expect(await db.attachmentBlob.findUnique({ where: { key: kept.key } })).not.toBeNull();
  });
});

const s3Bucket = process.env.S3_TEST_BUCKET;
describe.skipIf(!s3Bucket)('S3 store (needs S3_TEST_BUCKET: no S3 endpoint reachable from this machine)', () => {
  it('stores and reads back, ranges included', async () => {
    const { createS3BlobStore } = await import('../../src/infra/attachments/s3-blob-store.ts');
    const store = createS3BlobStore({ bucket: s3Bucket!, prefix: `test-${Date.now()}/`, endpoint: process.env.S3_TEST_ENDPOINT, region: process.env.S3_REGION ?? 'us-east-1', forcePathStyle: true });
    const file = randomBytes(6 * 1024 * 1024 + 7);
    const b = await store.put(pieces(file), { maxBytes: file.length });
    expect(b.sha256).toBe(sha(file));
    expect((await bytesOf(await store.get(b.key, { start: 5, end: 5_000_000 }))).equals(file.subarray(5, 5_000_001))).toBe(true);
    await expect(store.put(pieces(file), { maxBytes: 1024 })).rejects.toBeInstanceOf(FileTooLargeError);
    await store.delete(b.key);
  });
});
