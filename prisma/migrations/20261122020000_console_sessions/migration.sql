-- The help-center console: agents' sign-in sessions (server-side; the cookie holds a random id, the table only
-- its sha256) and failed sign-ins, counted per email and address to throttle password guessing.
-- Written by hand in Prisma's layout (see README: "Database migrations").

CREATE TABLE "console_sessions" (
    "id_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "csrf_secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "console_sessions_pkey" PRIMARY KEY ("id_hash")
);
CREATE INDEX "console_sessions_user_id_idx" ON "console_sessions"("user_id");
CREATE INDEX "console_sessions_expires_at_idx" ON "console_sessions"("expires_at");

CREATE TABLE "console_sign_in_failures" (
    "id" BIGSERIAL NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "console_sign_in_failures_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "console_sign_in_failures_key_hash_created_at_idx" ON "console_sign_in_failures"("key_hash", "created_at");

-- Only here, not in schema.prisma: a relation there would need a field on User, which belongs to the init model.
ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
