-- Agents' access can be taken back: API tokens get a label, an optional expiry and a revocation time, and an agent
-- can be deactivated (every token revoked and every console session ended with it).
-- Written by hand in Prisma's layout (see README: "Database migrations").

ALTER TABLE "users" ADD COLUMN "deactivated_at" TIMESTAMPTZ(3);

ALTER TABLE "api_tokens" ADD COLUMN "label" TEXT NOT NULL DEFAULT 'API token',
ADD COLUMN "expires_at" TIMESTAMPTZ(3),
ADD COLUMN "revoked_at" TIMESTAMPTZ(3);
