/**
 * What a chat message's (or a mail's) files become when the message becomes a comment, decided before its
 * transaction: a pending row per file for the worker to fetch (never in the webhook's request), a file the
 * platform already says is too large refused at once (the person is told), and bytes that came with the event
 * (ChatFile.content, e.g. a mail's MIME part) written to the BlobStore now, so the row is stored from the start.
 */
import { Readable } from 'node:stream';
import type { ChatFile } from '../chat/chat-events.ts';
import { FileTooLargeError } from '../ports/channel-port.ts';
import type { NewAttachment } from '../ports/store-port.ts';
import type { BlobStore } from './attachment-port.ts';
import { DEFAULT_ATTACHMENT_MAX_BYTES, fromChatFile } from './attachment-rules.ts';
import { sniffStream, type DetectType } from './sniff.ts';

export interface FileIntake {
  attachments: NewAttachment[];
  maxBytes: number;
  /** The comment was not written (a re-delivery, a refusal): removes the bytes this intake stored. */
  discard(): Promise<void>;
}

export interface AttachmentIntake {
  intake(platform: string, files: ChatFile[]): Promise<FileIntake>;
}

/** "20 MB" for people: whole megabytes when it is whole, else one decimal. */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}

/** Without a store (unit tests of the conversation): every file pending, nothing with bytes kept. */
export const defaultIntake: AttachmentIntake = {
  async intake(platform, files) {
    const max = DEFAULT_ATTACHMENT_MAX_BYTES;
    return { attachments: files.map((f) => fromChatFile(platform, f, max, true)), maxBytes: max, discard: async () => undefined };
  },
};

export function createAttachmentIntake(deps: {
  blobs: BlobStore;
  maxBytes: number;
  /** Whether this platform's adapter can fetch files (else a file without bytes is unavailable at once). */
  canFetch(platform: string): boolean;
  detect?: DetectType;
}): AttachmentIntake {
  return {
    async intake(platform, files) {
      const written: string[] = [];
      const discard = async () => {
        for (const key of written.splice(0)) await deps.blobs.delete(key).catch(() => undefined);
      };
      const attachments: NewAttachment[] = [];
      try {
        for (const f of files) {
          const a = fromChatFile(platform, f, deps.maxBytes, deps.canFetch(platform));
          if (f.content && a.state === 'pending') {
            if (f.content.byteLength > deps.maxBytes) {
              attachments.push({ ...a, state: 'too_large', reason: `larger than ${deps.maxBytes} bytes`, declaredSize: f.content.byteLength });
              continue;
            }
            const sniffed = await sniffStream(Readable.from([Buffer.from(f.content)]), a.name, deps.detect);
            const blob = await deps.blobs.put(sniffed.body, { maxBytes: deps.maxBytes }).catch((e: unknown) => {
              if (e instanceof FileTooLargeError) return null;
              throw e;
            });
            if (!blob) {
              attachments.push({ ...a, state: 'too_large', reason: `larger than ${deps.maxBytes} bytes` });
              continue;
            }
            written.push(blob.key);
            attachments.push({ ...a, state: 'stored', stored: { storageKey: blob.key, size: blob.size, sha256: blob.sha256, contentType: sniffed.contentType } });
          } else attachments.push(a);
        }
      } catch (e) {
        await discard();
        throw e;
      }
      return { attachments, maxBytes: deps.maxBytes, discard };
    },
  };
}
