/**
 * Who a request's `Authorization: Bearer <token>` names: the ADMIN_TOKEN's pseudo-user (compared in constant time)
 * or an agent's API token. One place for the API and for the file route outside it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { UserRecord } from '../core/ports/store-port.ts';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The token of a well-formed `Authorization: Bearer <token>` header; null when there is none. */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  return typeof h === 'string' ? (BEARER.exec(h)?.[1] ?? null) : null;
}

export function bearerUsers(deps: { adminToken: string | undefined; adminUser: () => Promise<UserRecord>; authenticate: (token: string) => Promise<UserRecord | null> }) {
  const sha = (s: string) => createHash('sha256').update(s).digest();
  const adminHash = deps.adminToken ? sha(deps.adminToken) : null;
  /** The token's user; null without a token or for one that is not valid. */
  return async (req: FastifyRequest): Promise<UserRecord | null> => {
    const token = bearerToken(req);
    if (token === null) return null;
    if (adminHash && timingSafeEqual(sha(token), adminHash)) return deps.adminUser();
    return deps.authenticate(token);
  };
}
