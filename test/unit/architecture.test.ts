/** The rooms of src/ (see README, Architecture): the core imports nothing outside itself and names no platform. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const core = files(path.join(ROOT, 'src/core'));

describe('src/core', () => {
  it('has files to check', () => expect(core.length).toBeGreaterThan(5));
  it('imports only from src/core and node built-ins', () => {
    for (const f of core) {
      for (const m of readFileSync(f, 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        expect(spec.startsWith('.'), `${path.relative(ROOT, f)} imports package ${spec}`).toBe(true);
        const target = path.resolve(path.dirname(f), spec);
        expect(target.startsWith(path.join(ROOT, 'src/core')), `${path.relative(ROOT, f)} imports ${spec}`).toBe(true);
      }
    }
  });
  it('names no chat platform in code', () => {
    for (const f of core) {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, path.relative(ROOT, f)).not.toMatch(/slack|lark|feishu|telegram/i);
    }
  });
});

/** Every relative import of `file`, resolved to a path under src/. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*['"]([^'"]+)['"]/gm)]
    .map((m) => m[1]!)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.relative(path.join(ROOT, 'src'), path.resolve(path.dirname(file), spec)));
}

describe('src/channels', () => {
  const channels = readdirSync(path.join(ROOT, 'src/channels')).filter((d) => statSync(path.join(ROOT, 'src/channels', d)).isDirectory() && d !== 'shared');
  it('has the three platforms', () => expect(channels).toEqual(expect.arrayContaining(['slack', 'lark', 'telegram'])));
  for (const ch of channels) {
    it(`${ch} imports neither another channel nor infra`, () => {
      for (const f of files(path.join(ROOT, 'src/channels', ch))) {
        for (const target of importsOf(f)) {
          const room = target.split(path.sep);
          expect(room[0] === 'infra', `${path.relative(ROOT, f)} imports ${target}`).toBe(false);
          if (room[0] === 'channels') expect([ch, 'shared'].includes(room[1]!) || room.length === 2, `${path.relative(ROOT, f)} imports ${target}`).toBe(true);
        }
      }
    });
  }
});

describe('src/http and src/console', () => {
  for (const room of ['http', 'console']) {
    it(`${room} never imports infra (repositories come in through ports from the composition root)`, () => {
      const found = files(path.join(ROOT, 'src', room));
      expect(found.length).toBeGreaterThan(3);
      for (const f of found) for (const target of importsOf(f)) expect(target.split(path.sep)[0], `${path.relative(ROOT, f)} imports ${target}`).not.toBe('infra');
    });
  }
  it('neither imports a channel', () => {
    for (const room of ['http', 'console'])
      for (const f of files(path.join(ROOT, 'src', room)))
        for (const target of importsOf(f)) {
          const parts = target.split(path.sep);
          expect(parts[0] === 'channels' && parts.length > 2, `${path.relative(ROOT, f)} imports ${target}`).toBe(false);
        }
  });
});

describe('the channel registry', () => {
  it('loads a channel (and its platform SDK) only when the channel is on: no static import of a channel folder', () => {
    const text = readFileSync(path.join(ROOT, 'src/channels/registry.ts'), 'utf8');
    const staticImports = [...text.matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    expect(staticImports.filter((s) => /^\.\/(slack|lark|telegram|email)\//.test(s))).toEqual([]);
    expect(text).toMatch(/await import\('\.\/slack\//);
  });
});
