/**
 * Agents' API tokens can be listed, revoked and replaced, and an agent can be deactivated, against the real service
 * and PostgreSQL (audit finding: tokens never expired and could not be revoked). The attacks: a revoked token, an
 * agent reaching for another agent's tokens, a deactivated agent's token, session and password.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { api, ConsoleClient, makeAgent } from '../console/console-client.ts';
import { ADMIN_TOKEN, startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
type Agent = Awaited<ReturnType<typeof makeAgent>>;
let ann: Agent;
let bob: Agent;

const call = (method: string, url: string, token: string, body?: unknown) => api(svc.app, method, url, body, token);
const works = async (token: string) => (await call('GET', '/tickets', token)).status === 200;

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  db = createPrisma(svc.databaseUrl);
  ann = await makeAgent(svc.app, 'ann@support.example', 'Ann Agent');
  bob = await makeAgent(svc.app, 'bob@support.example', 'Bob Agent');
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

describe('API tokens', () => {
  it('lists an agent\'s tokens without their secrets or hashes', async () => {
    const created = await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: 'CI bot', expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^agt_/);
    expect(created.body.apiToken).toMatchObject({ label: 'CI bot', lastUsedAt: null, revokedAt: null });
    expect(Date.parse(created.body.apiToken.expiresAt) - Date.parse(created.body.apiToken.createdAt)).toBe(30 * 86_400_000);
    expect(await works(created.body.token)).toBe(true);

    const list = await call('GET', `/agents/${ann.id}/tokens`, ADMIN_TOKEN);
    expect(list.status).toBe(200);
    expect(list.body.tokens.map((t: { label: string }) => t.label)).toEqual(['CI bot', 'created with the agent']);
    expect(Object.keys(list.body.tokens[0]).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'label', 'lastUsedAt', 'revokedAt']);
    const text = JSON.stringify(list.body);
    for (const secret of [ann.token, created.body.token]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    }
  });

  it('revokes a token: the very next request with it gets 401, the agent\'s other tokens keep working', async () => {
    const extra = await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: 'laptop' });
    expect(await works(extra.body.token)).toBe(true);
    const revoked = await call('DELETE', `/agents/${ann.id}/tokens/${extra.body.apiToken.id}`, ADMIN_TOKEN);
    expect(revoked.status).toBe(200);
    expect(revoked.body.apiToken.revokedAt).toEqual(expect.any(String));
    expect(await call('GET', '/tickets', extra.body.token)).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    expect(await works(ann.token)).toBe(true);
    // revoking again changes nothing; an unknown id is 404
    expect((await call('DELETE', `/agents/${ann.id}/tokens/${extra.body.apiToken.id}`, ADMIN_TOKEN)).body.apiToken.revokedAt).toBe(revoked.body.apiToken.revokedAt);
    expect((await call('DELETE', `/agents/${ann.id}/tokens/00000000-0000-4000-8000-000000000000`, ADMIN_TOKEN)).status).toBe(404);
  });

  it('lets an agent list and revoke their own tokens', async () => {
    const own = await call('POST', `/agents/${bob.id}/tokens`, ADMIN_TOKEN, { label: 'leaked one' });
    const list = await call('GET', `/agents/${bob.id}/tokens`, bob.token);
    expect(list.status).toBe(200);
    expect(list.body.tokens.map((t: { label: string }) => t.label)).toContain('leaked one');
    expect((await call('DELETE', `/agents/${bob.id}/tokens/${own.body.apiToken.id}`, bob.token)).status).toBe(200);
    expect(await works(own.body.token)).toBe(false);
    expect(await works(bob.token)).toBe(true);
  });

  it('refuses an agent another agent\'s tokens (403), and every admin call on agents', async () => {
    const annTokens = (await call('GET', `/agents/${ann.id}/tokens`, ADMIN_TOKEN)).body.tokens as { id: string; revokedAt: string | null }[];
    const live = annTokens.find((t) => t.revokedAt === null)!;
    const forbidden = [
      await call('GET', `/agents/${ann.id}/tokens`, bob.token),
      await call('DELETE', `/agents/${ann.id}/tokens/${live.id}`, bob.token),
      await call('POST', `/agents/${ann.id}/tokens`, bob.token, { label: 'mine now' }),
      await call('POST', `/agents/${bob.id}/tokens`, bob.token, { label: 'one more for me' }),
      await call('GET', '/agents', bob.token),
      await call('PATCH', `/agents/${ann.id}`, bob.token, { active: false }),
    ];
    for (const r of forbidden) expect(r).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    // Ann's token under Bob's own path is not his to revoke either
    expect((await call('DELETE', `/agents/${bob.id}/tokens/${live.id}`, bob.token)).status).toBe(404);
    expect(await db.apiToken.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({ revokedAt: null });
    expect(await works(ann.token)).toBe(true);
    expect(await db.apiToken.count({ where: { userId: bob.id, label: { in: ['mine now', 'one more for me'] } } })).toBe(0);
  });

  it('records lastUsedAt on use, without a write for every request', async () => {
    const { body } = await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: 'meter' });
    const row = () => db.apiToken.findUniqueOrThrow({ where: { id: body.apiToken.id } });
    expect((await row()).lastUsedAt).toBeNull();
    const before = Date.now();
    expect(await works(body.token)).toBe(true);
    const first = (await row()).lastUsedAt!;
    expect(first.getTime()).toBeGreaterThanOrEqual(before - 1000);
    for (let i = 0; i < 3; i++) expect(await works(body.token)).toBe(true);
    expect((await row()).lastUsedAt).toEqual(first); // within the minute: not written again
    // a use more than a minute after the last recorded one moves it
    await db.apiToken.update({ where: { id: body.apiToken.id }, data: { lastUsedAt: new Date(first.getTime() - 120_000) } });
    expect(await works(body.token)).toBe(true);
    expect((await row()).lastUsedAt!.getTime()).toBeGreaterThanOrEqual(first.getTime());
    const listed = (await call('GET', `/agents/${ann.id}/tokens`, ADMIN_TOKEN)).body.tokens.find((t: { id: string }) => t.id === body.apiToken.id);
    expect(listed.lastUsedAt).toBe((await row()).lastUsedAt!.toISOString());
  });

  it('refuses an expired token', async () => {
    const { body } = await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: 'short', expiresInDays: 1 });
    expect(await works(body.token)).toBe(true);
    await db.apiToken.update({ where: { id: body.apiToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await works(body.token)).toBe(false);
  });

  it('answers 400 for a bad label, expiry or id', async () => {
    expect((await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: '' })).status).toBe(400);
    expect((await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: 'x', expiresInDays: 0 })).status).toBe(400);
    expect((await call('POST', `/agents/${ann.id}/tokens`, ADMIN_TOKEN, { label: 'x', secret: 'chosen' })).status).toBe(400);
    expect((await call('DELETE', `/agents/${ann.id}/tokens/not-a-uuid`, ADMIN_TOKEN)).status).toBe(400);
    expect((await call('GET', '/agents/00000000-0000-4000-8000-000000000000/tokens', ADMIN_TOKEN)).status).toBe(404);
  });
});

describe('agents', () => {
  it('lists agents and admins for the admin, paged by email', async () => {
    const first = await call('GET', '/agents?limit=2', ADMIN_TOKEN);
    expect(first.status).toBe(200);
    expect(first.body.agents.map((a: { email: string }) => a.email)).toEqual(['admin@ticket-bridge.local', 'ann@support.example']);
    expect(first.body.agents[1]).toEqual({ id: ann.id, email: ann.email, name: 'Ann Agent', role: 'agent', active: true, createdAt: expect.any(String) });
    const second = await call('GET', `/agents?limit=2&cursor=${first.body.nextCursor}`, ADMIN_TOKEN);
    expect(second.body.agents.map((a: { email: string }) => a.email)).toEqual(['bob@support.example']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('deactivating an agent takes away their tokens, console session and sign-in at once', async () => {
    const cara = await makeAgent(svc.app, 'cara@support.example', 'Cara Agent');
    const console = new ConsoleClient(svc.app);
    await console.signIn(cara.email, cara.password);
    expect((await console.get('/tickets')).statusCode).toBe(200);
    expect(await works(cara.token)).toBe(true);

    const off = await call('PATCH', `/agents/${cara.id}`, ADMIN_TOKEN, { active: false });
    expect(off).toMatchObject({ status: 200, body: { agent: { id: cara.id, active: false } } });
    expect(await works(cara.token)).toBe(false);
    expect((await console.get('/tickets')).statusCode).toBe(303); // back to the sign-in page
    expect(await db.consoleSession.count({ where: { userId: cara.id } })).toBe(0);
    const again = new ConsoleClient(svc.app);
    await again.get('/login');
    expect((await again.post('/login', { email: cara.email, password: cara.password, next: '/tickets' })).statusCode).toBe(401);
    expect((await call('GET', `/agents/${cara.id}/tokens`, ADMIN_TOKEN)).body.tokens.every((t: { revokedAt: string | null }) => t.revokedAt !== null)).toBe(true);
    expect((await call('POST', `/agents/${cara.id}/tokens`, ADMIN_TOKEN, { label: 'x' })).status).toBe(403);

    // reactivated: the password signs in again; the old tokens stay revoked, a new one works
    expect((await call('PATCH', `/agents/${cara.id}`, ADMIN_TOKEN, { active: true })).body.agent.active).toBe(true);
    await again.signIn(cara.email, cara.password);
    expect((await again.get('/tickets')).statusCode).toBe(200);
    expect(await works(cara.token)).toBe(false);
    const fresh = await call('POST', `/agents/${cara.id}/tokens`, ADMIN_TOKEN, { label: 'after return' });
    expect(await works(fresh.body.token)).toBe(true);
  });

  it('closes a console session that outlived a deactivation (a sign-in racing it)', async () => {
    const dan = await makeAgent(svc.app, 'dan@support.example', 'Dan Agent');
    const c = new ConsoleClient(svc.app);
    await c.signIn(dan.email, dan.password);
    // what a sign-in finishing just after the deactivation leaves: an inactive agent with a live session row
    await db.user.update({ where: { id: dan.id }, data: { deactivatedAt: new Date() } });
    expect(await db.consoleSession.count({ where: { userId: dan.id } })).toBe(1);
    expect((await c.get('/tickets')).statusCode).toBe(303);
    expect(await db.consoleSession.count({ where: { userId: dan.id } })).toBe(0);
  });

  it('does not let the admin deactivate the account the admin token acts as', async () => {
    const admin = (await call('GET', '/agents', ADMIN_TOKEN)).body.agents.find((a: { role: string }) => a.role === 'admin');
    expect((await call('PATCH', `/agents/${admin.id}`, ADMIN_TOKEN, { active: false })).status).toBe(403);
    expect((await call('PATCH', `/agents/${ann.id}`, ADMIN_TOKEN, { active: 'no' })).status).toBe(400);
    expect((await call('PATCH', '/agents/00000000-0000-4000-8000-000000000000', ADMIN_TOKEN, { active: false })).status).toBe(404);
  });

  it('documents every new call in the OpenAPI document', async () => {
    const doc = JSON.parse((await svc.app.inject({ url: '/api/v1/openapi.json' })).body);
    expect(Object.keys(doc.paths['/agents']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/agents/{id}'])).toEqual(['patch']);
    expect(Object.keys(doc.paths['/agents/{id}/tokens']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/agents/{id}/tokens/{tokenId}'])).toEqual(['delete']);
    expect(doc.paths['/agents/{id}/tokens/{tokenId}'].delete.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'tokenId']);
  });
});
