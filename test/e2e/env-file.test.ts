/**
 * `npm start` reads `.env` from the project folder (Node's --env-file-if-exists), and a variable set in the real
 * environment wins over the same one in the file. Run in a scratch copy of the project (symlinks), so the real
 * checkout's .env is neither needed nor touched.
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitedWithin, freePort, ROOT, startServiceProcess, type ServiceProcess } from '../helpers/processes.ts';
import { createTestDatabase } from '../helpers/test-db.ts';

let scratch = '';
let svc: ServiceProcess | undefined;
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

afterAll(async () => {
  if (svc?.child.pid && svc.child.exitCode === null) process.kill(-svc.child.pid, 'SIGKILL');
  await database?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('npm start and .env', () => {
  it('loads .env, and the real environment overrides it', async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tb-envfile-'));
    for (const entry of ['package.json', 'node_modules', 'src', 'prisma', 'tsconfig.json']) await symlink(path.join(ROOT, entry), path.join(scratch, entry));
    database = await createTestDatabase();
    const port = await freePort();
    const FILE_TOKEN = 'admin-token-from-the-env-file';
    const REAL_TOKEN = 'admin-token-from-the-real-environment';
    await writeFile(
      path.join(scratch, '.env'),
      `# as a person writes it\nDATABASE_URL=${database.url}\nPORT=${port}\nHOST=127.0.0.1\nADMIN_TOKEN=${FILE_TOKEN}\n`,
    );
    svc = await startServiceProcess(
      { DATABASE_URL: undefined, PORT: undefined, HOST: undefined, ADMIN_TOKEN: REAL_TOKEN },
      { command: ['npm', 'start'], cwd: scratch, detached: true, port, readyTimeoutMs: 120_000 },
    );
    // PORT, HOST and DATABASE_URL came from the file (it listens where the file says, on the file's database)...
    expect(svc.output()).not.toContain('starting the embedded PostgreSQL');
    // ...and ADMIN_TOKEN from the real environment.
    const services = (token: string) => fetch(`${svc!.url}/api/v1/services`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await services(REAL_TOKEN)).toBe(200);
    expect(await services(FILE_TOKEN)).toBe(401);
    svc.child.kill('SIGTERM');
    expect(await exitedWithin(svc.child, 60_000)).toBe(0);
  }, 240_000);
});
