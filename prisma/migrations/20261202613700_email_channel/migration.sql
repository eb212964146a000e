-- Email as a channel: a reply to a notification names its ticket by the token in the thread ref of the
-- requester's address thread, whoever sends it; this index finds a thread by its ref within a workspace.
CREATE INDEX "chat_thread_links_platform_workspace_id_thread_ref_idx" ON "chat_thread_links" ("platform", "workspace_id", "thread_ref");
