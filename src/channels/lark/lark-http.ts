/**
 * What the SDK client is given instead of its process-wide defaults: a fetch transport with a timeout that keeps
 * response headers (Lark's rate-limit reset arrives in a header, also on HTTP 200 answers), a token cache per client
 * (the SDK's default cache is a module global shared by every client of the same app id), and a logger that never
 * writes request configs (they hold the tenant token and, for the token call, the app secret).
 */
import type { Cache, HttpInstance, Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';

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
  paramsSerializer?: unknown;
  $return_headers?: boolean;
}

function queryString(params: Record<string, unknown> | undefined, serializer: unknown): string {
  if (!params || Object.keys(params).length === 0) return '';
  if (typeof serializer === 'function') {
    const s: unknown = serializer(params);
    return typeof s === 'string' && s.length > 0 ? `?${s}` : '';
  }
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.append(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function createFetchHttpInstance(options: { timeoutMs: number }): HttpInstance {
  async function request(opts: RequestOptions): Promise<unknown> {
    const method = (opts.method ?? 'GET').toUpperCase();
    const url = `${opts.url ?? ''}${queryString(opts.params, opts.paramsSerializer)}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    let body: string | undefined;
    if (opts.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = JSON.stringify(opts.data);
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (e) {
      throw new LarkNetworkError(e instanceof Error ? `${e.name}: ${e.message}` : 'network error');
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      // a proxy's HTML error page: keep the text, the status decides
    }
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      resHeaders[k] = v;
    });
    if (!res.ok) throw new LarkHttpError(res.status, parsed, resHeaders);
    if (opts.$return_headers) return { data: parsed, headers: resHeaders };
    if (parsed && typeof parsed === 'object') responseHeaders.set(parsed, resHeaders);
    return parsed;
  }
  const instance = {
    request: (opts: RequestOptions) => request(opts),
    get: (url: string, opts?: RequestOptions) => request({ ...opts, url, method: 'GET' }),
    delete: (url: string, opts?: RequestOptions) => request({ ...opts, url, method: 'DELETE' }),
    head: (url: string, opts?: RequestOptions) => request({ ...opts, url, method: 'HEAD' }),
    options: (url: string, opts?: RequestOptions) => request({ ...opts, url, method: 'OPTIONS' }),
    post: (url: string, data?: unknown, opts?: RequestOptions) => request({ ...opts, url, data, method: 'POST' }),
    put: (url: string, data?: unknown, opts?: RequestOptions) => request({ ...opts, url, data, method: 'PUT' }),
    patch: (url: string, data?: unknown, opts?: RequestOptions) => request({ ...opts, url, data, method: 'PATCH' }),
  };
  // The SDK's interface is generic over axios-style result types; this object returns the parsed body, which is
  // what every caller in the SDK expects.
  return instance as unknown as HttpInstance;
}

/** An in-memory token cache owned by one client; `clear()` forces a fresh token after Lark rejected one. */
export class TokenCache implements Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt: number | undefined }>();

  // `Symbol`, not `symbol`: that is how the SDK types its Cache keys.
  private key(key: string | Symbol, namespace?: string): string {
    return `${namespace ?? ''}/${String(key)}`;
  }

  async get(key: string | Symbol, options?: { namespace?: string }): Promise<unknown> {
    const hit = this.values.get(this.key(key, options?.namespace));
    if (!hit) return undefined;
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) return undefined;
    return hit.value;
  }

  async set(key: string | Symbol, value: unknown, expiresAt?: number, options?: { namespace?: string }): Promise<boolean> {
    this.values.set(this.key(key, options?.namespace), { value, expiresAt });
    return true;
  }

  clear(): void {
    this.values.clear();
  }
}

/** One short line per SDK log call: an error's name, message and Lark code, never its request config. */
function describe(arg: unknown): string {
  if (typeof arg === 'string') return arg.slice(0, 300);
  if (Array.isArray(arg)) return arg.map(describe).join(' | ');
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`.slice(0, 300);
  if (arg && typeof arg === 'object') {
    const response = 'response' in arg ? arg.response : undefined;
    if (response && typeof response === 'object') {
      const status = 'status' in response ? String(response.status) : '?';
      const data = 'data' in response ? response.data : undefined;
      const code = data && typeof data === 'object' && 'code' in data ? String(data.code) : '?';
      return `HTTP ${status} code ${code}`;
    }
    if ('code' in arg && 'msg' in arg) return `code ${String(arg.code)}: ${String(arg.msg).slice(0, 200)}`;
    return '[object]';
  }
  return String(arg);
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
