// Generates the Prisma client from prisma/schema.prisma.
// `prisma generate` needs no schema engine, but the CLI tries to download one first unless
// PRISMA_SCHEMA_ENGINE_BINARY names an existing executable; machines without access to Prisma's binary host
// (and CI) would fail there. Pointing it at this Node binary skips the download; generation never runs it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const cli = require.resolve('prisma/build/index.js');
const r = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
