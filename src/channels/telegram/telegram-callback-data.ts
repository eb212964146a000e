/**
 * callback_data of every inline button the bot shows. Telegram allows 1-64 BYTES (UTF-8), so the codes are short
 * and a service is named by its id only while that fits; otherwise by its position in the catalog.
 */
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';

export const CALLBACK_DATA_MAX_BYTES = 64;

export type CallbackAction =
  | { kind: 'menu'; item: 'new' | 'tickets' | 'help' }
  | { kind: 'new_service'; ref: string }
  | { kind: 'new_priority'; priority: TicketPriority }
  | { kind: 'new_submit' }
  | { kind: 'new_cancel' }
  | { kind: 'detail'; ticket: number }
  | { kind: 'comment'; ticket: number }
  | { kind: 'comments'; ticket: number }
  | { kind: 'rate'; ticket: number; score: number }
  | { kind: 'rate_skip'; ticket: number }
  | { kind: 'reopen'; ticket: number }
  | { kind: 'reopen_yes'; ticket: number }
  | { kind: 'reopen_no'; ticket: number }
  | { kind: 'group_service'; ref: string };

const MENU = { new: 'n', tickets: 't', help: 'h' } as const;
const TICKET_CODES = {
  detail: 't:d',
  comment: 't:c',
  comments: 't:r',
  rate_skip: 'rs',
  reopen: 'o',
  reopen_yes: 'oy',
  reopen_no: 'on',
} as const;

export class CallbackDataTooLong extends Error {}

export function encodeCallback(action: CallbackAction): string {
  const data = raw(action);
  if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) {
    throw new CallbackDataTooLong(`callback_data for ${action.kind} is over ${CALLBACK_DATA_MAX_BYTES} bytes`);
  }
  return data;
}

function raw(a: CallbackAction): string {
  switch (a.kind) {
    case 'menu':
      return `m:${MENU[a.item]}`;
    case 'new_service':
      return `n:s:${a.ref}`;
    case 'new_priority':
      return `n:p:${a.priority}`;
    case 'new_submit':
      return 'n:ok';
    case 'new_cancel':
      return 'n:x';
    case 'rate':
      return `r:${a.ticket}:${a.score}`;
    case 'group_service':
      return `g:${a.ref}`;
    default:
      return `${TICKET_CODES[a.kind]}:${a.ticket}`;
  }
}

const NUM = '([1-9][0-9]{0,14})';

export function decodeCallback(data: string | undefined): CallbackAction | null {
  if (!data) return null;
  let m: RegExpExecArray | null;
  if ((m = /^m:([nth])$/.exec(data))) {
    const item = (Object.keys(MENU) as (keyof typeof MENU)[]).find((k) => MENU[k] === m![1]);
    return item ? { kind: 'menu', item } : null;
  }
  if ((m = /^n:s:(.+)$/s.exec(data))) return { kind: 'new_service', ref: m[1]! };
  if ((m = /^n:p:([a-z]+)$/.exec(data))) {
    const p = m[1] as TicketPriority;
    return TICKET_PRIORITIES.includes(p) ? { kind: 'new_priority', priority: p } : null;
  }
  if (data === 'n:ok') return { kind: 'new_submit' };
  if (data === 'n:x') return { kind: 'new_cancel' };
  if ((m = new RegExp(`^r:${NUM}:([1-5])$`).exec(data))) return { kind: 'rate', ticket: Number(m[1]), score: Number(m[2]) };
  if ((m = /^g:(.+)$/s.exec(data))) return { kind: 'group_service', ref: m[1]! };
  for (const [kind, code] of Object.entries(TICKET_CODES) as [keyof typeof TICKET_CODES, string][]) {
    if ((m = new RegExp(`^${code}:${NUM}$`).exec(data))) return { kind, ticket: Number(m[1]) };
  }
  return null;
}

/** A reference to a service that fits in callback_data next to `prefixBytes` of code. */
export function serviceRef(service: { id: string }, index: number, prefixBytes = 4): string {
  const fits = Buffer.byteLength(service.id, 'utf8') + prefixBytes <= CALLBACK_DATA_MAX_BYTES;
  return fits && !service.id.startsWith('#') ? service.id : `#${index}`;
}

export function resolveServiceRef<S extends { id: string }>(services: S[], ref: string): S | null {
  const byId = services.find((s) => s.id === ref);
  if (byId) return byId;
  const m = /^#(\d+)$/.exec(ref);
  return m ? (services[Number(m[1])] ?? null) : null;
}
