-- Live signals of the hot writes after their commit, not in it. A transaction that calls pg_notify takes, at its
-- commit, one lock for the whole cluster (the notification queue's) and holds it through its WAL flush: every such
-- commit waits for the one before it. Sampled in `npm run bench`, half the active backends' time went to waiting
-- for that lock ("Lock: object") while comments and deliveries were written at 200/s.
--
-- A writer that announces a ticket's change itself once committed (the service does, coalesced on its listening
-- connection: src/infra/live/pg-live-bus.ts) names that ticket in the transaction-local setting
-- tb.live_announced; the triggers stay silent for that ticket only. Every other writer, and every other ticket,
-- is announced by the database as before. A delivery's claim (pending → sending) is no news for a page: its end is.
-- A notification of an agent about the announced ticket is announced by its writer too.

-- The one rule: a signal about a ticket is sent unless its writer announces that ticket itself.
CREATE OR REPLACE FUNCTION "tb_live_signal"("ticket_id" UUID, "payload" TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF "ticket_id"::text IS DISTINCT FROM current_setting('tb.live_announced', true) THEN
    PERFORM pg_notify('tb_live', "payload");
  END IF;
END $$;

CREATE OR REPLACE FUNCTION "tb_live_ticket"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "tb_live_signal"(NEW."id", json_build_object('k', 't', 'n', NEW."number")::text);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "tb_live_delivery"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n INTEGER;
DECLARE tid UUID;
BEGIN
  SELECT t."number", t."id" INTO n, tid FROM "chat_thread_links" l JOIN "tickets" t ON t."id" = l."ticket_id" WHERE l."id" = NEW."thread_link_id";
  IF n IS NOT NULL THEN
    PERFORM "tb_live_signal"(tid, json_build_object('k', 't', 'n', n)::text);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "tb_live_notification"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "tb_live_signal"(NEW."ticket_id", json_build_object('k', 'n', 'a', NEW."agent_id")::text);
  RETURN NULL;
END $$;

DROP TRIGGER "deliveries_live" ON "deliveries";
CREATE TRIGGER "deliveries_live" AFTER UPDATE OF "status" ON "deliveries" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" AND NEW."status" <> 'sending') EXECUTE FUNCTION "tb_live_delivery"();
