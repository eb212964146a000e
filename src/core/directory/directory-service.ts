/**
 * People and the catalog: end users, agents, services, one-time link codes and chat identities (agents' tokens
 * and active flag: agent-access-service.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../errors.ts';
import type { Store, UserRecord } from '../ports/store-port.ts';
import { EMAIL_RE, normaliseEmail } from '../tickets/ticket-service.ts';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export interface DirectoryDeps {
  store: Store;
  clock?: () => Date;
  linkCodeTtlMinutes: number;
  hashPassword?: (password: string) => Promise<string>;
}

/** Link codes are short enough to type, long enough not to guess (8 characters of a 32-letter alphabet: 40 bits,
 * one-time and expiring). */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function newLinkCode(): string {
  const bytes = randomBytes(8);
  return Array.from(bytes, (b) => CODE_ALPHABET[b % 32]).join('');
}

const emailTaken = () => new DomainError('email_taken', 'a user with this email exists', 'email');

export function createDirectoryService(deps: DirectoryDeps) {
  const { store } = deps;
  const now = deps.clock ?? (() => new Date());

  function checkEmail(email: string): string {
    const e = normaliseEmail(email);
    if (!EMAIL_RE.test(e)) throw new DomainError('invalid_email', 'email is not an email address', 'email');
    return e;
  }

  return {
    async createUser(input: { email: string; name: string; phone?: string | null; organization?: string | null }): Promise<UserRecord> {
      const email = checkEmail(input.email);
      const { user, created } = await store.findOrInsertUser({ ...input, email, name: input.name.trim(), role: 'end_user' });
      if (!created) throw emailTaken();
      return user;
    },

    /** A new agent; their API tokens come from the agent access service. */
    async createAgent(input: { email: string; name: string; password?: string }): Promise<UserRecord> {
      const email = checkEmail(input.email);
      // Hashing is slow: a known email is refused before it, and a concurrent creation of the same one after it.
      if (await store.findUserByEmail(email)) throw emailTaken();
      const passwordHash = input.password && deps.hashPassword ? await deps.hashPassword(input.password) : null;
      const { user: agent, created } = await store.findOrInsertUser({ email, name: input.name.trim(), role: 'agent', passwordHash });
      if (!created) throw emailTaken();
      return agent;
    },

    async getUser(id: string): Promise<UserRecord> {
      const u = await store.getUser(id);
      if (!u) throw new DomainError('user_not_found', `user ${id} does not exist`);
      return u;
    },

    searchUsers: (prefix: string, page: { limit: number; cursor: string | null }) => store.searchUsers(prefix.trim().toLowerCase(), page),

    listServices: () => store.listServices(),

    async createService(input: { name: string; description?: string | null }) {
      const service = await store.insertServiceIfNew({ name: input.name.trim(), description: input.description ?? null });
      if (!service) throw new DomainError('validation_failed', 'a service with this name exists', 'name');
      return service;
    },

    /** A first start has one service named General. */
    async ensureDefaultService(): Promise<void> {
      // Another instance starting at the same moment may create it first; then this one adds nothing.
      if ((await store.listServices()).length === 0) await store.insertServiceIfNew({ name: 'General', description: null });
    },

    async createLinkCode(userId: string): Promise<{ code: string; expiresAt: Date }> {
      const user = await store.getUser(userId);
      if (!user) throw new DomainError('user_not_found', `user ${userId} does not exist`);
      const code = newLinkCode();
      const expiresAt = new Date(now().getTime() + deps.linkCodeTtlMinutes * 60_000);
      await store.insertLinkCode(user.id, sha256(code), expiresAt);
      return { code, expiresAt };
    },

    async redeemLinkCode(code: string): Promise<UserRecord> {
      const r = await store.consumeLinkCode(sha256(code.trim().toUpperCase()), now());
      if (r === 'invalid') throw new DomainError('link_code_invalid', 'this code is not valid');
      if (r === 'expired') throw new DomainError('link_code_expired', 'this code has expired');
      if (r === 'used') throw new DomainError('link_code_used', 'this code was already used');
      return (await store.getUser(r.userId))!;
    },

    /**
     * A one-time invitation for an agent to set their console password: a long random token, stored hashed,
     * valid for 7 days.
     */
    async createInvitation(agentId: string): Promise<{ token: string; expiresAt: Date }> {
      const user = await store.getUser(agentId);
      if (!user || user.role === 'end_user') throw new DomainError('user_not_found', `agent ${agentId} does not exist`);
      const token = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now().getTime() + 7 * 86_400_000);
      await store.insertLinkCode(user.id, sha256(`invite:${token}`), expiresAt);
      return { token, expiresAt };
    },

    /** Redeems an invitation: sets the agent's password. Throws link_code_invalid | link_code_expired | link_code_used. */
    async acceptInvitation(token: string, password: string): Promise<UserRecord> {
      if (password.length < 10) throw new DomainError('validation_failed', 'the password needs at least 10 characters', 'password');
      const r = await store.consumeLinkCode(sha256(`invite:${token}`), now());
      if (r === 'invalid') throw new DomainError('link_code_invalid', 'this invitation is not valid');
      if (r === 'expired') throw new DomainError('link_code_expired', 'this invitation has expired');
      if (r === 'used') throw new DomainError('link_code_used', 'this invitation was already used');
      if (!deps.hashPassword) throw new Error('no password hasher configured');
      await store.setPasswordHash(r.userId, await deps.hashPassword(password));
      return (await store.getUser(r.userId))!;
    },

    /** The end user with this email, created when new. */
    async findOrCreateEndUser(email: string, name: string, locale?: string): Promise<UserRecord> {
      const e = checkEmail(email);
      return (await store.findOrInsertUser({ email: e, name: name.trim() || e.split('@')[0]!, role: 'end_user', locale })).user;
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
