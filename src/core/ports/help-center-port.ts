/**
 * What the customers' half of the help center needs from persistence beyond the Store: their own tickets with a
 * search that sees only what they may see, their chat accounts and preferences, and one-time sign-in links.
 * src/infra/repos/help-center-repo.ts implements it on PostgreSQL.
 */
import type { Page, TicketView } from './store-port.ts';

export interface ChatAccount {
  id: string;
  platform: string;
  workspaceId: string;
  platformUserId: string;
  displayName: string;
  createdAt: Date;
}

export interface RequesterPreferences {
  locale: string;
  /** False while `locale` is only what a chat platform reported or the default. */
  localeChosen: boolean;
  emailReplies: boolean;
}

export interface RequesterRepo {
  /**
   * Public tickets whose requester is this user, newest first. `query` matches the subject, the description only
   * where it is public, the public comments and `#<number>`; never an internal note.
   */
  listRequesterTickets(userId: string, query: string | null, page: { limit: number; cursor: string | null }): Promise<Page<TicketView>>;
  listChatAccounts(userId: string): Promise<ChatAccount[]>;
  /**
   * Removes this user's chat account, and stops the direct-message threads that would still carry their tickets'
   * news to it; returns what was removed, or null if the account is not theirs.
   */
  unlinkChatAccount(userId: string, accountId: string): Promise<ChatAccount | null>;
  getPreferences(userId: string): Promise<RequesterPreferences | null>;
  setPreferences(userId: string, patch: { locale?: string; emailReplies?: boolean }): Promise<void>;
}

export type SignInLinkState = 'valid' | 'invalid' | 'expired' | 'used';

export interface SignInLinkRepo {
  insert(link: { tokenHash: string; userId: string; nextPath: string | null; expiresAt: Date }): Promise<void>;
  /** Marks the link used in one statement (two concurrent uses: exactly one wins) and returns its user. */
  consume(tokenHash: string, now: Date): Promise<{ userId: string; nextPath: string | null } | Exclude<SignInLinkState, 'valid'>>;
  /** What the link is, without using it (the confirmation page). */
  peek(tokenHash: string, now: Date): Promise<SignInLinkState>;
  /** Drops links that expired before `before`. */
  purge(before: Date): Promise<number>;
}

/** The job that emails a sign-in link; it runs later, in the worker, never in the request. */
export interface EmailSignInJob {
  email: string;
  /** The language of the page the person asked from. */
  locale: string;
  next: string | null;
}

export interface SignInJobs {
  enqueueEmailLink(job: EmailSignInJob): Promise<void>;
}
