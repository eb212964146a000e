/**
 * What the attachments core needs from outside: a BlobStore for the bytes (PostgreSQL chunks, a directory, or an
 * S3 bucket: src/infra/attachments/) and a repository for the attachment rows. Nothing here names a platform.
 */
import type { Readable } from 'node:stream';
import type { AttachmentState, AttachmentView } from '../ports/store-port.ts';

export type { AttachmentState, AttachmentView };

/** What a BlobStore wrote. */
export interface StoredBlob {
  key: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

/** An inclusive byte range, as HTTP says it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where the bytes live. `put` streams: it never holds more than a chunk in memory, enforces `maxBytes` while the
 * bytes arrive (FileTooLargeError from the channel port; nothing is kept then) and removes what it wrote on any
 * error. `get` streams too, from `range` when given.
 */
export interface BlobStore {
  readonly kind: string;
  put(body: Readable, opts: { maxBytes: number }): Promise<StoredBlob>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  delete(key: string): Promise<void>;
}

/** One attachment row as the core reads it. */
export interface AttachmentRecord extends AttachmentView {
  ticketId: string | null;
  commentId: string | null;
  uploaderId: string;
  sha256: string | null;
  storageKey: string | null;
  platform: string | null;
  platformFileId: string | null;
  declaredSize: number | null;
  declaredType: string | null;
  fetchRef: Record<string, string> | null;
  /** Of the comment it belongs to (null while unattached). */
  comment: { public: boolean; deleted: boolean } | null;
  /** Of its ticket (null while unattached). */
  ticket: { number: number; visibility: 'public' | 'private'; requesterId: string } | null;
}

export interface AttachmentRepo {
  find(id: string): Promise<AttachmentRecord | null>;
  /** An agent's upload: stored already, attached to nothing yet. */
  insertUpload(row: { uploaderId: string; name: string; contentType: string; size: number; sha256: string; storageKey: string }): Promise<AttachmentRecord>;
  /** Only while it is pending; false when another run got there first. */
  markStored(id: string, blob: StoredBlob & { contentType: string }): Promise<boolean>;
  /** Only while it is pending. */
  markRefused(id: string, state: 'too_large' | 'unavailable', reason: string, size?: number | null): Promise<boolean>;
  /** The stored files of a comment, in the order they were attached. */
  storedFilesOf(commentId: string): Promise<AttachmentRecord[]>;
  /** Removes uploads never attached to a comment, created before `before`; returns their storage keys. */
  deleteUnattachedUploads(before: Date): Promise<string[]>;
}
