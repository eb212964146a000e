/**
 * The service runs its TypeScript on Node's own type stripping (`npm start`, the image: no loader, no build), which
 * refuses what is not plain JavaScript once the types are gone (enums, namespaces, parameter properties). Every
 * source file the service may load, lazily loaded channels too, must pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sources = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
  );

describe("Node's type stripping", () => {
  const files = [...sources('src'), 'bench/service-child.ts', ...sources('test/helpers/test-channel')];
  it('finds the sources', () => expect(files.length).toBeGreaterThan(100));
  it.each(files)('takes %s', (file) => {
    expect(() => stripTypeScriptTypes(readFileSync(path.join(ROOT, file), 'utf8'), { mode: 'strip' })).not.toThrow();
  });
  it('refuses what it cannot strip (so the check above can fail)', () => {
    expect(() => stripTypeScriptTypes('class A { constructor(readonly x: number) {} }', { mode: 'strip' })).toThrow();
  });
});
