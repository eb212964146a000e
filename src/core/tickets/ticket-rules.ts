/**
 * The ticket rules, as pure functions of a ticket's state. Services load the state under a row lock, ask these
 * functions what follows, and write the answer. Nothing here does I/O, so every rule is unit-tested directly.
 */
import { DomainError } from '../errors.ts';
import type { TicketStatus, Visibility } from './ticket-types.ts';

export interface TicketState {
  status: TicketStatus;
  visibility: Visibility;
  solvedAt: Date | null;
}

export const MIN_SCORE = 1;
export const MAX_SCORE = 5;

function assertNotClosed(t: TicketState): void {
  if (t.status === 'closed') throw new DomainError('ticket_closed', 'a closed ticket cannot be changed');
}

/** An agent sets a status by hand. `closed` is reached only by a rating or the automatic close. */
export function agentSetsStatus(t: TicketState, to: TicketStatus): TicketStatus {
  assertNotClosed(t);
  if (to === 'closed')
    throw new DomainError('forbidden_transition', 'closed is reached only by a rating or the automatic close', 'status');
  return to;
}

export interface CommentDecision {
  /** Whether the comment is public. */
  public: boolean;
  /** The ticket's status after the comment (unchanged when equal to the current one). */
  status: TicketStatus;
  /** A private ticket becomes public (an agent's public reply). */
  becomesPublic: boolean;
  /** The ticket is closed: a customer's message starts a follow-up ticket instead. */
  followUp: boolean;
}

/**
 * A comment arrives. `byStaff` is an agent or admin; `wantsPublic` is what the author asked for (customers'
 * comments are always meant public); `byRequester` whether the author is the ticket's requester. Only the requester
 * reopens a ticket or follows a closed one up: anyone else's comment is like a CC's, and leaves the status alone.
 */
export function commentArrives(t: TicketState, byStaff: boolean, wantsPublic: boolean, byRequester = true): CommentDecision {
  if (t.status === 'closed') {
    if (byStaff || !byRequester) throw new DomainError('ticket_closed', 'a closed ticket cannot get comments');
    return { public: true, status: 'closed', becomesPublic: false, followUp: true };
  }
  if (byStaff) {
    if (!wantsPublic) return { public: false, status: t.status, becomesPublic: false, followUp: false };
    return {
      public: true,
      status: t.status === 'new' ? 'open' : t.status,
      becomesPublic: t.visibility === 'private',
      followUp: false,
    };
  }
  // A customer: on a private ticket everything stays internal until an agent replies publicly.
  if (t.visibility === 'private') return { public: false, status: t.status, becomesPublic: false, followUp: false };
  const reopens = byRequester && (t.status === 'pending' || t.status === 'solved');
  return { public: true, status: reopens ? 'open' : t.status, becomesPublic: false, followUp: false };
}

/**
 * A message whose sender the channel cannot vouch for, on a ticket that is not theirs (an address anyone can
 * write from): kept as an internal note for agents to judge. It reopens nothing and starts no follow-up.
 */
export function unverifiedArrives(t: TicketState): CommentDecision {
  assertNotClosed(t);
  return { public: false, status: t.status, becomesPublic: false, followUp: false };
}

/** Only a solved ticket can be rated, 1-5; the rating closes it. */
export function rate(t: TicketState, score: number): TicketStatus {
  if (!Number.isInteger(score) || score < MIN_SCORE || score > MAX_SCORE)
    throw new DomainError('invalid_score', 'a rating is a whole number from 1 to 5', 'score');
  assertNotClosed(t);
  if (t.status !== 'solved') throw new DomainError('not_solved', 'only a solved ticket can be rated');
  return 'closed';
}

/** Only a solved ticket can be returned to work, with a reason (recorded as the customer's public comment). */
export function reopen(t: TicketState, reason: string): TicketStatus {
  if (reason.trim() === '') throw new DomainError('reason_required', 'a reason is required to reopen', 'reason');
  assertNotClosed(t);
  if (t.status !== 'solved') throw new DomainError('not_solved', 'only a solved ticket can be reopened');
  return 'open';
}

/**
 * Turning a ticket private is allowed only while it has exactly one public comment (which then becomes an
 * internal note). Returns false when the ticket is already private (nothing to do).
 */
export function makePrivate(t: TicketState, publicComments: number): boolean {
  assertNotClosed(t);
  if (t.visibility === 'private') return false;
  if (publicComments !== 1)
    throw new DomainError(
      'cannot_make_private',
      `a ticket can be made private only while it has exactly one public comment (it has ${publicComments})`,
      'visibility',
    );
  return true;
}

/** A private ticket becomes public only through an agent's public reply, never by a setting. */
export function makePublic(t: TicketState): never {
  assertNotClosed(t);
  throw new DomainError(
    'cannot_make_public',
    t.visibility === 'public'
      ? 'the ticket is already public'
      : 'a private ticket becomes public only when an agent adds a public reply',
    'visibility',
  );
}

/** Solved tickets close by themselves after `days` days. */
export function closesAutomatically(t: TicketState, now: Date, days: number): boolean {
  return t.status === 'solved' && t.solvedAt !== null && now.getTime() - t.solvedAt.getTime() >= days * 86_400_000;
}

/**
 * Whether a change is visible outside the help center: only on public tickets, and for comments only public ones
 * by staff (customers' own messages came from a chat and are not echoed back).
 */
export function leavesHelpCenter(
  t: Pick<TicketState, 'visibility'>,
  change: { kind: 'comment'; public: boolean; byStaff: boolean } | { kind: 'status' } | { kind: 'created' },
): boolean {
  if (t.visibility !== 'public') return false;
  if (change.kind === 'comment') return change.public && change.byStaff;
  return true;
}

/**
 * Optimistic concurrency: a change made from what someone saw at `expected` is refused if the ticket has moved on
 * since (another agent's change, a customer's reply), so that nobody overwrites what they have not seen.
 */
export function assertFresh(t: { version: number }, expected: number | undefined): void {
  if (expected !== undefined && expected !== t.version)
    throw new DomainError('stale_ticket', `the ticket has changed since it was loaded (version ${expected}, now ${t.version}); load it again`);
}
