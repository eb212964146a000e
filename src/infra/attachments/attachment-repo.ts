/** Attachment rows on PostgreSQL: the core's AttachmentRepo, and the store's writes inside a comment's transaction. */
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import type { AttachmentRecord, AttachmentRepo } from '../../core/attachments/attachment-port.ts';
import type { AttachmentState, AttachmentView, NewAttachment } from '../../core/ports/store-port.ts';
import { enqueueAttachmentFetch } from '../queue/jobs.ts';
import { UUID_RE } from '../../core/text-rules.ts';

type Tx = Prisma.TransactionClient;
type Row = Prisma.AttachmentGetPayload<object>;

export function toAttachmentView(r: Row): AttachmentView {
  return {
    id: r.id,
    name: r.name,
    size: r.size ?? r.declaredSize,
    contentType: r.contentType,
    state: r.state as AttachmentState,
    reason: r.reason,
    platformUrl: r.platformUrl,
    createdAt: r.createdAt,
  };
}

const recordInclude = {
  comment: { select: { public: true, deletedAt: true } },
  ticket: { select: { number: true, visibility: true, requesterId: true } },
} satisfies Prisma.AttachmentInclude;

function toRecord(r: Prisma.AttachmentGetPayload<{ include: typeof recordInclude }>): AttachmentRecord {
  const ref = r.fetchRef && typeof r.fetchRef === 'object' && !Array.isArray(r.fetchRef) ? (r.fetchRef as Record<string, string>) : null;
  return {
    ...toAttachmentView(r),
    size: r.size,
    ticketId: r.ticketId,
    commentId: r.commentId,
    uploaderId: r.uploaderId,
    sha256: r.sha256,
    storageKey: r.storageKey,
    platform: r.platform,
    platformFileId: r.platformFileId,
    declaredSize: r.declaredSize,
    declaredType: r.declaredType,
    fetchRef: ref,
    comment: r.comment ? { public: r.comment.public, deleted: r.comment.deletedAt !== null } : null,
    ticket: r.ticket ? { number: r.ticket.number, visibility: r.ticket.visibility as 'public' | 'private', requesterId: r.ticket.requesterId } : null,
  };
}

/**
 * A comment's files, in its transaction: one row each (a platform file once per comment), and a fetch job for
 * each pending one. ON CONFLICT: the same platform file listed twice in one event is one attachment.
 */
export async function insertCommentAttachments(tx: Tx, owner: { commentId: string; ticketId: string; uploaderId: string }, files: NewAttachment[]): Promise<void> {
  for (const [position, f] of files.entries()) {
    const id = randomUUID();
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO attachments (id, ticket_id, comment_id, uploader_id, name, content_type, size, sha256, storage_key, state, reason,
                               platform, platform_file_id, platform_url, declared_size, declared_type, fetch_ref, stored_at, position)
      VALUES (${id}::uuid, ${owner.ticketId}::uuid, ${owner.commentId}::uuid, ${owner.uploaderId}::uuid, ${f.name},
              ${f.stored?.contentType ?? null}, ${f.stored?.size ?? null}::int, ${f.stored?.sha256 ?? null}, ${f.stored?.storageKey ?? null},
              ${f.stored ? 'stored' : f.state}, ${f.reason}, ${f.platform}, ${f.platformFileId}, ${f.platformUrl},
              ${f.declaredSize}::int, ${f.declaredType}, ${f.fetchRef ? JSON.stringify(f.fetchRef) : null}::jsonb, ${f.stored ? new Date() : null}::timestamptz, ${position}::int)
      ON CONFLICT (comment_id, platform, platform_file_id) DO NOTHING
      RETURNING id`;
    if (inserted.length && !f.stored && f.state === 'pending') await enqueueAttachmentFetch(tx, id);
  }
}

export async function attachUploads(tx: Tx, commentId: string, ticketId: string, uploaderId: string, ids: string[]): Promise<number> {
  const valid = ids.filter((i) => UUID_RE.test(i));
  if (valid.length === 0) return 0;
  return tx.$executeRaw`
    UPDATE attachments SET comment_id = ${commentId}::uuid, ticket_id = ${ticketId}::uuid, position = array_position(${valid}::uuid[], id)
    WHERE id = ANY(${valid}::uuid[]) AND uploader_id = ${uploaderId}::uuid AND comment_id IS NULL AND platform IS NULL AND state = 'stored'`;
}

export function createAttachmentRepo(db: Db): AttachmentRepo {
  return {
    async find(id) {
      const r = await db.attachment.findUnique({ where: { id }, include: recordInclude });
      return r ? toRecord(r) : null;
    },
    async insertUpload(row) {
      const r = await db.attachment.create({ data: { ...row, state: 'stored', storedAt: new Date() }, include: recordInclude });
      return toRecord(r);
    },
    async markStored(id, blob) {
      const n = await db.attachment.updateMany({
        where: { id, state: 'pending' },
        data: { state: 'stored', storageKey: blob.key, size: blob.size, sha256: blob.sha256, contentType: blob.contentType, storedAt: new Date(), reason: null },
      });
      return n.count === 1;
    },
    async markRefused(id, state, reason, size) {
      const n = await db.attachment.updateMany({
        where: { id, state: 'pending' },
        data: { state, reason, ...(size !== undefined && size !== null ? { declaredSize: Math.min(size, 2 ** 31 - 1) } : {}) },
      });
      return n.count === 1;
    },
    async storedFilesOf(commentId) {
      const rows = await db.attachment.findMany({ where: { commentId, state: 'stored' }, include: recordInclude, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] });
      return rows.map(toRecord);
    },
    async deleteUnattachedUploads(before) {
      const rows = await db.$queryRaw<{ storage_key: string | null }[]>`
        DELETE FROM attachments WHERE comment_id IS NULL AND platform IS NULL AND created_at < ${before} RETURNING storage_key`;
      return rows.flatMap((r) => (r.storage_key ? [r.storage_key] : []));
    },
  };
}
