-- When an inbound event's first counted failure happened: it is parked as dead only after failing for a day, so
-- the retry span is measured from here (not from received_at, which a backlog would eat into).
ALTER TABLE "inbound_events" ADD COLUMN "failing_since" TIMESTAMPTZ(3);
