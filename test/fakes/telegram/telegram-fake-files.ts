/**
 * The fake Bot API's files: what people sent (seeded as photo sizes, documents, voice notes...), getFile and the
 * download endpoint `/file/bot<token>/<file_path>`, and what the bot uploads with sendPhoto, sendDocument and
 * sendMediaGroup as real multipart/form-data (parsed by the platform's own FormData parser, not by hand).
 * Refused as Telegram refuses: unknown file ids, files over the bots' 20 MB download limit, a missing file field or
 * one under the wrong name, a media group of one or of more than ten, or mixing documents with photos.
 */
import { createHash } from 'node:crypto';
import { bad, ApiError, type Params } from './telegram-fake-protocol.ts';

/** Bots download at most 20 MB (getFile refuses larger files); they upload at most 50 MB, photos at most 10 MB. */
export const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
export const UPLOAD_LIMIT = 50 * 1024 * 1024;
export const PHOTO_LIMIT = 10 * 1024 * 1024;

export interface FakeTgFile {
  fileId: string;
  uniqueId: string;
  bytes: Buffer;
  /** What Telegram says the size is (a test may claim more than the bytes, to reach the 20 MB limit cheaply). */
  size: number;
  path: string;
  name?: string;
  mimeType?: string;
}

/** One part of a multipart upload. */
export interface UploadedPart {
  filename: string;
  type: string;
  bytes: Buffer;
}

export type MediaKind = 'photo' | 'document' | 'video' | 'audio' | 'voice' | 'animation' | 'video_note' | 'sticker';

export class TelegramFakeFiles {
  readonly files = new Map<string, FakeTgFile>();
  /** file paths handed out by getFile -> file id */
  private readonly paths = new Map<string, string>();
  private seq = 0;
  readonly downloads: { path: string; authorized: boolean }[] = [];

  add(bytes: Buffer, o: { dir: string; ext: string; name?: string; mimeType?: string; claimedSize?: number }): FakeTgFile {
    this.seq += 1;
    const unique = createHash('sha256').update(bytes).update(String(this.seq)).digest('base64url').slice(0, 16);
    const f: FakeTgFile = {
      fileId: `BQACAgIAAxkBAAI${String(this.seq).padStart(4, '0')}${unique}`,
      uniqueId: `AgAD${unique.slice(0, 8)}`,
      bytes,
      size: o.claimedSize ?? bytes.length,
      path: `${o.dir}/file_${this.seq}.${o.ext}`,
      ...(o.name ? { name: o.name } : {}),
      ...(o.mimeType ? { mimeType: o.mimeType } : {}),
    };
    this.files.set(f.fileId, f);
    return f;
  }

  wire(f: FakeTgFile): Record<string, unknown> {
    return { file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.size, ...(f.name ? { file_name: f.name } : {}), ...(f.mimeType ? { mime_type: f.mimeType } : {}) };
  }

  getFile(p: Params): Record<string, unknown> {
    const id = typeof p['file_id'] === 'string' ? p['file_id'] : '';
    if (id === '') throw bad('file_id is empty');
    const f = this.files.get(id);
    if (!f) throw bad('invalid file_id');
    if (f.size > DOWNLOAD_LIMIT) throw bad('file is too big');
    this.paths.set(f.path, f.fileId);
    return { file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.size, file_path: f.path };
  }

  /** GET /file/bot<token>/<path>: only paths getFile gave out, only with the bot's token. */
  download(token: string, expected: string, path: string): { status: number; body: Buffer; type: string } {
    const authorized = token === expected;
    this.downloads.push({ path, authorized });
    const id = this.paths.get(path);
    if (!authorized || !id) return { status: 404, body: Buffer.from(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' })), type: 'application/json' };
    return { status: 200, body: this.files.get(id)!.bytes, type: 'application/octet-stream' };
  }

  /**
   * The file a send names in `field`: an uploaded part (the field itself, or "attach://<part>"), or the file_id of a
   * file Telegram already has.
   */
  resolve(p: Params, parts: Map<string, UploadedPart>, field: string, value: unknown = p[field]): { file: FakeTgFile; part: UploadedPart | null } {
    const direct = parts.get(field);
    if (direct && value === undefined) return { file: this.fromPart(direct, field), part: direct };
    if (typeof value !== 'string' || value === '') throw bad(`there is no ${field} in the request`);
    const attach = /^attach:\/\/(.+)$/.exec(value);
    if (attach) {
      const part = parts.get(attach[1]!);
      if (!part) throw bad(`can't find attached file "${attach[1]}"`);
      return { file: this.fromPart(part, field), part };
    }
    const known = this.files.get(value);
    if (!known) throw bad('wrong file identifier/HTTP URL specified');
    return { file: known, part: null };
  }

  private fromPart(part: UploadedPart, field: string): FakeTgFile {
    if (part.bytes.length === 0) throw bad('file must be non-empty');
    if (part.bytes.length > UPLOAD_LIMIT) throw new ApiError(413, 'Request Entity Too Large');
    if (field === 'photo' && part.bytes.length > PHOTO_LIMIT) throw bad('PHOTO_INVALID_DIMENSIONS');
    if (field === 'photo' && !isImage(part.bytes)) throw bad('IMAGE_PROCESS_FAILED');
    const ext = part.filename.includes('.') ? part.filename.split('.').pop()! : 'dat';
    return this.add(part.bytes, field === 'photo' ? { dir: 'photos', ext: 'jpg' } : { dir: 'documents', ext, name: part.filename, mimeType: part.type || 'application/octet-stream' });
  }
}

/** JPEG, PNG, WebP or GIF magic bytes: what Telegram can turn into a photo. */
function isImage(b: Buffer): boolean {
  return (
    (b[0] === 0xff && b[1] === 0xd8) ||
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') ||
    b.subarray(0, 3).toString('latin1') === 'GIF'
  );
}

/** A multipart/form-data body, parsed by the runtime's own FormData parser: fields as strings, files as parts. */
export async function parseMultipart(contentType: string, body: Buffer): Promise<{ params: Params; parts: Map<string, UploadedPart> }> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const params: Params = {};
  const parts = new Map<string, UploadedPart>();
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') params[name] = value;
    else parts.set(name, { filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return { params, parts };
}
