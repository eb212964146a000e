-- Attachments both ways: files from chat messages and inbound mail, fetched by the worker and stored by the
-- service; files agents upload and send with a public comment. The bytes live behind a BlobStore (by default the
-- two attachment_blob* tables below, 256 KiB per chunk row); a row here says what the file is and where it is.

CREATE TABLE "attachments" (
    "id" UUID NOT NULL,
    "ticket_id" UUID,
    "comment_id" UUID,
    "uploader_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "content_type" TEXT,
    "size" INTEGER,
    "sha256" TEXT,
    "storage_key" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "platform" TEXT,
    "platform_file_id" TEXT,
    "platform_url" TEXT,
    "declared_size" INTEGER,
    "declared_type" TEXT,
    "fetch_ref" JSONB,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stored_at" TIMESTAMPTZ(3),
    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "attachments_state_check" CHECK ("state" IN ('pending', 'stored', 'too_large', 'unavailable')),
    CONSTRAINT "attachments_stored_check" CHECK ("state" <> 'stored' OR ("storage_key" IS NOT NULL AND "size" IS NOT NULL AND "sha256" IS NOT NULL AND "content_type" IS NOT NULL))
);
-- One platform file once per comment: a re-delivered event (or a retried transaction) stores nothing twice.
CREATE UNIQUE INDEX "attachments_comment_id_platform_platform_file_id_key" ON "attachments"("comment_id", "platform", "platform_file_id");
CREATE INDEX "attachments_ticket_id_idx" ON "attachments"("ticket_id");
CREATE INDEX "attachments_uploader_id_comment_id_idx" ON "attachments"("uploader_id", "comment_id");
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_uploader_id_fkey" FOREIGN KEY ("uploader_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The files comments kept as platform links become attachment rows with that link only (never fetched: nothing
-- says how any more), so no file a customer sent disappears from the thread.
INSERT INTO "attachments" ("id", "ticket_id", "comment_id", "uploader_id", "name", "state", "reason", "platform", "platform_url", "created_at")
SELECT gen_random_uuid(), c."ticket_id", c."id", c."author_id", COALESCE(NULLIF(f->>'name', ''), 'file'), 'unavailable', 'link_only', c."via", f->>'url', c."created_at"
FROM "comments" c, jsonb_array_elements(CASE WHEN jsonb_typeof(c."attachments") = 'array' THEN c."attachments" ELSE '[]'::jsonb END) f
WHERE f->>'url' IS NOT NULL;
ALTER TABLE "comments" DROP COLUMN "attachments";

-- The PostgreSQL BlobStore: one row per blob (so unfinished or unreferenced blobs can be swept), its bytes in
-- 256 KiB chunks (streaming and range reads never load a whole file).
CREATE TABLE "attachment_blobs" (
    "key" UUID NOT NULL,
    "complete" BOOLEAN NOT NULL DEFAULT false,
    "size" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "attachment_blobs_pkey" PRIMARY KEY ("key")
);
CREATE TABLE "attachment_blob_chunks" (
    "key" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    CONSTRAINT "attachment_blob_chunks_pkey" PRIMARY KEY ("key", "seq")
);
ALTER TABLE "attachment_blob_chunks" ADD CONSTRAINT "attachment_blob_chunks_key_fkey" FOREIGN KEY ("key") REFERENCES "attachment_blobs"("key") ON DELETE CASCADE ON UPDATE CASCADE;
-- Chunks are written once and read in order: no TOAST compression pass over bytes that are mostly compressed already.
ALTER TABLE "attachment_blob_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
