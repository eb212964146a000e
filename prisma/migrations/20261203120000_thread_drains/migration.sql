-- Deliveries get a queue of their own, like the inbox: one row per thread link with deliveries to send, instead of
-- a graphile-worker job per thread (src/infra/sync/drain-queue.ts). A commit that adds a delivery inserts the row or
-- bumps its seq (run_at kept: a backoff in force is not cut short); a worker claims due rows in batches
-- (FOR UPDATE SKIP LOCKED) with a lease (claimed_until, renewed while it drains), and afterwards deletes the row if
-- its seq is still the claimed one, else gives it back so that what came meanwhile is drained too. Times in
-- microseconds, as now() is: a row given back due now is due to the very next claim, not half a millisecond later.
CREATE TABLE "thread_drains" (
    "thread_link_id" UUID NOT NULL,
    "run_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "claimed_until" TIMESTAMPTZ,
    "seq" BIGINT NOT NULL DEFAULT 1,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "thread_drains_pkey" PRIMARY KEY ("thread_link_id")
);
CREATE INDEX "thread_drains_run_at_idx" ON "thread_drains" ("run_at");
ALTER TABLE "thread_drains" ADD CONSTRAINT "thread_drains_thread_link_id_fkey"
    FOREIGN KEY ("thread_link_id") REFERENCES "chat_thread_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- Deliveries still pending from before this migration have a drain_thread job each: that job now only puts its
-- thread here. The service's start-up sweep does the same for every thread with a pending delivery.
