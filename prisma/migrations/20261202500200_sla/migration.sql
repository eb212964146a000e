-- Service-level targets per priority (first reply, next reply, resolution, in minutes, optionally counted in
-- business hours) and the clock they run on: when the first public reply came, since when the customer has been
-- waiting for us, and the resulting due times, kept on the ticket so that the queue can sort and filter by them
-- with an index. `sla_due_at` is the earliest due time of the targets still running; `sla_check_at` is when the
-- SLA job must next look at the ticket (a warning or a breach to record). `sla_alerts` records each warning and
-- breach once.
CREATE TABLE "sla_policies" (
    "priority" TEXT NOT NULL,
    "first_reply_minutes" INTEGER,
    "next_reply_minutes" INTEGER,
    "resolution_minutes" INTEGER,
    "business_hours" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sla_policies_pkey" PRIMARY KEY ("priority"),
    CONSTRAINT "sla_policies_priority_check" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT "sla_policies_minutes_check" CHECK (coalesce("first_reply_minutes", 1) > 0 AND coalesce("next_reply_minutes", 1) > 0 AND coalesce("resolution_minutes", 1) > 0)
);

ALTER TABLE "tickets" ADD COLUMN "first_reply_at" TIMESTAMPTZ(3);
ALTER TABLE "tickets" ADD COLUMN "waiting_since" TIMESTAMPTZ(3);
ALTER TABLE "tickets" ADD COLUMN "first_reply_due_at" TIMESTAMPTZ(3);
ALTER TABLE "tickets" ADD COLUMN "next_reply_due_at" TIMESTAMPTZ(3);
ALTER TABLE "tickets" ADD COLUMN "resolution_due_at" TIMESTAMPTZ(3);
ALTER TABLE "tickets" ADD COLUMN "sla_due_at" TIMESTAMPTZ(3);
ALTER TABLE "tickets" ADD COLUMN "sla_check_at" TIMESTAMPTZ(3);

-- The clock of existing tickets, from their public conversation: the first public reply by an agent, and the
-- oldest public customer message after the last one (only on tickets that are not pending, solved or closed).
UPDATE "tickets" t SET "first_reply_at" = f.at
FROM (SELECT c."ticket_id", min(c."created_at") AS at FROM "comments" c JOIN "users" u ON u."id" = c."author_id"
      WHERE c."public" AND u."role" <> 'end_user' GROUP BY c."ticket_id") f
WHERE f."ticket_id" = t."id";
UPDATE "tickets" t SET "waiting_since" = w.at
FROM (SELECT c."ticket_id", min(c."created_at") AS at FROM "comments" c JOIN "users" u ON u."id" = c."author_id"
      JOIN "tickets" t2 ON t2."id" = c."ticket_id"
      WHERE c."public" AND u."role" = 'end_user' AND c."created_at" > coalesce(
        (SELECT max(s."created_at") FROM "comments" s JOIN "users" su ON su."id" = s."author_id"
         WHERE s."ticket_id" = c."ticket_id" AND s."public" AND su."role" <> 'end_user'), '-infinity')
      GROUP BY c."ticket_id") w
WHERE w."ticket_id" = t."id" AND t."status" IN ('new', 'open', 'on_hold');

CREATE INDEX "tickets_waiting_number_idx" ON "tickets"(coalesce("waiting_since", 'infinity'::timestamptz), "number");
CREATE INDEX "tickets_sla_due_number_idx" ON "tickets"(coalesce("sla_due_at", 'infinity'::timestamptz), "number");
CREATE INDEX "tickets_sla_check_at_idx" ON "tickets"("sla_check_at") WHERE "sla_check_at" IS NOT NULL;

CREATE TABLE "sla_alerts" (
    "id" BIGSERIAL NOT NULL,
    "ticket_id" UUID NOT NULL,
    "target" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sla_alerts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sla_alerts_target_check" CHECK ("target" IN ('first_reply', 'next_reply', 'resolution')),
    CONSTRAINT "sla_alerts_kind_check" CHECK ("kind" IN ('warning', 'breach'))
);
CREATE UNIQUE INDEX "sla_alerts_ticket_id_target_kind_due_at_key" ON "sla_alerts"("ticket_id", "target", "kind", "due_at");
CREATE INDEX "sla_alerts_kind_created_at_idx" ON "sla_alerts"("kind", "created_at");
ALTER TABLE "sla_alerts" ADD CONSTRAINT "sla_alerts_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
