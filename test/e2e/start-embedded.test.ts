/**
 * `npm start` as a user runs it: no DATABASE_URL, so an embedded PostgreSQL under DATA_DIR; the data survives a
 * restart; SIGTERM stops it cleanly; a bad variable stops start-up with one line naming it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, ROOT } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

const ADMIN = 'e2e-admin-token-0123456789';
let dataDir = '';

function npmStart(env: Record<string, string>) {
  const { DATABASE_URL: _omit, ...rest } = process.env;
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: { ...rest, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start on the embedded PostgreSQL', () => {
  it('serves the API, keeps data across a restart and stops on SIGTERM', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-e2e-data-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_TOKEN: ADMIN };
    const h = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

    const first = npmStart(env);
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 90_000, 'first start');
    expect(first.output()).toContain('starting the embedded PostgreSQL');
    expect(first.output()).toContain('Slack is off');
    const created = await fetch(`${base}/api/v1/tickets`, { method: 'POST', headers: h, body: JSON.stringify({ subject: 'Survives restarts', description: 'kept on disk', requesterEmail: 'keep@example.com' }) });
    expect(created.status).toBe(201);
    const { ticket } = (await created.json()) as { ticket: { number: number } };
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = npmStart(env);
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 90_000, 'second start');
    const again = await fetch(`${base}/api/v1/tickets/${ticket.number}`, { headers: h });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { ticket: { subject: string } }).ticket.subject).toBe('Survives restarts');
    expect(second.output()).not.toContain('database migrations applied'); // nothing pending the second time
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 400_000);
});

describe('configuration errors', () => {
  for (const [variable, value] of [
    ['PORT', 'seventy'],
    ['DATABASE_URL', 'mysql://x'],
    ['TELEGRAM_MODE', 'carrier-pigeon'],
    ['LARK_DOMAIN', 'not a url'],
  ] as const) {
    it(`a bad ${variable} stops start-up with one line naming it`, () => {
      const r = spawnSync(process.execPath, ['src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, [variable]: value },
        encoding: 'utf8',
        timeout: 180_000,
      });
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('nodedir'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^config error: ${variable} `));
      expect(r.stdout).toBe('');
    }, 200_000);
  }
  it('never echoes a secret value in the error', () => {
    const r = spawnSync(process.execPath, ['src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, TELEGRAM_BOT_TOKEN: 'supersecret-not-a-token' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(r.stderr).toContain('config error: TELEGRAM_BOT_TOKEN');
    expect(r.stderr).not.toContain('supersecret');
  }, 200_000);
});
