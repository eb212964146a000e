-- The conversation engine: request drafts kept in the core (only their id travels through buttons and forms),
-- the chat service's answers stored with their inbound event until all are told, and a claim lease on deliveries
-- so that two drains of one thread never send the same message.

CREATE TABLE "request_drafts" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "thread_ref" TEXT,
    "direct" BOOLEAN NOT NULL,
    "source" JSONB,
    "subject" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "priority" TEXT NOT NULL DEFAULT 'normal',
    "service_id" UUID,
    "priority_chosen" BOOLEAN NOT NULL DEFAULT false,
    "service_chosen" BOOLEAN NOT NULL DEFAULT false,
    "ticket_number" INTEGER,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "request_drafts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "request_drafts_priority_check" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent'))
);
CREATE INDEX "request_drafts_created_at_idx" ON "request_drafts"("created_at");
ALTER TABLE "request_drafts" ADD CONSTRAINT "request_drafts_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "inbound_events" ADD COLUMN "outcome" JSONB;
ALTER TABLE "inbound_events" ADD COLUMN "replies_sent" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "deliveries" ADD COLUMN "claimed_until" TIMESTAMPTZ(3);
