/** Machine codes of everything the core refuses. HTTP maps them once (src/http/plugins/error-handler.ts), each
 * adapter maps them to catalog texts (`common:error.<code>`) for people. */
export const DOMAIN_ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  ticket_not_found: 404,
  user_not_found: 404,
  service_not_found: 404,
  comment_not_found: 404,
  email_taken: 409,
  forbidden_transition: 409,
  ticket_closed: 409,
  not_solved: 409,
  already_rated: 409,
  cannot_make_private: 409,
  cannot_make_public: 409,
  invalid_score: 400,
  reason_required: 400,
  description_too_short: 400,
  invalid_email: 400,
  link_code_invalid: 400,
  link_code_expired: 410,
  link_code_used: 409,
  not_registered: 403,
  agent_cannot_request: 403,
  draft_expired: 410,
  stale_ticket: 412,
  macro_not_found: 404,
  view_not_found: 404,
  attachment_not_found: 404,
  file_too_large: 413,
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** For validation errors: the field at fault. */
  readonly field?: string;
  constructor(code: DomainErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
    this.name = 'DomainError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
