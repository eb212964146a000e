-- Whether a ticket's description may be shown to its requester. It is the first comment: internal on a private
-- ticket, and turned internal when a public ticket is made private; a later public reply does not make it public.
ALTER TABLE "tickets" ADD COLUMN "description_public" BOOLEAN NOT NULL DEFAULT true;
UPDATE "tickets" SET "description_public" = false WHERE "visibility" = 'private';
