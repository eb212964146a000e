/**
 * Agents and their access: create, invite, list, deactivate, and their API tokens. Registered inside the API
 * plugin, so every route is behind its bearer-token hook; who may do what is decided by the agent access service.
 */
import type { FastifyInstance } from 'fastify';
import type { AgentAccessService } from '../../core/directory/agent-access-service.ts';
import type { DirectoryService } from '../../core/directory/directory-service.ts';
import type { ApiTokenRecord } from '../../core/ports/access-port.ts';
import type { UserRecord } from '../../core/ports/store-port.ts';
import { HttpError } from '../errors.ts';
import { actorOf, parse } from './api-request.ts';
import type { RouteDoc } from './openapi.ts';
import * as S from './schemas.ts';

export interface AgentRouteDeps {
  directory: DirectoryService;
  access: AgentAccessService;
  publicUrl: string;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function agentJson(u: UserRecord) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, active: u.active, createdAt: u.createdAt.toISOString() };
}

/** A token as it is ever shown after its creation: never the secret, nor its hash. */
export function apiTokenJson(t: ApiTokenRecord) {
  return { id: t.id, label: t.label, createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt) };
}

export const AGENT_ROUTES: RouteDoc[] = [
  { method: 'post', path: '/agents', summary: 'Create an agent (and their API token)', role: 'admin', body: S.createAgentBody, responses: { 201: 'the agent and its token', 400: 'invalid', 401: 'no token', 403: 'not admin', 409: 'email exists' } },
  { method: 'get', path: '/agents', summary: 'Agents and admins, by email, with their active flag', role: 'admin', query: S.pageOnlyQuery, responses: { 200: 'agents', 401: 'no token', 403: 'not admin' } },
  { method: 'patch', path: '/agents/{id}', summary: 'Deactivate an agent (revokes every token and ends every console session) or reactivate them', role: 'admin', body: S.patchAgentBody, responses: { 200: 'the agent', 400: 'invalid', 403: 'not admin, or deactivating yourself', 404: 'unknown agent' } },
  { method: 'post', path: '/agents/{id}/invitation', summary: 'One-time link for an agent to set a console password', role: 'admin', responses: { 201: 'the invitation URL', 403: 'not admin', 404: 'unknown agent' } },
  { method: 'get', path: '/agents/{id}/tokens', summary: "An agent's API tokens, newest first (never the secrets)", role: 'self', responses: { 200: 'tokens', 403: "another agent's tokens", 404: 'unknown agent' } },
  { method: 'post', path: '/agents/{id}/tokens', summary: 'A new API token for an agent, shown once', role: 'admin', body: S.createTokenBody, responses: { 201: 'the token and its secret', 400: 'invalid', 403: 'not admin, or the agent is deactivated', 404: 'unknown agent' } },
  { method: 'delete', path: '/agents/{id}/tokens/{tokenId}', summary: 'Revoke an API token: it stops working at once', role: 'self', responses: { 200: 'the revoked token', 403: "another agent's token", 404: 'unknown token' } },
];

export function agentRoutes(app: FastifyInstance, deps: AgentRouteDeps): void {
  const { directory, access, publicUrl } = deps;
  const admin = (actor: ReturnType<typeof actorOf>) => {
    if (actor.role !== 'admin') throw new HttpError(403, 'forbidden', 'this call needs the admin role');
  };

  app.post('/agents', async (req, reply) => {
    const actor = actorOf(req);
    admin(actor);
    const body = parse(S.createAgentBody, req.body, 'body');
    const agent = await directory.createAgent(body);
    const { secret } = await access.issueToken(actor, agent.id, { label: 'created with the agent' });
    return reply.code(201).send({ agent: { id: agent.id, email: agent.email, name: agent.name }, token: secret });
  });

  app.get('/agents', async (req) => {
    const q = parse(S.pageOnlyQuery, req.query, 'query');
    const page = await access.listAgents(actorOf(req), { limit: q.limit, cursor: q.cursor ?? null });
    return { agents: page.items.map(agentJson), nextCursor: page.nextCursor };
  });

  app.patch('/agents/:id', async (req) => {
    const { id } = parse(S.idParam, req.params, 'id');
    const body = parse(S.patchAgentBody, req.body, 'body');
    return { agent: agentJson(await access.setActive(actorOf(req), id, body.active)) };
  });

  app.post('/agents/:id/invitation', async (req, reply) => {
    admin(actorOf(req));
    const { id } = parse(S.idParam, req.params, 'id');
    const { token, expiresAt } = await directory.createInvitation(id);
    return reply.code(201).send({ url: `${publicUrl}/invite/${token}`, expiresAt: expiresAt.toISOString() });
  });

  app.get('/agents/:id/tokens', async (req) => {
    const { id } = parse(S.idParam, req.params, 'id');
    return { tokens: (await access.listTokens(actorOf(req), id)).map(apiTokenJson) };
  });

  app.post('/agents/:id/tokens', async (req, reply) => {
    const { id } = parse(S.idParam, req.params, 'id');
    const body = parse(S.createTokenBody, req.body, 'body');
    const { token, secret } = await access.issueToken(actorOf(req), id, body);
    return reply.code(201).send({ apiToken: apiTokenJson(token), token: secret });
  });

  app.delete('/agents/:id/tokens/:tokenId', async (req) => {
    const { id, tokenId } = parse(S.tokenParam, req.params, 'params');
    return { apiToken: apiTokenJson(await access.revokeToken(actorOf(req), id, tokenId)) };
  });
}
