/** A multipart/form-data body as a browser sends a form with file inputs (files under the field name `files`). */
import { randomUUID } from 'node:crypto';

export function multipartForm(fields: Record<string, string>, files: { name: string; bytes: Buffer }[]): { body: Buffer; contentType: string } {
  const boundary = '----tb' + randomUUID();
  const body = Buffer.concat([
    ...Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    ...files.flatMap((f) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      f.bytes,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
