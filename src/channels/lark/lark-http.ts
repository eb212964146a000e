/**
 * What the SDK client is given instead of its process-wide defaults: a fetch transport with a timeout that keeps
 * response headers (Lark's rate-limit reset arrives in a header, also on HTTP 200 answers), and a logger that never
 * writes request configs (they hold the tenant token and, for the token call, the app secret).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { HttpInstance, HttpRequestOptions, Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { webBody } from '../shared/file-stream.ts';
import { FilePart, multipartBody } from '../shared/multipart.ts';

const FILE_TIMEOUT_MS = 120_000;

/** Headers of a parsed answer, for answers that came back with HTTP 2xx. */
export const responseHeaders = new WeakMap<object, Record<string, string>>();

/** Lark answered with a non-2xx status; `body` is the parsed JSON when there was one. */
export class LarkHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, body: unknown, headers: Record<string, string>) {
    const code = body && typeof body === 'object' && 'code' in body ? String(body.code) : 'none';
    super(`Lark answered HTTP ${status} (code ${code})`);
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.name = 'LarkHttpError';
  }
}

/** No answer at all: connection refused, reset, or the timeout. */
export class LarkNetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LarkNetworkError';
  }
}

/** The SDK calls `request` (and `post` for tokens); it expects the parsed body back (or `{data, headers}` when asked). */
export function createFetchHttpInstance(options: { timeoutMs: number }): HttpInstance {
  async function request(opts: HttpRequestOptions<unknown>): Promise<unknown> {
    const method = (opts.method ?? 'GET').toUpperCase();
    const params = opts.params && Object.keys(opts.params).length > 0 ? opts.params : null;
    // The SDK passes its own (qs) serializer with every call that has query parameters.
    const own = typeof opts.paramsSerializer === 'function' ? opts.paramsSerializer : null;
    const query = params ? (own?.(params) ?? new URLSearchParams(params).toString()) : '';
    const given = Object.entries(opts.headers ?? {}).filter((h): h is [string, string] => typeof h[1] === 'string');
    const multipart = given.some(([k, v]) => k.toLowerCase() === 'content-type' && v.startsWith('multipart/form-data'));
    const headers = Object.fromEntries(given.filter(([k]) => k.toLowerCase() !== 'content-type'));
    let body: string | ReadableStream<Uint8Array> | undefined;
    if (opts.data !== undefined && method !== 'GET' && method !== 'HEAD' && multipart) {
      // Uploads: the fields as a streamed multipart body of known length (the files are FilePart values).
      const fields = Object.fromEntries(Object.entries(opts.data as Record<string, unknown>).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || v instanceof FilePart)) as Record<string, string | number | FilePart>;
      const form = multipartBody(fields);
      body = webBody(form.body);
      headers['Content-Type'] = form.contentType;
      headers['Content-Length'] = String(form.length);
    } else if (opts.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = JSON.stringify(opts.data);
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    // Files take longer than calls: an upload or a download may run up to FILE_TIMEOUT_MS.
    const timeout = multipart || opts.responseType === 'stream' ? Math.max(options.timeoutMs, FILE_TIMEOUT_MS) : options.timeoutMs;
    let res: Response;
    try {
      const init = { method, headers, body, signal: AbortSignal.timeout(timeout), ...(typeof body === 'object' ? { duplex: 'half' } : {}) };
      res = await fetch(`${opts.url ?? ''}${query ? `?${query}` : ''}`, init as RequestInit);
    } catch (e) {
      throw new LarkNetworkError(e instanceof Error ? `${e.name}: ${e.message}` : 'network error');
    }
    const resHeaders = Object.fromEntries(res.headers.entries());
    if (opts.responseType === 'stream' && res.ok && res.body) {
      // A file: handed on as it arrives; the caller enforces the size.
      const stream = Readable.fromWeb(res.body as unknown as WebReadableStream);
      return opts.$return_headers ? { data: stream, headers: resHeaders } : stream;
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      // a proxy's HTML error page: keep the text, the status decides
    }
    if (!res.ok) throw new LarkHttpError(res.status, parsed, resHeaders);
    if (opts.$return_headers) return { data: parsed, headers: resHeaders };
    if (parsed && typeof parsed === 'object') responseHeaders.set(parsed, resHeaders);
    return parsed;
  }
  const post = (url: string, data?: unknown, opts?: HttpRequestOptions<unknown>) => request({ ...opts, url, data, method: 'POST' });
  return { request, post } as unknown as HttpInstance;
}

/** One short line per SDK log call: an error's name, message and Lark code, never its request config. */
function describe(arg: unknown): string {
  if (typeof arg === 'string') return arg.slice(0, 300);
  if (Array.isArray(arg)) return arg.map(describe).join(' | ');
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`.slice(0, 300);
  if (arg && typeof arg === 'object' && 'code' in arg) return `code ${String(arg.code)}${'msg' in arg ? `: ${String(arg.msg).slice(0, 200)}` : ''}`;
  return arg && typeof arg === 'object' ? '[object]' : String(arg);
}

export function sdkLogger(logger: Logger): SdkLogger {
  const line = (args: unknown[]) => args.map(describe).join(' ');
  return {
    error: (...args: unknown[]) => logger.warn({ lark: line(args) }, 'lark sdk error'),
    warn: (...args: unknown[]) => logger.warn({ lark: line(args) }, 'lark sdk warning'),
    info: (...args: unknown[]) => logger.debug({ lark: line(args) }, 'lark sdk'),
    debug: (...args: unknown[]) => logger.trace({ lark: line(args) }, 'lark sdk'),
    trace: (...args: unknown[]) => logger.trace({ lark: line(args) }, 'lark sdk'),
  };
}
