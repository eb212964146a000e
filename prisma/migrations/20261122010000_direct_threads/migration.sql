-- A thread link can be a direct message to a platform user (the requester's own chat), used to notify requesters
-- of tickets agents create on their behalf.
ALTER TABLE "chat_thread_links" ADD COLUMN "direct_user_id" TEXT;
