/**
 * What the help-center pages need from persistence beyond the core's Store: sessions of both kinds, sign-in
 * throttles shared by every instance, the few reads only the agent pages make, and password checks. src/infra
 * implements them; the console never touches the database itself.
 */

/** A session is an agent's or an end user's, fixed when it is made: each kind reaches its own pages only. */
export type SessionKind = 'agent' | 'end_user';

export interface StoredSession {
  idHash: string;
  userId: string;
  kind: SessionKind;
  csrfSecret: string;
}

/** The longest a session lives after its sign-in, whatever its use. */
export const SESSION_MAX_MS = 7 * 86_400_000;
/** A session ends after this long without use. */
export const SESSION_IDLE_MS = 12 * 3_600_000;

export interface SessionRepo {
  /** A new session (a new random id: a cookie planted before sign-in is never promoted); the cookie value is returned once. */
  create(userId: string, kind: SessionKind): Promise<{ cookieValue: string; session: StoredSession }>;
  /** The live session of this cookie, its expiry pushed forward (idle limit, never past the maximum age). */
  find(cookieValue: string | undefined): Promise<StoredSession | null>;
  destroy(idHash: string): Promise<void>;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

export interface ThrottleRepo {
  /** Admits `key` at most `limit` times per window, atomically (concurrent attempts queue on one row). */
  admit(key: string, limit: number, windowMs: number): Promise<Admission>;
  /** A successful sign-in forgives the failures before it. */
  clear(key: string): Promise<void>;
  /** Drops windows that ended long ago; returns how many. */
  purge(): Promise<number>;
}

export interface AgentOption {
  id: string;
  name: string;
  email: string;
}

export interface DeliveryState {
  platform: string;
  status: string;
  lastError: string | null;
  sentAt: Date | null;
}

export interface ThreadLinkInfo {
  platform: string;
  status: string;
  brokenReason: string | null;
  direct: boolean;
}

/** Reads only the agent pages make: who to assign to, what reached the chats, which threads a ticket has. */
export interface ConsoleQueries {
  agents(): Promise<AgentOption[]>;
  /** Deliveries of each comment (by comment id), one per linked chat thread. */
  commentDeliveries(ticketId: string): Promise<Map<string, DeliveryState[]>>;
  threadLinks(ticketId: string): Promise<ThreadLinkInfo[]>;
  /** The group chats and channels a service was chosen for (by a chat command or an admin), by platform. */
  chatConfigs(): Promise<ChatConfigInfo[]>;
}

export interface ChatConfigInfo {
  platform: string;
  workspaceId: string;
  chatId: string;
  service: { id: string; name: string } | null;
  updatedAt: Date;
}

export interface PasswordCheck {
  /** Hashes even without a stored hash, so that an unknown email costs the same as a wrong password. */
  verify(password: string, stored: string | null): Promise<boolean>;
}

/** How the web layer tells "the database cannot serve now" (answer 503, try again) from a fault. */
export interface UnavailabilityCheck {
  isUnavailable(err: unknown): boolean;
  /** One line for the log. */
  describe(err: unknown): string;
}
