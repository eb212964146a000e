-- The customers' half of the help center: sessions of two kinds, one-time sign-in links sent by email, one atomic
-- sign-in throttle, and two preferences of an end user. Written by hand in Prisma's layout (see README).

-- A session is an agent's or an end user's; each kind reaches only its own pages. No default: code that forgets to
-- say which kind it signs in must fail, not make an agent session. Sessions from before were agents'.
ALTER TABLE "console_sessions" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'agent';
ALTER TABLE "console_sessions" ALTER COLUMN "kind" DROP DEFAULT;
ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_kind_check" CHECK ("kind" IN ('agent', 'end_user'));

-- One-time sign-in links for end users: only the sha256 of the token is stored (the token itself exists only in
-- the email), valid until expires_at, used once (used_at set by the statement that signs in).
CREATE TABLE "sign_in_links" (
    "token_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "next_path" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sign_in_links_pkey" PRIMARY KEY ("token_hash")
);
CREATE INDEX "sign_in_links_user_id_idx" ON "sign_in_links"("user_id");
CREATE INDEX "sign_in_links_expires_at_idx" ON "sign_in_links"("expires_at");
-- Only here, not in schema.prisma: a relation there would need a field on User.
ALTER TABLE "sign_in_links" ADD CONSTRAINT "sign_in_links_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Sign-in throttling, one row per key (a hash of what is limited: email and address, or address alone): how many
-- attempts the current window has admitted. One INSERT ... ON CONFLICT DO UPDATE admits or refuses an attempt, so
-- concurrent attempts are counted one after another (the row lock), never all against the same old count.
CREATE TABLE "sign_in_throttles" (
    "key_hash" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL,
    CONSTRAINT "sign_in_throttles_pkey" PRIMARY KEY ("key_hash")
);
CREATE INDEX "sign_in_throttles_window_start_idx" ON "sign_in_throttles"("window_start");

-- Replaced by sign_in_throttles: counting rows and inserting one were two statements, so parallel guesses all
-- passed the count. Its rows are short-lived failure marks; nothing of value is lost.
DROP TABLE "console_sign_in_failures";

-- An end user's choices in the help center: whether agents' replies also come by email, and whether `locale` is
-- their own choice (then pages use it) rather than what a chat platform reported or the default.
ALTER TABLE "users" ADD COLUMN "email_replies" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "users" ADD COLUMN "locale_chosen" BOOLEAN NOT NULL DEFAULT false;
