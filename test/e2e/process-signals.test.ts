/**
 * `npm start` as people and containers stop it, on the embedded PostgreSQL: SIGTERM to npm alone (what a process
 * manager sends) and SIGINT to the whole process group (Ctrl-C in a terminal) both end in the service's graceful
 * stop, with PostgreSQL stopped by us and no error logged; a second instance on the same DATA_DIR says why it
 * cannot start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitedWithin, ROOT, startServiceProcess, type ServiceProcess } from '../helpers/processes.ts';

let dataDir = '';
const started: ServiceProcess[] = [];
const postgresPids = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function postmasterPid(): number {
  const pid = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  postgresPids.add(pid);
  return pid;
}

/** The node process npm started (npm's only child). */
function childOf(pid: number): number {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  expect(out).toHaveLength(1);
  return out[0]!;
}

const npmStart = () => startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: undefined }, { command: ['npm', 'start'], detached: true });
const errorLines = (p: ServiceProcess) => p.logs().filter((l) => l.level >= 50);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-signals-'));
});
async function killLeftovers(): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  for (const p of started) if (p.child.pid) signal(-p.child.pid, 'SIGKILL');
  for (const pid of postgresPids) signal(pid, 'SIGINT');
  const end = Date.now() + 30_000;
  while ([...postgresPids].some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
}

afterAll(async () => {
  await killLeftovers();
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start under signals', () => {
  it('a second instance on the same DATA_DIR says the directory is in use, by which process', async () => {
    const first = await npmStart();
    started.push(first);
    const pgPid = postmasterPid();
    const r = spawnSync(process.execPath, ['src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(r.status).toBe(1);
    const fatal = r.stdout.split('\n').filter((l) => l.includes('"level":60'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain(path.resolve(dataDir));
    expect(fatal[0]).toMatch(/in use by another instance/);
    expect(fatal[0]).toContain(`(PostgreSQL pid ${pgPid})`);
    // The first instance is untouched.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    // SIGTERM to npm alone, as a process manager sends it.
    const node = childOf(first.child.pid!);
    first.child.kill('SIGTERM');
    expect(await exitedWithin(first.child, 60_000)).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(errorLines(first)).toEqual([]);
    expect(first.output()).not.toContain('administrator command');
    expect(alive(node)).toBe(false);
    expect(alive(pgPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 400_000);

  it('Ctrl-C (SIGINT to the whole process group) stops cleanly: no error logged, PostgreSQL stopped', async () => {
    await killLeftovers(); // should the test above have failed half-way
    const svc = await npmStart();
    started.push(svc);
    const pgPid = postmasterPid();
    const node = childOf(svc.child.pid!);
    process.kill(-svc.child.pid!, 'SIGINT');
    expect(await exitedWithin(svc.child, 60_000)).toBe(0);
    expect(svc.output()).toContain('"msg":"stopped"');
    expect(svc.output()).not.toContain('second signal');
    expect(errorLines(svc)).toEqual([]);
    // PostgreSQL was not stopped under the service (it would cut the pool: "terminating connection due to
    // administrator command").
    expect(svc.output()).not.toContain('administrator command');
    expect(alive(node)).toBe(false);
    expect(alive(pgPid)).toBe(false);
  }, 400_000);
});
