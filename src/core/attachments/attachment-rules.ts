/**
 * The pure rules of attachments: what a chat file becomes, what type bytes are, how a file may be shown in a
 * browser, and who may fetch it. Tested directly (attachment-rules.test.ts).
 */
import type { ChatFile } from '../chat/chat-events.ts';
import type { NewAttachment } from '../ports/store-port.ts';
import { isStaff, type Role } from '../tickets/ticket-types.ts';
import type { AttachmentRecord } from './attachment-port.ts';

export const DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

/** A file name safe to store and to put in a URL path segment and a header: no path, no control characters. */
export function cleanFileName(raw: string | null | undefined): string {
  const base = String(raw ?? '')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .split(/[\\/]/)
    .pop()!
    .trim()
    .replace(/^\.+/, '');
  const cut = [...base].slice(0, 200).join('');
  return cut === '' ? 'file' : cut;
}

/**
 * What a chat file becomes at the moment its message becomes a comment: pending (the worker fetches it), or
 * refused at once when the platform already says it is too large or gives no way to fetch it.
 */
export function fromChatFile(platform: string, f: ChatFile, maxBytes: number, canFetch: boolean): NewAttachment {
  const base = {
    name: cleanFileName(f.name),
    platform,
    platformFileId: f.platformFileId ?? null,
    platformUrl: f.url ?? null,
    declaredSize: typeof f.size === 'number' && Number.isFinite(f.size) && f.size >= 0 ? Math.min(Math.floor(f.size), 2 ** 31 - 1) : null,
    declaredType: f.contentType ?? null,
    fetchRef: f.fetchRef ?? null,
  };
  if (base.declaredSize !== null && base.declaredSize > maxBytes) return { ...base, state: 'too_large', reason: `larger than ${maxBytes} bytes` };
  if (!canFetch && !f.content) return { ...base, state: 'unavailable', reason: 'the channel cannot fetch files' };
  return { ...base, state: 'pending', reason: null };
}

/** Types a browser may show inline (with nosniff and a sandboxing CSP); everything else is a download. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'application/pdf', 'text/plain', 'audio/mpeg', 'audio/ogg', 'video/mp4', 'video/webm']);
export const THUMBNAIL_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

export function dispositionOf(contentType: string): 'inline' | 'attachment' {
  return INLINE_TYPES.has(contentType.split(';')[0]!.trim().toLowerCase()) ? 'inline' : 'attachment';
}

/** Text types named by the file's extension (only once the bytes are known to be text). */
const TEXT_BY_EXTENSION: Record<string, string> = {
  html: 'text/html', htm: 'text/html', xhtml: 'application/xhtml+xml', svg: 'image/svg+xml', xml: 'application/xml',
  js: 'text/javascript', mjs: 'text/javascript', css: 'text/css', json: 'application/json', csv: 'text/csv', md: 'text/markdown',
};

/** Bytes that read as UTF-8 text with no NUL (the sample may end in the middle of a character). */
export function looksLikeText(sample: Uint8Array): boolean {
  if (sample.length === 0) return true;
  if (sample.includes(0)) return false;
  try {
    // `stream`: a character cut at the end of the sample is not an error; a broken one inside it is.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The content type, from the bytes: `sniffed` is what a magic-number sniffer found in the first bytes (null:
 * nothing known). Text gets a type by its name only among text types (an .html file is text/html, so served as a
 * download); never what the sender claimed.
 */
export function contentTypeOf(sniffed: string | null, sample: Uint8Array, name: string): string {
  if (sniffed) return sniffed;
  if (!looksLikeText(sample)) return 'application/octet-stream';
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  const byName = TEXT_BY_EXTENSION[ext];
  if (byName) return byName;
  // Markup in a file named anything else is still markup: never inline.
  const head = new TextDecoder().decode(sample.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith('<')) return head.startsWith('<svg') || head.includes('<svg') ? 'image/svg+xml' : head.startsWith('<?xml') ? 'application/xml' : 'text/html';
  return 'text/plain';
}

export type Viewer = { kind: 'agent'; userId: string } | { kind: 'end_user'; userId: string } | { kind: 'anonymous' };

export function viewerOf(user: { id: string; role: Role } | null): Viewer {
  if (!user) return { kind: 'anonymous' };
  return isStaff(user.role) ? { kind: 'agent', userId: user.id } : { kind: 'end_user', userId: user.id };
}

/**
 * Who may fetch a stored file: an agent any file; an end user only files of public, undeleted comments of a
 * public ticket they requested; nobody else (the caller answers 404, saying nothing of whether it exists).
 */
export function maySee(viewer: Viewer, a: AttachmentRecord): boolean {
  if (a.state !== 'stored') return false;
  if (viewer.kind === 'agent') return true;
  if (viewer.kind !== 'end_user') return false;
  if (!a.comment || !a.ticket) return false;
  return a.comment.public && !a.comment.deleted && a.ticket.visibility === 'public' && a.ticket.requesterId === viewer.userId;
}

/** `$PUBLIC_URL/attachments/<id>/<name>`. */
export function attachmentUrl(publicUrl: string, a: { id: string; name: string }): string {
  return `${publicUrl.replace(/\/+$/, '')}/attachments/${a.id}/${encodeURIComponent(a.name)}`;
}

/** Parses a `Range` header against a size: a range, 'unsatisfiable', or null (serve it whole). One range only. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return 'unsatisfiable';
  return { start, end };
}
