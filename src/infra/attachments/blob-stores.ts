/** The BlobStore the configuration names (ATTACHMENT_STORE), built once by the composition root. */
import path from 'node:path';
import type { Config } from '../../config/env.ts';
import type { BlobStore } from '../../core/attachments/attachment-port.ts';
import { createDiskBlobStore } from './disk-blob-store.ts';
import { createPgBlobStore } from './pg-blob-store.ts';

export type ConfiguredBlobStore = BlobStore & { sweep?(olderThanMs: number): Promise<number>; close?(): Promise<void> };

export async function createBlobStore(
  config: Pick<Config, 'ATTACHMENT_STORE' | 'DATA_DIR' | 'S3_BUCKET' | 'S3_ENDPOINT' | 'S3_REGION' | 'S3_PREFIX' | 'S3_FORCE_PATH_STYLE'>,
  databaseUrl: string,
): Promise<ConfiguredBlobStore> {
  switch (config.ATTACHMENT_STORE) {
    case 'disk':
      return createDiskBlobStore(path.resolve(config.DATA_DIR, 'attachments'));
    case 's3': {
      // Loaded only when used: the AWS SDK is large.
      const { createS3BlobStore } = await import('./s3-blob-store.ts');
      return createS3BlobStore({
        bucket: config.S3_BUCKET!,
        prefix: config.S3_PREFIX,
        ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
        ...(config.S3_REGION ? { region: config.S3_REGION } : {}),
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
      });
    }
    default:
      return createPgBlobStore(databaseUrl);
  }
}
