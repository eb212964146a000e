/**
 * What the SDK client is given instead of its process-wide defaults: a fetch transport with a timeout that keeps
 * response headers (Lark's rate-limit reset arrives in a header, also on HTTP 200 answers), and a logger that never
 * writes request configs (they hold the tenant token and, for the token call, the app secret).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { HttpInstance, Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { FilePart, multipartBody } from '../shared/multipart.ts';

/** Files take longer than calls: an upload or download may run this long. */
const FILE_TIMEOUT_MS = 120_000;

/** Headers of a parsed answer, for answers that came back with HTTP 2xx. */
export const responseHeaders = new WeakMap<object, Record<string, string>>();

/** Lark answered with a non-2xx status; `body` is the parsed JSON when there was one. */
export class LarkHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    const code = body && typeof body === 'object' && 'code' in body ? String(body.code) : 'none';
    super(`Lark answered HTTP ${status} (code ${code})`);
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

interface RequestOptions {
  url?: string;
  method?: string;
  headers?: Record<string, unknown>;
  params?: Record<string, unknown>;
  data?: unknown;
  /** The SDK passes its own (qs) serializer with every call that has query parameters. */
  paramsSerializer?: (params: Record<string, unknown>) => string;
  $return_headers?: boolean;
  /** 'stream': the SDK wants the body as a Node stream (message resources), not parsed. */
  responseType?: string;
  /** Overrides the transport's timeout (file transfers take longer than calls). */
  timeoutMs?: number;
}

/** The SDK calls `request` (and `post` for tokens); it expects the parsed body back (or `{data, headers}` when asked). */
export function createFetchHttpInstance(options: { timeoutMs: number }): HttpInstance {
  async function request(opts: RequestOptions): Promise<unknown> {
    const method = (opts.method ?? 'GET').toUpperCase();
    const params = opts.params && Object.keys(opts.params).length > 0 ? opts.params : null;
    const query = params ? (opts.paramsSerializer?.(params) ?? new URLSearchParams(params as Record<string, string>).toString()) : '';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    let body: string | ReadableStream<Uint8Array> | undefined;
    const multipart = Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'content-type' && v.startsWith('multipart/form-data'));
    if (opts.data !== undefined && method !== 'GET' && method !== 'HEAD' && multipart) {
      // Uploads: the fields as a streamed multipart body of known length (the files are FilePart values).
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') delete headers[k];
      const fields = Object.fromEntries(Object.entries(opts.data as Record<string, unknown>).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || v instanceof FilePart)) as Record<string, string | number | FilePart>;
      const form = multipartBody(fields);
      body = Readable.toWeb(form.body) as unknown as ReadableStream<Uint8Array>;
      headers['Content-Type'] = form.contentType;
      headers['Content-Length'] = String(form.length);
    } else if (opts.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = JSON.stringify(opts.data);
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    let res: Response;
    try {
      const init = { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? (multipart || opts.responseType === 'stream' ? Math.max(options.timeoutMs, FILE_TIMEOUT_MS) : options.timeoutMs)), ...(typeof body === 'object' ? { duplex: 'half' } : {}) };
      res = await fetch(`${opts.url ?? ''}${query ? `?${query}` : ''}`, init as RequestInit);
    } catch (e) {
      throw new LarkNetworkError(e instanceof Error ? `${e.name}: ${e.message}` : 'network error');
    }
    if (opts.responseType === 'stream' && res.ok && res.body) {
      // A file: handed on as it arrives; the caller enforces the size.
      const stream = Readable.fromWeb(res.body as unknown as WebReadableStream);
      const streamHeaders = Object.fromEntries(res.headers.entries());
      return opts.$return_headers ? { data: stream, headers: streamHeaders } : stream;
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      // a proxy's HTML error page: keep the text, the status decides
    }
    const resHeaders = Object.fromEntries(res.headers.entries());
    if (!res.ok) throw new LarkHttpError(res.status, parsed, resHeaders);
    if (opts.$return_headers) return { data: parsed, headers: resHeaders };
    if (parsed && typeof parsed === 'object') responseHeaders.set(parsed, resHeaders);
    return parsed;
  }
  const post = (url: string, data?: unknown, opts?: RequestOptions) => request({ ...opts, url, data, method: 'POST' });
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
