/** The pure rules of attachments: names, types from bytes, inline or download, who may see, ranges. */
import { describe, expect, it } from 'vitest';
import type { AttachmentRecord } from './attachment-port.ts';
import { cleanFileName, contentTypeOf, dispositionOf, fromChatFile, looksLikeText, maySee, parseRange } from './attachment-rules.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('file names', () => {
  it('keep the base name only, without control characters, never empty or hidden', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(cleanFileName('.htaccess')).toBe('htaccess');
    expect(cleanFileName('')).toBe('file');
    expect(cleanFileName(null)).toBe('file');
    expect([...cleanFileName('я'.repeat(300))].length).toBe(200);
  });
});

describe('content types come from the bytes', () => {
  it('a detected magic number wins over the name', () => {
    expect(contentTypeOf('image/png', utf8('whatever'), 'notes.txt')).toBe('image/png');
  });
  it('text is text/plain, or a text type its name says (so markup is never shown inline)', () => {
    expect(contentTypeOf(null, utf8('hello, мир'), 'a.log')).toBe('text/plain');
    expect(contentTypeOf(null, utf8('<p>hi</p>'), 'page.html')).toBe('text/html');
    expect(contentTypeOf(null, utf8('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.txt')).toBe('image/svg+xml');
    expect(contentTypeOf(null, utf8('  <!doctype html><script>x</script>'), 'readme')).toBe('text/html');
    expect(contentTypeOf(null, utf8('<?xml version="1.0"?><a/>'), 'data')).toBe('application/xml');
    expect(contentTypeOf(null, utf8('alert(1)'), 'x.js')).toBe('text/javascript');
  });
  it('other bytes are application/octet-stream', () => {
    expect(contentTypeOf(null, new Uint8Array([0, 1, 2, 255]), 'blob.txt')).toBe('application/octet-stream');
    expect(contentTypeOf(null, new Uint8Array([0xc3, 0x28]), 'bad-utf8.txt')).toBe('application/octet-stream');
  });
  it('a sample cut in the middle of a character is still text', () => {
    const b = utf8('ошибка');
    expect(looksLikeText(b.subarray(0, b.length - 1))).toBe(true);
  });
});

describe('inline or download', () => {
  it('only safe images, PDF, plain text and media are inline', () => {
    for (const t of ['image/png', 'image/jpeg', 'application/pdf', 'text/plain']) expect(dispositionOf(t), t).toBe('inline');
    for (const t of ['text/html', 'image/svg+xml', 'application/xml', 'text/javascript', 'application/xhtml+xml', 'application/octet-stream', 'application/zip'])
      expect(dispositionOf(t), t).toBe('attachment');
  });
});

describe('who may see a file', () => {
  const base: AttachmentRecord = {
    id: 'a', name: 'x.png', size: 1, contentType: 'image/png', state: 'stored', reason: null, platformUrl: null, createdAt: new Date(),
    ticketId: 't', commentId: 'c', uploaderId: 'u', sha256: 'h', storageKey: 'k', platform: null, platformFileId: null, declaredSize: null, declaredType: null, fetchRef: null,
    comment: { public: true, deleted: false }, ticket: { number: 1, visibility: 'public', requesterId: 'req' },
  };
  it('an agent any stored file, even an internal one', () => {
    expect(maySee({ kind: 'agent', userId: 'x' }, { ...base, comment: { public: false, deleted: false } })).toBe(true);
    expect(maySee({ kind: 'agent', userId: 'x' }, { ...base, state: 'pending' })).toBe(false);
  });
  it('the requester only files of public, undeleted comments of their public ticket', () => {
    const me = { kind: 'end_user', userId: 'req' } as const;
    expect(maySee(me, base)).toBe(true);
    expect(maySee(me, { ...base, comment: { public: false, deleted: false } })).toBe(false);
    expect(maySee(me, { ...base, comment: { public: true, deleted: true } })).toBe(false);
    expect(maySee(me, { ...base, ticket: { ...base.ticket!, visibility: 'private' } })).toBe(false);
    expect(maySee(me, { ...base, comment: null, ticket: null })).toBe(false);
    expect(maySee({ kind: 'end_user', userId: 'someone-else' }, base)).toBe(false);
    expect(maySee({ kind: 'anonymous' }, base)).toBe(false);
  });
});

describe('chat files', () => {
  it('are pending, refused at once when the platform says they are too large, unavailable when the channel cannot fetch', () => {
    const f = { name: 'a.png', url: 'https://chat/a', platformFileId: 'F1', size: 10, contentType: 'image/png', fetchRef: { m: '1' } };
    expect(fromChatFile('x', f, 100, true)).toMatchObject({ state: 'pending', platform: 'x', platformFileId: 'F1', platformUrl: 'https://chat/a', declaredSize: 10 });
    expect(fromChatFile('x', { ...f, size: 101 }, 100, true)).toMatchObject({ state: 'too_large', reason: 'larger than 100 bytes' });
    expect(fromChatFile('x', f, 100, false)).toMatchObject({ state: 'unavailable' });
    expect(fromChatFile('x', { ...f, content: new Uint8Array([1]) }, 100, false)).toMatchObject({ state: 'pending' });
  });
});

describe('ranges', () => {
  it('parses one range against the size', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-4', 10)).toEqual({ start: 0, end: 4 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=8-100', 10)).toEqual({ start: 8, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    // Several ranges, or nonsense: the whole file.
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
  });
});
