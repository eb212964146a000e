-- The ordering key an inbound event was recorded with (e.g. its chat), so that a retry runs in the same serial
-- queue as the events that came after it.
ALTER TABLE "inbound_events" ADD COLUMN "ordering_key" TEXT;
