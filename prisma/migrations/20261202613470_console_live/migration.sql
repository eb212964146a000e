-- Live updates for the console: the database itself announces, on the channel "tb_live", that a ticket changed
-- (any change raises its row: properties, comments through the version, SLA state), that a reply's delivery to a
-- chat moved on, or that an agent got a notification. Every instance of the service listens on one connection and
-- fans the signal out to its open pages. A signal carries the ticket number or the agent id only, never content.
-- Identical payloads within one transaction are delivered once by PostgreSQL, so a change touching the row several
-- times signals once.
CREATE OR REPLACE FUNCTION "tb_live_ticket"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tb_live', json_build_object('k', 't', 'n', NEW."number")::text);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "tb_live_delivery"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n INTEGER;
BEGIN
  SELECT t."number" INTO n FROM "chat_thread_links" l JOIN "tickets" t ON t."id" = l."ticket_id" WHERE l."id" = NEW."thread_link_id";
  IF n IS NOT NULL THEN
    PERFORM pg_notify('tb_live', json_build_object('k', 't', 'n', n)::text);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "tb_live_notification"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tb_live', json_build_object('k', 'n', 'a', NEW."agent_id")::text);
  RETURN NULL;
END $$;

CREATE TRIGGER "tickets_live" AFTER INSERT OR UPDATE ON "tickets" FOR EACH ROW EXECUTE FUNCTION "tb_live_ticket"();
CREATE TRIGGER "deliveries_live" AFTER UPDATE OF "status" ON "deliveries" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "tb_live_delivery"();
CREATE TRIGGER "agent_notifications_live" AFTER INSERT ON "agent_notifications" FOR EACH ROW EXECUTE FUNCTION "tb_live_notification"();
