-- What brings work to an agent: a ticket assigned to them, their customer's reply, an SLA target about to be
-- missed or missed. Written in the transaction of the change (or of the SLA job's finding), read and marked read
-- through the API.
CREATE TABLE "agent_notifications" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "actor_id" UUID,
    "comment_id" UUID,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),
    CONSTRAINT "agent_notifications_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "agent_notifications_kind_check" CHECK ("kind" IN ('assigned', 'customer_replied', 'sla_warning', 'sla_breach'))
);
CREATE INDEX "agent_notifications_agent_id_created_at_idx" ON "agent_notifications"("agent_id", "created_at" DESC, "id" DESC);
CREATE INDEX "agent_notifications_unread_idx" ON "agent_notifications"("agent_id", "created_at" DESC, "id" DESC) WHERE "read_at" IS NULL;
CREATE INDEX "agent_notifications_ticket_id_idx" ON "agent_notifications"("ticket_id");
ALTER TABLE "agent_notifications" ADD CONSTRAINT "agent_notifications_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "agent_notifications" ADD CONSTRAINT "agent_notifications_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "agent_notifications" ADD CONSTRAINT "agent_notifications_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "agent_notifications" ADD CONSTRAINT "agent_notifications_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
