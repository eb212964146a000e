/**
 * Who hears of a ticket at their own address (the channel that reaches a person by the address the help center
 * knows them by, when one is configured), decided here for every path that changes a ticket:
 * - only the requester, only an end user (never an agent), only on a public ticket (the caller's `deliver` already
 *   says public), and only while they want it (their "also email me replies" preference, on by default);
 * - the ticket's opening only when someone else (an agent) opened it on their behalf, or the request itself came
 *   in through that channel (the confirmation of their own mail);
 * - each public agent reply, and the ticket being solved (the rating invitation);
 * - never a status change besides solved, an edit or a removal (a sent mail cannot be changed).
 * The thread at the address is the requester's address plus a per-ticket unguessable token (its thread ref), made
 * once and kept, so that every mail of one ticket carries the same reply address.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from './ticket-types.ts';
import { isStaff } from './ticket-types.ts';

/** The channel that reaches people at their own address: its platform string and workspace (data, not a name). */
export interface AddressChannel {
  platform: string;
  workspaceId: string;
}

export interface AddressContext {
  requester: { id: string; role: Role; emailReplies: boolean };
  /** For `ticket.created`: who opened it and through which channel. */
  opened?: { submitterId: string; via: string };
}

export function addressReceives(channel: AddressChannel, eventType: string, c: AddressContext): boolean {
  if (isStaff(c.requester.role) || !c.requester.emailReplies) return false;
  switch (eventType) {
    case 'ticket.created':
      return !!c.opened && (c.opened.submitterId !== c.requester.id || c.opened.via === channel.platform);
    case 'comment.added':
    case 'ticket.solved':
      return true;
    default:
      return false;
  }
}

/** 128 random bits, lower-case hex: the per-ticket token of the address thread (it survives case-folding relays). */
export function newAddressToken(): string {
  return randomBytes(16).toString('hex');
}

export const ADDRESS_TOKEN_RE = /^[0-9a-f]{32}$/;
