/** The one place errors become HTTP answers: `{ error: { code, message } }` with the contract's status. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import type { UnavailabilityCheck } from '../core/ports/console-port.ts';

/** Seconds a client is asked to wait before trying again when the database cannot serve. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** fastify's name for it, which other error handlers (the console's) read. */
  get statusCode(): number {
    return this.status;
  }
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

export function zodMessage(err: ZodError, where: string): string {
  const issue = err.issues[0];
  if (!issue) return `invalid ${where}`;
  const field = issue.path.length ? issue.path.join('.') : where;
  return `${field}: ${issue.message}`;
}

/** The one error handler of the API and the service's own routes; `unavailable` tells a database outage apart. */
export function createErrorHandler(unavailable: UnavailabilityCheck) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => errorHandler(err, req, reply, unavailable);
}

function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply, unavailable: UnavailabilityCheck): FastifyReply {
  if (err instanceof HttpError) return sendError(reply, err.status, err.code, err.message);
  if (isDomainError(err)) {
    const msg = err.field ? `${err.field}: ${err.message}` : err.message;
    return sendError(reply, DOMAIN_ERROR_STATUS[err.code], err.code, msg);
  }
  if (err instanceof ZodError) return sendError(reply, 400, 'validation_failed', zodMessage(err, 'body'));
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendError(reply, 413, 'body_too_large', 'the request body is over 1 MiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendError(reply, 415, 'unsupported_media_type', 'send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendError(reply, 400, 'malformed_json', 'the body is not valid JSON');
  }
  if (err instanceof SyntaxError) return sendError(reply, 400, 'malformed_json', 'the body is not valid JSON');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return sendError(reply, fe.statusCode, 'bad_request', fe.message);
  if (unavailable.isUnavailable(err)) {
    // Nothing was done that the client cannot simply send again; a 500 would read as a bug and stop retries.
    req.log.warn({ err: unavailable.describe(err) }, 'database unavailable');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return sendError(reply, 503, 'database_unavailable', 'the database is unavailable for a moment; try again shortly');
  }
  req.log.error({ err }, 'unhandled error');
  return sendError(reply, 500, 'internal', 'internal error');
}
