/**
 * callback_data of every inline button the bot shows. Telegram allows 1-64 BYTES, so the codes are short and the
 * ids they carry (a draft's, a service's: UUIDs) travel as 22 characters of base64url instead of 36.
 */
import { UUID_RE } from '../../core/text-rules.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';

export const CALLBACK_DATA_MAX_BYTES = 64;

export type TicketButton = 'detail' | 'comment' | 'comments' | 'skip' | 'reopen' | 'reopen_yes' | 'reopen_no';

export type ButtonAction =
  | { kind: 'menu'; item: 'new' | 'tickets' | 'help' }
  | { kind: 'draft'; draftId: string; set?: { serviceId: string } | { priority: TicketPriority }; submit?: true; cancel?: true }
  | { kind: 'ticket'; op: TicketButton; ticket: number }
  | { kind: 'rate'; ticket: number; score: number }
  | { kind: 'group_service'; serviceId: string };

const MENU = { new: 'n', tickets: 't', help: 'h' } as const;
const TICKET = { detail: 't:d', comment: 't:c', comments: 't:r', skip: 'rs', reopen: 'o', reopen_yes: 'oy', reopen_no: 'on' } as const;
/** A UUID in 22 characters; any other id as it is. */
export function compactId(id: string): string {
  return UUID_RE.test(id) ? Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url') : id;
}

export function expandId(s: string): string {
  if (!/^[A-Za-z0-9_-]{22}$/.test(s)) return s;
  return Buffer.from(s, 'base64url').toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

export function encodeButton(a: ButtonAction): string {
  let data: string;
  if (a.kind === 'menu') data = `m:${MENU[a.item]}`;
  else if (a.kind === 'rate') data = `r:${a.ticket}:${a.score}`;
  else if (a.kind === 'group_service') data = `g:${compactId(a.serviceId)}`;
  else if (a.kind === 'ticket') data = `${TICKET[a.op]}:${a.ticket}`;
  else {
    const op = a.cancel ? 'x' : a.submit ? 'ok' : a.set && 'serviceId' in a.set ? `s:${compactId(a.set.serviceId)}` : `p:${a.set!.priority}`;
    data = `d:${compactId(a.draftId)}:${op}`;
  }
  if (Buffer.byteLength(data, 'utf8') > CALLBACK_DATA_MAX_BYTES) throw new Error(`callback_data for ${a.kind} is over ${CALLBACK_DATA_MAX_BYTES} bytes`);
  return data;
}

const NUM = '([1-9][0-9]{0,14})';

/** The action of a pressed button; null for junk and for the buttons of earlier versions of the bot. */
export function decodeButton(data: string | null): ButtonAction | null {
  if (!data) return null;
  let m: RegExpExecArray | null;
  if ((m = /^m:([nth])$/.exec(data))) return { kind: 'menu', item: m[1] === 'n' ? 'new' : m[1] === 't' ? 'tickets' : 'help' };
  if ((m = new RegExp(`^r:${NUM}:([1-5])$`).exec(data))) return { kind: 'rate', ticket: Number(m[1]), score: Number(m[2]) };
  if ((m = /^g:([A-Za-z0-9_-]+)$/.exec(data))) return { kind: 'group_service', serviceId: expandId(m[1]!) };
  if ((m = /^d:([A-Za-z0-9_-]+):(x|ok|s:[A-Za-z0-9_-]+|p:[a-z]+)$/.exec(data))) {
    const draftId = expandId(m[1]!);
    const op = m[2]!;
    if (op === 'x') return { kind: 'draft', draftId, cancel: true };
    if (op === 'ok') return { kind: 'draft', draftId, submit: true };
    if (op.startsWith('s:')) return { kind: 'draft', draftId, set: { serviceId: expandId(op.slice(2)) } };
    const priority = op.slice(2) as TicketPriority;
    return TICKET_PRIORITIES.includes(priority) ? { kind: 'draft', draftId, set: { priority } } : null;
  }
  for (const [op, code] of Object.entries(TICKET) as [TicketButton, string][]) {
    if ((m = new RegExp(`^${code}:${NUM}$`).exec(data))) return { kind: 'ticket', op, ticket: Number(m[1]) };
  }
  return null;
}
