-- Initial schema: users and organizations, the service catalog, tickets with comments, audit events and ratings,
-- chat identities, link codes, thread links, per-chat config and dialog state, the inbound inbox, the outbox with
-- its deliveries, and worker heartbeats. Written by hand in Prisma's layout (see README: "Database migrations").

CREATE TABLE "organizations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "organizations_name_key" ON "organizations"("name");
CREATE INDEX "organizations_name_prefix_idx" ON "organizations"(lower("name") text_pattern_ops);

CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "email_domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "role" TEXT NOT NULL DEFAULT 'end_user',
    "organization_id" UUID,
    "password_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "users_role_check" CHECK ("role" IN ('end_user', 'agent', 'admin')),
    CONSTRAINT "users_email_lower_check" CHECK ("email" = lower("email"))
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "users_organization_id_idx" ON "users"("organization_id");
CREATE INDEX "users_name_prefix_idx" ON "users"(lower("name") text_pattern_ops);
CREATE INDEX "users_email_prefix_idx" ON "users"("email" text_pattern_ops);
CREATE INDEX "users_email_domain_prefix_idx" ON "users"("email_domain" text_pattern_ops);
CREATE INDEX "users_phone_prefix_idx" ON "users"(lower("phone") text_pattern_ops);

CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

CREATE TABLE "services" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "services_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "services_name_key" ON "services"("name");

CREATE TABLE "tickets" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'new',
    "priority" TEXT NOT NULL DEFAULT 'normal',
    "visibility" TEXT NOT NULL DEFAULT 'public',
    "via" TEXT NOT NULL,
    "requester_id" UUID NOT NULL,
    "submitter_id" UUID NOT NULL,
    "assignee_id" UUID,
    "service_id" UUID,
    "organization_id" UUID,
    "follow_up_of_id" UUID,
    "source_url" TEXT,
    "source_key" TEXT,
    "solved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tickets_status_check" CHECK ("status" IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    CONSTRAINT "tickets_priority_check" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT "tickets_visibility_check" CHECK ("visibility" IN ('public', 'private'))
);
CREATE UNIQUE INDEX "tickets_number_key" ON "tickets"("number");
CREATE UNIQUE INDEX "tickets_source_key_key" ON "tickets"("source_key");
CREATE INDEX "tickets_requester_id_number_idx" ON "tickets"("requester_id", "number" DESC);
CREATE INDEX "tickets_status_number_idx" ON "tickets"("status", "number" DESC);
CREATE INDEX "tickets_assignee_id_status_idx" ON "tickets"("assignee_id", "status");
CREATE INDEX "tickets_service_id_status_idx" ON "tickets"("service_id", "status");
CREATE INDEX "tickets_updated_at_idx" ON "tickets"("updated_at" DESC);
CREATE INDEX "tickets_solved_at_idx" ON "tickets"("solved_at") WHERE "status" = 'solved';

CREATE TABLE "comments" (
    "id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "public" BOOLEAN NOT NULL,
    "via" TEXT NOT NULL,
    "external_ref" TEXT,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "edited_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "comments_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "comments_external_ref_key" ON "comments"("external_ref");
CREATE INDEX "comments_ticket_id_created_at_idx" ON "comments"("ticket_id", "created_at");

CREATE TABLE "ticket_events" (
    "id" BIGSERIAL NOT NULL,
    "ticket_id" UUID NOT NULL,
    "actor_id" UUID,
    "kind" TEXT NOT NULL,
    "field" TEXT,
    "from_value" TEXT,
    "to_value" TEXT,
    "via" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ticket_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ticket_events_ticket_id_id_idx" ON "ticket_events"("ticket_id", "id");

CREATE TABLE "ratings" (
    "id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "rater_id" UUID NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ratings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ratings_score_check" CHECK ("score" BETWEEN 1 AND 5)
);
CREATE UNIQUE INDEX "ratings_ticket_id_key" ON "ratings"("ticket_id");

CREATE TABLE "chat_identities" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "display_name" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_identities_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "chat_identities_platform_workspace_id_platform_user_id_key" ON "chat_identities"("platform", "workspace_id", "platform_user_id");
CREATE INDEX "chat_identities_user_id_idx" ON "chat_identities"("user_id");

CREATE TABLE "link_codes" (
    "id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "link_codes_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "link_codes_code_hash_key" ON "link_codes"("code_hash");
CREATE INDEX "link_codes_user_id_idx" ON "link_codes"("user_id");

CREATE TABLE "chat_thread_links" (
    "id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "thread_ref" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "status" TEXT NOT NULL DEFAULT 'active',
    "broken_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chat_thread_links_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "chat_thread_links_platform_workspace_id_chat_id_thread_ref_ticket_id_key" ON "chat_thread_links"("platform", "workspace_id", "chat_id", "thread_ref", "ticket_id");
CREATE INDEX "chat_thread_links_ticket_id_idx" ON "chat_thread_links"("ticket_id");
CREATE INDEX "chat_thread_links_platform_workspace_id_chat_id_thread_ref_idx" ON "chat_thread_links"("platform", "workspace_id", "chat_id", "thread_ref");

CREATE TABLE "chat_configs" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "service_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "chat_configs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "chat_configs_platform_workspace_id_chat_id_key" ON "chat_configs"("platform", "workspace_id", "chat_id");

CREATE TABLE "dialog_states" (
    "platform" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "platform_user_id" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "dialog_states_pkey" PRIMARY KEY ("platform", "workspace_id", "chat_id", "platform_user_id")
);

CREATE TABLE "inbound_events" (
    "id" BIGSERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    CONSTRAINT "inbound_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "inbound_events_status_check" CHECK ("status" IN ('pending', 'done', 'dead'))
);
CREATE UNIQUE INDEX "inbound_events_platform_external_id_key" ON "inbound_events"("platform", "external_id");
CREATE INDEX "inbound_events_status_id_idx" ON "inbound_events"("status", "id");

CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "ticket_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "outbox_events_ticket_id_id_idx" ON "outbox_events"("ticket_id", "id");

CREATE TABLE "deliveries" (
    "id" BIGSERIAL NOT NULL,
    "outbox_event_id" BIGINT NOT NULL,
    "thread_link_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "platform_message_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "deliveries_status_check" CHECK ("status" IN ('pending', 'sending', 'sent', 'failed'))
);
CREATE UNIQUE INDEX "deliveries_outbox_event_id_thread_link_id_key" ON "deliveries"("outbox_event_id", "thread_link_id");
CREATE INDEX "deliveries_thread_link_id_status_id_idx" ON "deliveries"("thread_link_id", "status", "id");
CREATE INDEX "deliveries_platform_message_id_idx" ON "deliveries"("platform_message_id");

CREATE TABLE "worker_heartbeats" (
    "pool_id" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "worker_heartbeats_pkey" PRIMARY KEY ("pool_id")
);

ALTER TABLE "users" ADD CONSTRAINT "users_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_requester_id_fkey" FOREIGN KEY ("requester_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_submitter_id_fkey" FOREIGN KEY ("submitter_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_follow_up_of_id_fkey" FOREIGN KEY ("follow_up_of_id") REFERENCES "tickets"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "comments" ADD CONSTRAINT "comments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_rater_id_fkey" FOREIGN KEY ("rater_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "chat_identities" ADD CONSTRAINT "chat_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_thread_links" ADD CONSTRAINT "chat_thread_links_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chat_configs" ADD CONSTRAINT "chat_configs_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "outbox_events" ADD CONSTRAINT "outbox_events_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_outbox_event_id_fkey" FOREIGN KEY ("outbox_event_id") REFERENCES "outbox_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_thread_link_id_fkey" FOREIGN KEY ("thread_link_id") REFERENCES "chat_thread_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;
