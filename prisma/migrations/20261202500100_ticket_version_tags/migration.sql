-- Optimistic concurrency and tags. `version` goes up with every change of a ticket (comments included), in the
-- change's transaction; the API's ETag is made of it. Tags are a normalised set on the ticket; `tags` remembers
-- every tag ever used, for suggestions. The queue's sort orders each get an index whose tie-break is the ticket
-- number in the same direction, so that a page is one index range (see src/infra/repos/ticket-list-sql.ts).
ALTER TABLE "tickets" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "tickets" ADD COLUMN "tags" TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX "tickets_tags_idx" ON "tickets" USING gin ("tags");

CREATE TABLE "tags" (
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tags_pkey" PRIMARY KEY ("name")
);

-- urgent first when sorting by priority
CREATE FUNCTION priority_rank(p text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END;
CREATE INDEX "tickets_priority_rank_number_idx" ON "tickets"(priority_rank("priority") DESC, "number" DESC);

DROP INDEX "tickets_updated_at_idx";
CREATE INDEX "tickets_updated_at_number_idx" ON "tickets"("updated_at" DESC, "number" DESC);
