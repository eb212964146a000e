import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/**
 * Spawns a TypeScript entry with tsx and resolves when it prints `READY <url>`. The entry runs in the spawned process
 * itself (tsx as a loader, not its CLI, which would run it in a grandchild): a SIGKILL to `child` kills the instance.
 */
export function spawnReady(entry: string, env: Record<string, string>, timeoutMs = 180_000): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no READY within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/READY/.test(out)) reject(new Error(`exited ${code} before READY:\n${out}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode ? r(child.exitCode) : child.once('exit', (c) => r(c))));
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** The JSON log lines so far. */
  logs(): { level: number; msg: string; [k: string]: unknown }[];
}

/**
 * `npm start`'s command line (`node … src/main.ts`) as a real process with its own env on a free port, resolved once
 * /readyz answers. `command` replaces it (e.g. `npm start` itself); `detached` gives it its own process group. An
 * env value of undefined removes that variable from the inherited environment.
 */
export async function startServiceProcess(
  env: Record<string, string | undefined>,
  opts: { command?: [string, ...string[]]; detached?: boolean; cwd?: string; readyTimeoutMs?: number; port?: number } = {},
): Promise<ServiceProcess> {
  // `port` is where to look for it when PORT comes from elsewhere (an env file).
  const port = opts.port ?? Number(env.PORT ?? (await freePort()));
  const { DATABASE_URL: _inherited, ...base } = process.env;
  const fullEnv: Record<string, string> = { ...base, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port) } as Record<string, string>;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete fullEnv[k];
  else fullEnv[k] = v;
  const [cmd, ...args] = opts.command ?? [process.execPath, 'src/main.ts'];
  const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode) throw new Error(`exited ${child.exitCode ?? child.signalCode} before it was ready:\n${out}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > end) throw new Error(`not ready within ${opts.readyTimeoutMs ?? 180_000} ms:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port,
    url,
    output: () => out,
    logs: () =>
      out.split('\n').flatMap((l) => {
        try {
          return l.startsWith('{') ? [JSON.parse(l) as { level: number; msg: string }] : [];
        } catch {
          return []; // a line still being written
        }
      }),
  };
}

/** The exit code, or null when it did not exit within `timeoutMs` (a generous bound; tests assert no timing). */
export function exitedWithin(child: ChildProcess, timeoutMs: number): Promise<number | null | 'still running'> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode) return resolve(child.exitCode);
    const t = setTimeout(() => resolve('still running'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}
