/**
 * Macros and saved views are shared with every agent or one agent's own. Anyone sees the shared ones and their
 * own; only an admin creates, changes or deletes shared ones, and only the owner their own (an admin cannot
 * read another agent's personal ones either: they are that agent's working tools).
 */
import { DomainError, type DomainErrorCode } from './errors.ts';
import type { Role } from './tickets/ticket-types.ts';

export interface Owner {
  id: string;
  role: Role;
}

export function canSee(actor: Owner, ownerId: string | null): boolean {
  return ownerId === null || ownerId === actor.id;
}

export function assertCanEdit(actor: Owner, ownerId: string | null, notFound: DomainErrorCode): void {
  if (!canSee(actor, ownerId)) throw new DomainError(notFound, 'not found');
  if (ownerId === null && actor.role !== 'admin') throw new DomainError('forbidden', 'only an admin changes what is shared with every agent', 'shared');
}

/** The owner a new item gets: none when shared (admins only). */
export function ownerFor(actor: Owner, shared: boolean): string | null {
  if (shared && actor.role !== 'admin') throw new DomainError('forbidden', 'only an admin shares with every agent', 'shared');
  return shared ? null : actor.id;
}
