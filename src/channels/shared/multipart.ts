/**
 * A multipart/form-data body that streams its file parts (never buffered whole), with its exact length computed
 * beforehand from the fields and the files' known sizes (some upload endpoints refuse chunked bodies).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** A file part: its bytes as a stream, of exactly `size` bytes. */
export class FilePart {
  readonly stream: Readable;
  readonly filename: string;
  readonly size: number;
  readonly contentType: string;
  constructor(stream: Readable, filename: string, size: number, contentType = 'application/octet-stream') {
    this.stream = stream;
    this.filename = filename;
    this.size = size;
    this.contentType = contentType;
  }
}

/** Quotes in a header parameter are escaped as browsers do (RFC 7578: percent-encoding of `"`, CR and LF). */
const quoted = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export function multipartBody(fields: Record<string, string | number | FilePart>): { body: Readable; contentType: string; length: number } {
  const boundary = `----ticketbridge${randomBytes(12).toString('hex')}`;
  const pieces: (Buffer | FilePart)[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof FilePart) {
      pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"; filename="${quoted(value.filename)}"\r\nContent-Type: ${value.contentType}\r\n\r\n`, 'utf8'), value, Buffer.from('\r\n'));
    } else {
      pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${String(value)}\r\n`, 'utf8'));
    }
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  const length = pieces.reduce((n, p) => n + (p instanceof FilePart ? p.size : p.length), 0);
  async function* generate(): AsyncGenerator<Buffer> {
    for (const p of pieces) {
      if (!(p instanceof FilePart)) {
        yield p;
        continue;
      }
      let sent = 0;
      for await (const chunk of p.stream) {
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        sent += b.length;
        if (sent > p.size) throw new Error(`file part ${p.filename} is longer than its declared size`);
        yield b;
      }
      if (sent !== p.size) throw new Error(`file part ${p.filename} is shorter than its declared size`);
    }
  }
  return { body: Readable.from(generate(), { objectMode: false }), contentType: `multipart/form-data; boundary=${boundary}`, length };
}
