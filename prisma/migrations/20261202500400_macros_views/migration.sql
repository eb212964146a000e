-- Macros (a saved reply, public or internal, and/or changes of status, priority, assignee and tags, applied in one
-- step) and saved views (queue filters and a sort). Both are shared with every agent (owner_id NULL) or personal.
CREATE TABLE "macros" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" UUID,
    "body" TEXT,
    "public" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT,
    "priority" TEXT,
    "assignee_id" UUID,
    "assign_to_self" BOOLEAN NOT NULL DEFAULT false,
    "add_tags" TEXT[] NOT NULL DEFAULT '{}',
    "remove_tags" TEXT[] NOT NULL DEFAULT '{}',
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "macros_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "macros_status_check" CHECK ("status" IS NULL OR "status" IN ('new', 'open', 'pending', 'on_hold', 'solved')),
    CONSTRAINT "macros_priority_check" CHECK ("priority" IS NULL OR "priority" IN ('low', 'normal', 'high', 'urgent'))
);
CREATE INDEX "macros_owner_id_name_idx" ON "macros"("owner_id", "name");
ALTER TABLE "macros" ADD CONSTRAINT "macros_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "macros" ADD CONSTRAINT "macros_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "macros" ADD CONSTRAINT "macros_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "saved_views" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" UUID,
    "filters" JSONB NOT NULL,
    "sort" TEXT NOT NULL DEFAULT 'number',
    "sort_order" TEXT,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "saved_views_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "saved_views_sort_order_check" CHECK ("sort_order" IS NULL OR "sort_order" IN ('asc', 'desc'))
);
CREATE INDEX "saved_views_owner_id_name_idx" ON "saved_views"("owner_id", "name");
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
