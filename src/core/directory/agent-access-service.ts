/**
 * Agents' access to the API and the console: their API tokens (issued, listed, revoked, recorded when used) and
 * their active flag. Who may do what is decided here: admins manage everyone's access; an agent may see and revoke
 * their own tokens, never anyone else's.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.ts';
import type { AccessPort, ApiTokenRecord } from '../ports/access-port.ts';
import type { Page, Store, UserRecord } from '../ports/store-port.ts';
import type { Actor } from '../tickets/ticket-service.ts';
import { isStaff } from '../tickets/ticket-types.ts';
import { sha256 } from './directory-service.ts';

/** Writing lastUsedAt on every request would turn each API call into a write; once a minute is enough. */
export const TOKEN_TOUCH_EVERY_MS = 60_000;

export interface AgentAccessDeps {
  access: AccessPort;
  users: Pick<Store, 'getUser'>;
  clock?: () => Date;
}

/** Whether `actor` may see and revoke the tokens of `agentId`. */
export function mayManageTokens(actor: Actor, agentId: string): boolean {
  return actor.role === 'admin' || actor.id === agentId;
}

/** Whether a token still signs its holder in at `now`. */
export function tokenWorks(token: ApiTokenRecord, user: UserRecord, now: Date): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now) && user.active && isStaff(user.role);
}

export function createAgentAccessService(deps: AgentAccessDeps) {
  const { access } = deps;
  const now = deps.clock ?? (() => new Date());

  function requireAdmin(actor: Actor): void {
    if (actor.role !== 'admin') throw new DomainError('forbidden', 'this call needs the admin role');
  }

  async function staffMember(agentId: string): Promise<UserRecord> {
    const user = await deps.users.getUser(agentId);
    if (!user || !isStaff(user.role)) throw new DomainError('user_not_found', `agent ${agentId} does not exist`);
    return user;
  }

  return {
    /** A new token for an agent (admins only). The secret is returned here once and stored only as a hash. */
    async issueToken(actor: Actor, agentId: string, input: { label: string; expiresInDays?: number | undefined }): Promise<{ token: ApiTokenRecord; secret: string }> {
      requireAdmin(actor);
      const agent = await staffMember(agentId);
      if (!agent.active) throw new DomainError('forbidden', 'this agent is deactivated; reactivate them first');
      const secret = `agt_${randomBytes(24).toString('base64url')}`;
      const createdAt = now();
      const expiresAt = input.expiresInDays ? new Date(createdAt.getTime() + input.expiresInDays * 86_400_000) : null;
      const token = await access.insertToken({ userId: agent.id, tokenHash: sha256(secret), label: input.label.trim(), createdAt, expiresAt });
      return { token, secret };
    },

    /** The agent a bearer token belongs to, or null when it is unknown, revoked, expired or its agent inactive. */
    async authenticate(secret: string): Promise<UserRecord | null> {
      if (!secret) return null;
      const found = await access.findToken(sha256(secret));
      const at = now();
      if (!found || !tokenWorks(found.token, found.user, at)) return null;
      const staleBefore = new Date(at.getTime() - TOKEN_TOUCH_EVERY_MS);
      if (found.token.lastUsedAt === null || found.token.lastUsedAt <= staleBefore) await access.touchToken(found.token.id, at, staleBefore);
      return found.user;
    },

    async listAgents(actor: Actor, page: { limit: number; cursor: string | null }): Promise<Page<UserRecord>> {
      requireAdmin(actor);
      return access.listStaff(page);
    },

    async listTokens(actor: Actor, agentId: string): Promise<ApiTokenRecord[]> {
      if (!mayManageTokens(actor, agentId)) throw new DomainError('forbidden', "only an admin may see another agent's tokens");
      await staffMember(agentId);
      return access.listTokens(agentId);
    },

    /** Revokes at once: the next request with that token is refused. Revoking twice keeps the first time. */
    async revokeToken(actor: Actor, agentId: string, tokenId: string): Promise<ApiTokenRecord> {
      if (!mayManageTokens(actor, agentId)) throw new DomainError('forbidden', "only an admin may revoke another agent's tokens");
      const token = await access.revokeToken(agentId, tokenId, now());
      if (!token) throw new DomainError('not_found', `agent ${agentId} has no token ${tokenId}`);
      return token;
    },

    /**
     * Deactivating takes every access away at once (tokens revoked, console sessions ended, sign-in refused);
     * reactivating lets the agent sign in with their password again, and needs new tokens.
     */
    async setActive(actor: Actor, agentId: string, active: boolean): Promise<UserRecord> {
      requireAdmin(actor);
      const agent = await staffMember(agentId);
      if (!active && agent.id === actor.id) throw new DomainError('forbidden', 'you cannot deactivate yourself');
      if (active !== agent.active) {
        if (active) await access.reactivate(agent.id);
        else await access.deactivate(agent.id, now());
      }
      return { ...agent, active };
    },
  };
}

export type AgentAccessService = ReturnType<typeof createAgentAccessService>;
