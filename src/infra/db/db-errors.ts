/**
 * Whether an error means "the database cannot be reached or cannot serve now" (so the caller should answer 503
 * and the client retry), as opposed to a bug or a refused statement. Prisma 7 with the pg adapter reports these
 * as P1001/P1002/P1008/P1017/P2024/P2028 or carries the adapter's error kind in `meta.driverAdapterError`; pg's
 * own errors (a connection cut mid-query, a pool that cannot connect in time) can also surface as they are.
 */

const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator intervention: shutdown). */
const SQLSTATE = /^(08|53|57P)/;
const PG_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i;

type Shape = {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
};

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as Shape;
  if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter) {
    if (typeof adapter.kind === 'string' && ADAPTER_KINDS.has(adapter.kind)) return true;
    if (adapter.kind === 'postgres' && typeof adapter.code === 'string' && SQLSTATE.test(adapter.code)) return true;
  }
  if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** Seconds a client is asked to wait before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** One line for the log: Prisma's messages quote the calling code first and say what happened last. */
export function databaseErrorLine(err: unknown): string {
  const text = String((err as { message?: unknown })?.message ?? err).trim();
  return text.split('\n').at(-1)!.slice(0, 300);
}
