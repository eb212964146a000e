/**
 * A BlobStore on S3-compatible object storage (ATTACHMENT_STORE=s3), for deployments that outgrow one database.
 * Uploads stream through @aws-sdk/lib-storage's multipart Upload (the length is not known in advance; it holds a
 * few 5 MiB parts at most), counted and hashed on the way; reads are GetObject, with a Range header for ranges.
 * Credentials and region come from the SDK's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles,
 * instance roles); S3_ENDPOINT and S3_FORCE_PATH_STYLE point it at MinIO, R2, Ceph and the like.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobStore, StoredBlob } from '../../core/attachments/attachment-port.ts';
import { BlobMeter } from './blob-meter.ts';

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

export function createS3BlobStore(opts: S3StoreOptions, client?: S3Client): BlobStore {
  const s3 =
    client ??
    new S3Client({
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      forcePathStyle: opts.forcePathStyle ?? false,
    });
  const objectKey = (key: string) => `${opts.prefix}${key}`;
  return {
    kind: 's3',

    async put(body, { maxBytes }): Promise<StoredBlob> {
      const key = randomUUID();
      const meter = new BlobMeter(maxBytes);
      body.on('error', (e) => meter.destroy(e));
      const upload = new Upload({ client: s3, params: { Bucket: opts.bucket, Key: objectKey(key), Body: body.pipe(meter) }, queueSize: 2, leavePartsOnError: false });
      // The meter's error (too large, the source failed) must stop the upload, which otherwise waits for more bytes.
      const failed = new Promise<never>((_, reject) => meter.once('error', reject));
      try {
        await Promise.race([upload.done(), failed]);
      } catch (e) {
        body.unpipe(meter);
        await upload.abort().catch(() => undefined);
        await s3.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: objectKey(key) })).catch(() => undefined);
        throw e;
      }
      return { key, size: meter.size, sha256: meter.digest() };
    },

    async get(key, range) {
      const r = await s3.send(new GetObjectCommand({ Bucket: opts.bucket, Key: objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      if (!(r.Body instanceof Readable)) throw new Error('S3 GetObject gave no stream');
      return r.Body;
    },

    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: objectKey(key) }));
    },
  };
}
