/**
 * What the container files must keep (Docker itself cannot run on our machines, so the files are checked as text):
 * no secret or local data goes into the image, the container runs node itself with the start script's flags so
 * that `docker stop` reaches the service, and compose restarts and health-checks the app.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/processes.ts';

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  it('keeps secrets, local data and build output out of the image', () => {
    expect(patterns).toEqual(expect.arrayContaining(['.env', '.env.*', '.git', 'node_modules', '.data', 'test-results', 'src/generated']));
  });
  it('lets only the example env file through', () => {
    expect(patterns.filter((p) => p.startsWith('!'))).toEqual(['!.env.example']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const cmd = /^CMD\s+(.+)$/m.exec(dockerfile)?.[1] ?? '';
  it('runs node directly (exec form), with exactly the flags of the start script', () => {
    const argv = JSON.parse(cmd) as string[];
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    // The start script's only environment setting, MALLOC_ARENA_MAX, is the image's ENV.
    expect(start).toMatch(/^MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-2\} exec node /);
    expect(dockerfile).toMatch(/^ENV MALLOC_ARENA_MAX=2$/m);
    expect(argv).toEqual(start.replace(/^.*?exec /, '').split(/\s+/));
  });
  it('does not run as root', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, { restart?: string; init?: boolean; healthcheck?: { test: string[] }; stop_grace_period?: string }>;
  };
  const app = compose.services['app']!;
  it('restarts both services unless stopped by hand', () => {
    expect(app.restart).toBe('unless-stopped');
    expect(compose.services['db']!.restart).toBe('unless-stopped');
  });
  it('gives the app an init as PID 1 and a grace period for its drain', () => {
    expect(app.init).toBe(true);
    expect(app.stop_grace_period).toBe('30s');
  });
  it('health-checks the app on /readyz with node (the slim image has no curl)', () => {
    const test = app.healthcheck!.test;
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain('/readyz');
  });
  it('the healthcheck script exits 0 on a ready answer and 1 otherwise', async () => {
    // Its own code, pointed at a tiny server on loopback instead of the container's port.
    const script = app.healthcheck!.test[3]!;
    for (const [status, code] of [
      [200, 0],
      [503, 1],
    ] as const) {
      const server = http.createServer((_req, res) => res.writeHead(status).end());
      const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
      const exit = await new Promise<number | null>((resolve) =>
        spawn(process.execPath, ['-e', script.replace('127.0.0.1:3000', `127.0.0.1:${port}`)]).on('exit', resolve),
      );
      server.close();
      expect(exit).toBe(code);
    }
  });
});
