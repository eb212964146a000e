import { describe, expect, it } from 'vitest';
import { parseTelegramHtml } from '../../../test/fakes/telegram/telegram-fake-html.ts';
import { escapeAttr, escapeHtml, splitHtml, truncate } from './telegram-html.ts';

/** What the reader sees: Telegram's own parsing, done by the fake's parser. */
function visible(html: string): string {
  const r = parseTelegramHtml(html);
  if (!r.ok) throw new Error(r.description);
  return r.text;
}

describe('escapeHtml', () => {
  it('escapes &, < and > so user text reads literally', () => {
    const raw = 'a < b && c > d <b>not bold</b> &amp;';
    expect(escapeHtml(raw)).toBe('a &lt; b &amp;&amp; c &gt; d &lt;b&gt;not bold&lt;/b&gt; &amp;amp;');
    expect(visible(escapeHtml(raw))).toBe(raw);
    expect(escapeAttr('https://x/?a="b"&c')).toBe('https://x/?a=&quot;b&quot;&amp;c');
  });
});

describe('splitHtml', () => {
  it('leaves a short text alone', () => {
    expect(splitHtml('<b>hi</b> there', 4096)).toEqual(['<b>hi</b> there']);
  });

  it('counts visible characters: entities are one, tags are none', () => {
    const html = `<b>${'&amp;'.repeat(10)}</b>`;
    expect(splitHtml(html, 10)).toEqual([html]);
  });

  it('prefers a line break in the second half, then a space, and drops the break', () => {
    expect(splitHtml('aaaa bbbb\ncccc dddd', 12)).toEqual(['aaaa bbbb', 'cccc dddd']);
    expect(splitHtml('aaaa bbbb cccc', 12)).toEqual(['aaaa bbbb', 'cccc']);
    // No break in the second half: a hard cut at the limit.
    expect(splitHtml('a bcdefghijklmnop', 8)).toEqual(['a bcdefg', 'hijklmno', 'p']);
  });

  it('closes the tags open at a cut and reopens them in the next part', () => {
    const parts = splitHtml('<b>one two <i>three four</i> five</b>', 10);
    for (const p of parts) {
      expect(parseTelegramHtml(p).ok, p).toBe(true);
      expect(visible(p).length).toBeLessThanOrEqual(10);
    }
    expect(parts.map(visible).join(' ')).toBe('one two three four five');
    expect(parts[1]).toMatch(/^<b>/);
  });

  it('keeps a link working across a cut', () => {
    const parts = splitHtml('<a href="https://x.example/t/1">open request number one</a>', 12);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p).toMatch(/^<a href="https:\/\/x\.example\/t\/1">.*<\/a>$/);
  });

  it('never splits a surrogate pair (an emoji is two UTF-16 units)', () => {
    const parts = splitHtml('😀'.repeat(5), 3);
    expect(parts).toEqual(['😀', '😀', '😀', '😀', '😀']);
  });

  it('splits 10,000 characters of user text into parts of at most 4096 that add up to the whole', () => {
    const text = 'x'.repeat(10_000);
    const parts = splitHtml(escapeHtml(text));
    expect(parts.map((p) => p.length)).toEqual([4096, 4096, 1808]);
    expect(parts.join('')).toBe(text);
  });
});

describe('truncate', () => {
  it('shortens with an ellipsis within the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });
});
