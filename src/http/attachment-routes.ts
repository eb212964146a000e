/**
 * The HTTP side of attachments:
 * - `POST /api/v1/uploads?filename=` (inside the API plugin, so its bearer-token check applies): the raw body
 *   streamed into the store within ATTACHMENT_MAX_BYTES (this route has no 1 MiB limit and takes any content
 *   type; a Content-Length over the limit is refused before a byte is read), 201 `{ upload }`, 413 beyond it.
 * - `GET /attachments/<id>/<name>` (inside the console plugin, which knows the browser session): an agent (a
 *   bearer token or a console session) any stored file; a signed-in end user only files of public comments of
 *   their own public tickets; everyone else 404. Served with nosniff, a sandboxing CSP, `attachment` for anything
 *   a browser could run, ranges (206/416), an ETag (the sha256), and `?thumb=1` a small WebP of an image.
 */
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AttachmentRecord } from '../core/attachments/attachment-port.ts';
import { dispositionOf, parseRange, THUMBNAIL_TYPES, viewerOf, type Viewer } from '../core/attachments/attachment-rules.ts';
import type { AttachmentService } from '../core/attachments/attachment-service.ts';
import type { UserRecord } from '../core/ports/store-port.ts';
import { FileTooLargeError } from '../core/ports/channel-port.ts';
import { HttpError, sendError } from './errors.ts';
import { attachmentJson } from './api/api-routes.ts';
import { parse } from './api/api-request.ts';
import { uploadQuery } from './api/schemas.ts';

export const ATTACHMENT_CSP = "default-src 'none'; sandbox";

/** Uploads, registered inside the API plugin (its own child context: its own body parsing). */
export function uploadRoutes(deps: { attachments: AttachmentService; publicUrl: string }) {
  return async function uploads(api: FastifyInstance): Promise<void> {
    // The body is the file: whatever its type, unparsed, streamed by the handler.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    api.post('/uploads', async (req, reply) => {
      const q = parse(uploadQuery, req.query, 'query');
      const max = deps.attachments.maxBytes;
      const declared = Number(req.headers['content-length']);
      const tooLarge = () => {
        // The client may still be sending: this answer ends the connection rather than reading the rest.
        reply.header('connection', 'close');
        return sendError(reply.code(413), 413, 'file_too_large', `the file is larger than ATTACHMENT_MAX_BYTES (${max} bytes)`);
      };
      if (Number.isFinite(declared) && declared > max) return tooLarge();
      const body = req.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') throw new HttpError(400, 'validation_failed', 'body: send the file as the request body');
      try {
        const a = await deps.attachments.upload(body, { filename: q.filename, uploaderId: req.actor!.id });
        return reply.code(201).send({ upload: { ...attachmentJson(a, deps.publicUrl) } });
      } catch (e) {
        if (e instanceof FileTooLargeError) return tooLarge();
        throw e;
      }
    });
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set while a multipart form's files are stored: what went wrong with one of them. */
    uploadRefused?: 'file_too_large';
  }
}

/**
 * multipart/form-data for the console's forms (the composer's files), inside the console plugin: each file is
 * streamed into the store as it arrives (by its agent, who is known from the session by then) and its field gets
 * the upload's id; a file over the limit is refused (`req.uploadRefused`), never a 5xx. An upload whose form is then
 * refused (a bad CSRF token, a rule) stays unattached: nobody but its uploader can attach it, and the sweep removes
 * it after a day.
 */
export async function registerComposerUploads(app: FastifyInstance, attachments: AttachmentService): Promise<void> {
  // @fastify/multipart does not encapsulate: its parser and hook belong to the plugin that registers it (the console).
  await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: attachments.maxBytes + 1, files: 20, fields: 50, fieldSize: 1024 * 1024, parts: 80 },
      throwFileSizeLimit: false,
      async onFile(this: FastifyRequest, part) {
        // An agent's composer, or a customer's reply on their own ticket (the route checks the ticket; an upload is
        // only ever attachable by whoever uploaded it). An empty file input sends a part with no name and no bytes.
        const uploader = this.consoleSession?.agent ?? this.consoleSession?.customer ?? null;
        if (!part.filename || !uploader || this.uploadRefused) {
          part.file.resume();
          part.value = undefined;
          return;
        }
        try {
          const a = await attachments.upload(part.file, { filename: part.filename, uploaderId: uploader.id });
          part.value = a.id;
        } catch (e) {
          if (!(e instanceof FileTooLargeError)) throw e;
          this.uploadRefused = 'file_too_large';
          part.file.resume();
          part.value = undefined;
        }
      },
  });
}

function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

type Thumbnailer = (input: Readable) => Readable;

let thumbnailer: Promise<Thumbnailer | null> | null = null;
/** sharp, when it loaded on this machine (else thumbnails are the image itself, scaled by the browser). */
function loadThumbnailer(): Promise<Thumbnailer | null> {
  thumbnailer ??= import('sharp')
    .then((m) => {
      const sharp = m.default;
      return (input: Readable) => {
        const t = sharp({ limitInputPixels: 40_000_000, failOn: 'error' }).rotate().resize(320, 240, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 });
        input.on('error', (e) => t.destroy(e));
        return input.pipe(t);
      };
    })
    .catch(() => null);
  return thumbnailer;
}

export interface AttachmentServeDeps {
  attachments: AttachmentService;
  bearer: (req: FastifyRequest) => Promise<UserRecord | null>;
}

/** Registered inside the console plugin; `sessionUser` is the browser session's person (agent or end user). */
export function attachmentServeRoutes(app: FastifyInstance, deps: AttachmentServeDeps, sessionUser: (req: FastifyRequest) => UserRecord | null): void {
  const notFound = (reply: FastifyReply) => reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found');

  async function viewer(req: FastifyRequest): Promise<Viewer> {
    if (req.headers.authorization !== undefined) {
      const u = await deps.bearer(req);
      // A bearer token is an agent's or nobody's: an unknown one sees nothing (404, like anyone else).
      return u && u.active ? viewerOf(u) : { kind: 'anonymous' };
    }
    return viewerOf(sessionUser(req));
  }

  app.get<{ Params: { id: string; name: string }; Querystring: { thumb?: string } }>(
    '/attachments/:id/:name',
    { config: { audience: 'public' } },
    async (req, reply) => {
      const a = await deps.attachments.find(req.params.id, await viewer(req));
      if (!a || a.size === null || !a.contentType) return notFound(reply);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', ATTACHMENT_CSP);
      reply.header('cross-origin-resource-policy', 'same-origin');
      reply.header('cache-control', 'private, no-cache');
      reply.header('vary', 'Authorization, Cookie');
      if (req.query.thumb !== undefined && THUMBNAIL_TYPES.has(a.contentType)) return sendThumbnail(req, reply, a);
      return sendFile(req, reply, a);
    },
  );

  async function sendThumbnail(req: FastifyRequest, reply: FastifyReply, a: AttachmentRecord) {
    const etag = `"t-${a.sha256}"`;
    reply.header('etag', etag);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    const thumb = await loadThumbnailer();
    if (!thumb) return sendFile(req, reply, a);
    reply.header('content-disposition', contentDisposition('inline', `${a.name}.webp`));
    return reply.code(200).type('image/webp').send(thumb(await deps.attachments.open(a)));
  }

  async function sendFile(req: FastifyRequest, reply: FastifyReply, a: AttachmentRecord) {
    const size = a.size!;
    const etag = `"${a.sha256}"`;
    const type = a.contentType!.startsWith('text/') ? `${a.contentType}; charset=utf-8` : a.contentType!;
    reply.header('etag', etag);
    reply.header('accept-ranges', 'bytes');
    reply.header('content-disposition', contentDisposition(dispositionOf(a.contentType!), a.name));
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    // If-Range: a range of this very version only.
    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, size) : null;
    if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).type('text/plain; charset=utf-8').send('Range not satisfiable');
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', String(range.end - range.start + 1));
      return reply.type(type).send(await deps.attachments.open(a, range));
    }
    reply.code(200).header('content-length', String(size));
    if (req.method === 'HEAD') return reply.type(type).send();
    return reply.type(type).send(await deps.attachments.open(a));
  }
}
