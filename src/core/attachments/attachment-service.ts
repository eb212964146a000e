/**
 * Attachments' use cases: the worker's download of a chat file (streamed from the adapter into the BlobStore,
 * within the limit), an agent's upload, reading a file for whoever may see it, and the files of a public comment
 * as the sync engine hands them to an adapter.
 *
 * A download runs in a job (src/infra/queue/jobs.ts, `fetch_attachment`) enqueued in the transaction that wrote
 * the pending row, so it is retried like any job; its end is one conditional update (pending -> stored, or ->
 * too_large / unavailable), so two runs of it store once (the loser deletes its bytes).
 */
import type { Readable } from 'node:stream';
import type { ChatFile } from '../chat/chat-events.ts';
import { ChannelSendError, FileTooLargeError, type ChannelAdapter, type OutboundFile } from '../ports/channel-port.ts';
import type { AttachmentRecord, AttachmentRepo, BlobStore, ByteRange } from './attachment-port.ts';
import { cleanFileName, maySee, type Viewer } from './attachment-rules.ts';
import { sniffStream, type DetectType } from './sniff.ts';
import { UUID_RE } from '../text-rules.ts';

export interface AttachmentLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AttachmentServiceDeps {
  repo: AttachmentRepo;
  blobs: BlobStore;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  maxBytes: number;
  detect?: DetectType;
  log: AttachmentLog;
}

export type IngestOutcome = 'stored' | 'too_large' | 'unavailable' | 'skipped';

const short = (s: string) => s.replace(/\s+/g, ' ').slice(0, 300);

export function createAttachmentService(deps: AttachmentServiceDeps) {
  const { repo, blobs, log, maxBytes } = deps;
  const tooLarge = `larger than ${maxBytes} bytes`;

  async function refuse(a: AttachmentRecord, state: 'too_large' | 'unavailable', reason: string, size?: number | null): Promise<IngestOutcome> {
    await repo.markRefused(a.id, state, short(reason), size ?? null);
    log.info({ attachmentId: a.id, platform: a.platform, state }, 'attachment not kept');
    return state;
  }

  return {
    maxBytes,

    /**
     * Fetches a pending chat file through its adapter into the store. Throws what should be retried (a transient
     * platform or store error) unless `lastAttempt`, when the file is recorded unavailable instead.
     */
    async ingest(id: string, opts: { lastAttempt?: boolean } = {}): Promise<IngestOutcome> {
      const a = await repo.find(id);
      if (!a || a.state !== 'pending') return 'skipped';
      const adapter = a.platform ? deps.adapters.get(a.platform) : undefined;
      if (!adapter?.fetchFile) return refuse(a, 'unavailable', 'the channel cannot fetch files');
      const file: ChatFile = { name: a.name, url: a.platformUrl, platformFileId: a.platformFileId, size: a.declaredSize, contentType: a.declaredType, fetchRef: a.fetchRef };
      let source: Readable | null = null;
      try {
        const fetched = await adapter.fetchFile(file, maxBytes);
        source = fetched.body;
        if (fetched.size !== null && fetched.size > maxBytes) {
          fetched.body.destroy();
          return refuse(a, 'too_large', tooLarge, fetched.size);
        }
        const sniffed = await sniffStream(fetched.body, a.name, deps.detect);
        const blob = await blobs.put(sniffed.body, { maxBytes });
        if (!(await repo.markStored(a.id, { ...blob, contentType: sniffed.contentType }))) {
          // Another run stored it (or it was refused) meanwhile: these bytes are nobody's.
          await blobs.delete(blob.key);
          return 'skipped';
        }
        return 'stored';
      } catch (e) {
        // Nothing more of this download is wanted (too large, or failed): stop it.
        source?.destroy();
        if (e instanceof FileTooLargeError) return refuse(a, 'too_large', tooLarge, e.size);
        if (e instanceof ChannelSendError && e.kind === 'permanent') return refuse(a, 'unavailable', e.message);
        if (opts.lastAttempt) return refuse(a, 'unavailable', `gave up: ${(e as Error)?.message ?? String(e)}`);
        log.warn({ attachmentId: a.id, platform: a.platform, err: (e as Error)?.message }, 'attachment fetch failed; will retry');
        throw e;
      }
    },

    /** An agent's upload: the bytes streamed into the store within the limit (FileTooLargeError beyond it). */
    async upload(body: Readable, input: { filename: string; uploaderId: string }): Promise<AttachmentRecord> {
      const name = cleanFileName(input.filename);
      const sniffed = await sniffStream(body, name, deps.detect);
      const blob = await blobs.put(sniffed.body, { maxBytes });
      try {
        return await repo.insertUpload({ uploaderId: input.uploaderId, name, contentType: sniffed.contentType, size: blob.size, sha256: blob.sha256, storageKey: blob.key });
      } catch (e) {
        await blobs.delete(blob.key).catch(() => undefined);
        throw e;
      }
    },

    /** The file for this viewer, or null (unknown, not stored, or not theirs to see: the caller answers 404). */
    async find(id: string, viewer: Viewer): Promise<AttachmentRecord | null> {
      if (!UUID_RE.test(id)) return null;
      const a = await repo.find(id);
      return a && maySee(viewer, a) ? a : null;
    },

    /** The bytes of a stored file (a range of them). */
    open(a: AttachmentRecord, range?: ByteRange): Promise<Readable> {
      if (!a.storageKey) throw new Error(`attachment ${a.id} has no bytes`);
      return blobs.get(a.storageKey, range);
    },

    /** Uploads nobody attached within `olderThanMs` (an abandoned composer, a refused form): rows and bytes go. */
    async sweepUnattached(olderThanMs: number): Promise<number> {
      const keys = await repo.deleteUnattachedUploads(new Date(Date.now() - olderThanMs));
      for (const key of keys) await blobs.delete(key).catch((e: unknown) => log.warn({ err: (e as Error)?.message }, 'could not delete an upload\'s bytes'));
      return keys.length;
    },

    /** A public comment's stored files, as an adapter uploads them (each open() a fresh stream). */
    async outboundFiles(commentId: string): Promise<OutboundFile[]> {
      const rows = await repo.storedFilesOf(commentId);
      return rows.map((a) => ({
        id: a.id,
        name: a.name,
        contentType: a.contentType ?? 'application/octet-stream',
        size: a.size ?? 0,
        open: () => blobs.get(a.storageKey!),
      }));
    },
  };
}

export type AttachmentService = ReturnType<typeof createAttachmentService>;
