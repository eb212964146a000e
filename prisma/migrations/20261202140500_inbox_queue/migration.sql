-- The inbox is its own queue: the worker claims due pending events in batches (FOR UPDATE SKIP LOCKED) instead of
-- running one graphile-worker job per event. run_at: when the event may run next (a retry's backoff);
-- claimed_until: the lease of the worker processing it (renewed while it runs; a crashed worker's lease runs out).
ALTER TABLE "inbound_events" ADD COLUMN "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now();
ALTER TABLE "inbound_events" ADD COLUMN "claimed_until" TIMESTAMPTZ(3);
-- The claim's walk over pending events in id order, and its per-chat check of an older event still waiting.
CREATE INDEX "inbound_events_pending_idx" ON "inbound_events" ("id") WHERE "status" = 'pending';
CREATE INDEX "inbound_events_pending_key_idx" ON "inbound_events" ("platform", "ordering_key", "id") WHERE "status" = 'pending' AND "ordering_key" IS NOT NULL;
-- Events recorded before this migration also have a graphile-worker job each: that job only wakes the queue now.
