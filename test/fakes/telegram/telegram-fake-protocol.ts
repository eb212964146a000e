/**
 * The Bot API's wire conventions as the fake speaks them: error answers, refusals of malformed keyboards and
 * commands, chat member shapes and scripted faults.
 */
import type { User } from 'telegraf/types';
import type { InlineButton, MemberStatus } from './telegram-fake-store.ts';

export type Fault = { type: 'rate_limit'; retryAfter: number } | { type: 'server_error' } | { type: 'blocked' };

export type Params = Record<string, unknown>;
export type Answer = { status: number; body: Record<string, unknown> };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

export const bad = (description: string) => new ApiError(400, `Bad Request: ${description}`);
export const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

export function commandsKey(p: Params): string {
  const scope = (p['scope'] as { type?: string } | undefined)?.type ?? 'default';
  const lang = typeof p['language_code'] === 'string' ? p['language_code'] : '';
  if (lang !== '' && !/^[a-z]{2}$/.test(lang)) throw bad('invalid language code specified');
  return `${scope}|${lang}`;
}

export function validateMarkup(raw: unknown): { inline_keyboard: InlineButton[][] } | undefined {
  if (raw === undefined) return undefined;
  const markup = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(rows)) throw bad('unsupported reply_markup in fake (only inline keyboards)');
  for (const row of rows) {
    if (!Array.isArray(row)) throw bad('field "inline_keyboard" must be an Array of Arrays');
    for (const b of row as InlineButton[]) {
      if (typeof b.text !== 'string' || b.text.length === 0) throw bad('text buttons are unallowed in the inline keyboard');
      const kinds = ['callback_data', 'url'].filter((k) => k in b);
      if (kinds.length !== 1) throw bad('can\'t parse inline keyboard button: exactly one of the optional fields must be used');
      if (b.callback_data !== undefined) {
        const bytes = Buffer.byteLength(b.callback_data, 'utf8');
        if (bytes < 1 || bytes > 64) throw bad('BUTTON_DATA_INVALID');
      }
      if (b.url !== undefined && !/^(https?|tg):\/\/[^/\s]*\.[^/\s]+/.test(b.url)) {
        throw bad(`inline keyboard button URL '${b.url}' is invalid: Wrong HTTP URL`);
      }
    }
  }
  return { inline_keyboard: rows as InlineButton[][] };
}

export function memberJson(user: User, status: MemberStatus): Record<string, unknown> {
  if (status === 'administrator') {
    return { user, status, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true };
  }
  if (status === 'creator') return { user, status, is_anonymous: false };
  if (status === 'kicked' || status === 'restricted') return { user, status, until_date: 0 };
  return { user, status };
}

export function parseBody(contentType: string | undefined, raw: string): Params {
  if (raw.length === 0) return {};
  if ((contentType ?? '').startsWith('application/json')) {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Params;
  }
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  throw new Error(`unsupported content type ${contentType ?? '(none)'}`);
}

export function failure(e: ApiError): Answer {
  return {
    status: e.status,
    body: { ok: false, error_code: e.status, description: e.description, ...(e.parameters ? { parameters: e.parameters } : {}) },
  };
}

export function faultAnswer(f: Fault): Answer {
  if (f.type === 'rate_limit') {
    return failure(new ApiError(429, `Too Many Requests: retry after ${f.retryAfter}`, { retry_after: f.retryAfter }));
  }
  if (f.type === 'blocked') return failure(new ApiError(403, 'Forbidden: bot was blocked by the user'));
  return failure(new ApiError(500, 'Internal Server Error'));
}
