// Prisma 7 reads its connection string from here (for `prisma migrate deploy` / `status` by users who have the
// schema engine); the service itself connects through @prisma/adapter-pg and applies migrations itself.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
