import { describe, expect, it } from 'vitest';
import { nulPath, storable, storableText } from './text-rules.ts';

describe('storableText', () => {
  it('replaces NUL and unpaired surrogates with U+FFFD, one unit for one unit', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('\u0000\u0000')).toBe('\uFFFD\uFFFD');
    expect(storableText('x\uD800y')).toBe('x\uFFFDy');
    expect(storableText('x\uDC00')).toBe('x\uFFFD');
    expect(storableText('\uDC00\uD800')).toBe('\uFFFD\uFFFD');
    expect(storableText('a\u0000b').length).toBe(3);
  });
  it('keeps a well-formed string as it is, surrogate pairs included', () => {
    for (const s of ['', 'plain', '😀 emoji', 'カタカナ', 'Привет', 'tab\tnew\nline\u0001']) expect(storableText(s)).toBe(s);
  });
});

describe('storable', () => {
  it('cleans every string and every key, at any depth, and JSON then fits jsonb', () => {
    const v = { 'k\u0000': ['a\u0000', { deep: 'b\uD800' }], n: 1, ok: true, nil: null };
    const out = storable(v);
    expect(out).toEqual({ 'k\uFFFD': ['a\uFFFD', { deep: 'b\uFFFD' }], n: 1, ok: true, nil: null });
    expect(JSON.stringify(out)).not.toMatch(/\\u0000|\\ud[89a-f]/i);
    // the input is not changed
    expect(v['k\u0000'][0]).toBe('a\u0000');
  });
  it('leaves values that are not plain data alone', () => {
    const d = new Date(0);
    expect(storable({ d }).d).toBe(d);
    expect(storable(42)).toBe(42);
    expect(storable(undefined)).toBeUndefined();
  });
});

describe('deeply nested input', () => {
  it('neither function runs out of stack on a body nested 100,000 deep', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"a\\u0000"${']'.repeat(100_000)}`);
    expect(nulPath(deep)).toMatch(/^0\.0\.0/);
    let v: unknown = storable(deep);
    for (let i = 0; i < 100_000; i++) v = (v as unknown[])[0];
    expect(v).toBe('a\uFFFD');
  });
  it('keeps a __proto__ key as data and the keys in their order', () => {
    const v = storable(JSON.parse('{"b":1,"__proto__":{"admin":true},"a":"x\\u0000"}'));
    expect(Object.keys(v)).toEqual(['b', '__proto__', 'a']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
    expect(JSON.stringify(v)).toBe('{"b":1,"__proto__":{"admin":true},"a":"x\uFFFD"}');
  });
});

describe('nulPath', () => {
  it('names the first field holding a NUL', () => {
    expect(nulPath({ a: 'x', b: { c: ['ok', 'n\u0000'] } })).toBe('b.c.1');
    expect(nulPath({ name: 'fine' })).toBeNull();
    expect(nulPath('\u0000')).toBe('');
    expect(nulPath({ 'bad\u0000key': 1 })).toBe('bad\\0key');
    expect(nulPath(Object.assign(Object.create(null), { query: 'a\u0000' }))).toBe('query');
    // fast-querystring's dictionaries: a prototype that itself has none
    expect(nulPath(Object.assign(Object.create(Object.create(null)), { query: 'a\u0000' }))).toBe('query');
    expect(nulPath({ n: 1, u: undefined, z: null })).toBeNull();
  });
});
