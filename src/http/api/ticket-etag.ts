/**
 * ETags of tickets: `"<number>-<version>"`, a strong tag of the ticket's state (the version goes up with every
 * change, comments included). `If-Match` carries one back: the change applies only at that version, else 412
 * stale_ticket (the core's refusal) and nothing changes. `If-Match: *` asks for no version.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TicketView } from '../../core/ports/store-port.ts';
import { DomainError } from '../../core/errors.ts';

export function ticketEtag(t: Pick<TicketView, 'number' | 'version'>): string {
  return `"${t.number}-${t.version}"`;
}

export function withEtag<T>(reply: FastifyReply, t: Pick<TicketView, 'number' | 'version'>, body: T): T {
  reply.header('etag', ticketEtag(t));
  return body;
}

/** The version an If-Match header asks for, for ticket `number`; undefined without one (or with `*`). */
export function expectedVersion(req: FastifyRequest, number: number): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const raw = Array.isArray(h) ? h.join(',') : h;
  if (raw.trim() === '*') return undefined;
  for (const tag of raw.split(',')) {
    const m = /^\s*(?:W\/)?"(\d{1,10})-(\d{1,10})"\s*$/.exec(tag);
    if (m && Number(m[1]) === number) return Number(m[2]);
  }
  // A tag of another ticket, or none we made, cannot match this ticket's state.
  throw new DomainError('stale_ticket', 'If-Match does not name the current state of this ticket; load it again');
}
