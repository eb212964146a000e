/**
 * What the core needs to keep agents' access: their API tokens (only hashes are stored) and their active flag.
 * src/infra/repos/access-repo.ts implements it on PostgreSQL.
 */
import type { Page, UserRecord } from './store-port.ts';

export interface ApiTokenRecord {
  id: string;
  userId: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface AccessPort {
  insertToken(input: { userId: string; tokenHash: string; label: string; createdAt: Date; expiresAt: Date | null }): Promise<ApiTokenRecord>;
  /** The token with this hash and its user, whatever their state (the core decides what still works). */
  findToken(tokenHash: string): Promise<{ token: ApiTokenRecord; user: UserRecord } | null>;
  /** Records a use; `staleBefore` keeps concurrent requests from writing it more than once. */
  touchToken(id: string, at: Date, staleBefore: Date): Promise<void>;
  /** An agent's tokens, newest first. */
  listTokens(userId: string): Promise<ApiTokenRecord[]>;
  /** Sets revokedAt (once; a second revocation keeps the first time). Null when the agent has no such token. */
  revokeToken(userId: string, tokenId: string, at: Date): Promise<ApiTokenRecord | null>;
  /** Agents and admins, by email. */
  listStaff(page: { limit: number; cursor: string | null }): Promise<Page<UserRecord>>;
  /** In one transaction: marks the user inactive, revokes every token of theirs and ends their console sessions. */
  deactivate(userId: string, at: Date): Promise<void>;
  reactivate(userId: string): Promise<void>;
}
