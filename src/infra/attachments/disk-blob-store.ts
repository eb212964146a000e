/**
 * A BlobStore on a directory (ATTACHMENT_STORE=disk: `$DATA_DIR/attachments`), for one instance or a shared
 * volume. A blob streams into a temporary file and is renamed into place once complete (a crash leaves only a
 * `.part` file, never a half blob under a real key); keys are fresh uuids, two levels of directories deep.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, StoredBlob } from '../../core/attachments/attachment-port.ts';
import { BlobMeter } from './blob-meter.ts';

const KEY_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createDiskBlobStore(root: string): BlobStore {
  const fileOf = (key: string) => {
    if (!KEY_RE.test(key)) throw new Error('not a blob key');
    return path.join(root, key.slice(0, 2), key.slice(2, 4), key);
  };
  return {
    kind: 'disk',

    async put(body, { maxBytes }): Promise<StoredBlob> {
      const key = randomUUID();
      const file = fileOf(key);
      const meter = new BlobMeter(maxBytes);
      // Before any await: an error of the source from now on fails this put.
      body.on('error', (e) => meter.destroy(e));
      body.pause();
      await mkdir(path.dirname(file), { recursive: true });
      const part = `${file}.part`;
      body.pipe(meter);
      try {
        // Not the body in the pipeline: on an error it stays the caller's (an HTTP request is answered, not cut).
        await pipeline(meter, createWriteStream(part, { flags: 'wx' }));
        await rename(part, file);
      } catch (e) {
        body.unpipe(meter);
        await rm(part, { force: true }).catch(() => undefined);
        throw e;
      }
      return { key, size: meter.size, sha256: meter.digest() };
    },

    async get(key, range) {
      const file = fileOf(key);
      const s = createReadStream(file, range ? { start: range.start, end: range.end } : {});
      // Surface a missing file now, not as a stream error mid-response.
      await new Promise<void>((resolve, reject) => {
        s.once('open', () => resolve());
        s.once('error', reject);
      });
      return s;
    },

    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}
