import { describe, expect, it } from 'vitest';
import type { AccessPort, ApiTokenRecord } from '../ports/access-port.ts';
import type { UserRecord } from '../ports/store-port.ts';
import { createAgentAccessService, mayManageTokens, TOKEN_TOUCH_EVERY_MS } from './agent-access-service.ts';
import { sha256 } from './directory-service.ts';

const user = (id: string, role: UserRecord['role'] = 'agent', active = true): UserRecord => ({
  id, email: `${id}@x.example`, name: id, phone: null, locale: 'en', role, organization: null, active, createdAt: new Date(0),
});

/** Just enough of the port to watch what the service asks for. */
function fakeAccess(users: UserRecord[]) {
  const tokens: (ApiTokenRecord & { hash: string })[] = [];
  const touches: Date[] = [];
  const port: AccessPort = {
    async insertToken(input) {
      const t = { id: `t${tokens.length + 1}`, userId: input.userId, hash: input.tokenHash, label: input.label, createdAt: input.createdAt, lastUsedAt: null, expiresAt: input.expiresAt, revokedAt: null };
      tokens.push(t);
      return t;
    },
    async findToken(hash) {
      const t = tokens.find((x) => x.hash === hash);
      return t ? { token: t, user: users.find((u) => u.id === t.userId)! } : null;
    },
    async touchToken(id, at) {
      touches.push(at);
      tokens.find((t) => t.id === id)!.lastUsedAt = at;
    },
    async listTokens(userId) {
      return tokens.filter((t) => t.userId === userId);
    },
    async revokeToken(userId, id, at) {
      const t = tokens.find((x) => x.id === id && x.userId === userId);
      if (t) t.revokedAt ??= at;
      return t ?? null;
    },
    async listStaff() {
      return { items: users, nextCursor: null };
    },
    async deactivate(userId) {
      users.find((u) => u.id === userId)!.active = false;
    },
    async reactivate(userId) {
      users.find((u) => u.id === userId)!.active = true;
    },
  };
  return { port, tokens, touches };
}

function setup() {
  const ann = user('ann');
  const bob = user('bob');
  const admin = user('root', 'admin');
  const carol = user('carol', 'end_user');
  const fake = fakeAccess([ann, bob, admin, carol]);
  let now = new Date('2026-12-01T10:00:00Z');
  const svc = createAgentAccessService({
    access: fake.port,
    users: { getUser: async (id) => [ann, bob, admin, carol].find((u) => u.id === id) ?? null },
    clock: () => now,
  });
  return { svc, fake, ann, bob, admin, carol, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('agent access', () => {
  it('issues a token shown once and stored only as its hash', async () => {
    const { svc, fake, ann, admin } = setup();
    const { secret, token } = await svc.issueToken(admin, ann.id, { label: ' CI bot ' });
    expect(secret).toMatch(/^agt_[A-Za-z0-9_-]{32}$/);
    expect(token.label).toBe('CI bot');
    expect(fake.tokens[0]!.hash).toBe(sha256(secret));
    expect(JSON.stringify(fake.tokens)).not.toContain(secret);
    expect(await svc.authenticate(secret)).toMatchObject({ id: ann.id });
  });

  it('refuses a revoked token, an expired one, one of a deactivated agent, and a customer token', async () => {
    const { svc, ann, bob, admin, carol, advance } = setup();
    const revoked = await svc.issueToken(admin, ann.id, { label: 'a' });
    await svc.revokeToken(ann, ann.id, revoked.token.id);
    expect(await svc.authenticate(revoked.secret)).toBeNull();

    const expiring = await svc.issueToken(admin, ann.id, { label: 'b', expiresInDays: 1 });
    expect(await svc.authenticate(expiring.secret)).not.toBeNull();
    advance(86_400_000);
    expect(await svc.authenticate(expiring.secret)).toBeNull();

    const bobs = await svc.issueToken(admin, bob.id, { label: 'c' });
    await svc.setActive(admin, bob.id, false);
    expect(await svc.authenticate(bobs.secret)).toBeNull();
    await expect(svc.issueToken(admin, bob.id, { label: 'd' })).rejects.toMatchObject({ code: 'forbidden' });

    await expect(svc.issueToken(admin, carol.id, { label: 'e' })).rejects.toMatchObject({ code: 'user_not_found' });
    expect(await svc.authenticate('agt_unknown')).toBeNull();
    expect(await svc.authenticate('')).toBeNull();
  });

  it('records a use at most once a minute', async () => {
    const { svc, fake, ann, admin, advance } = setup();
    const { secret } = await svc.issueToken(admin, ann.id, { label: 'a' });
    await svc.authenticate(secret);
    advance(TOKEN_TOUCH_EVERY_MS - 1);
    await svc.authenticate(secret);
    await svc.authenticate(secret);
    expect(fake.touches).toHaveLength(1);
    advance(1);
    await svc.authenticate(secret);
    expect(fake.touches).toHaveLength(2);
    expect(fake.tokens[0]!.lastUsedAt).toEqual(fake.touches[1]);
  });

  it('lets an agent see and revoke only their own tokens; everything else needs the admin', async () => {
    const { svc, ann, bob, admin } = setup();
    const bobs = await svc.issueToken(admin, bob.id, { label: 'b' });
    expect(mayManageTokens(ann, ann.id)).toBe(true);
    expect(mayManageTokens(ann, bob.id)).toBe(false);
    expect(mayManageTokens(admin, bob.id)).toBe(true);
    await expect(svc.listTokens(ann, bob.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(svc.revokeToken(ann, bob.id, bobs.token.id)).rejects.toMatchObject({ code: 'forbidden' });
    // the id of someone else's token under one's own path is simply not one's token
    await expect(svc.revokeToken(ann, ann.id, bobs.token.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(svc.issueToken(ann, ann.id, { label: 'mine' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(svc.listAgents(ann, { limit: 10, cursor: null })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(svc.setActive(ann, bob.id, false)).rejects.toMatchObject({ code: 'forbidden' });
    expect(await svc.authenticate(bobs.secret)).toMatchObject({ id: bob.id });
  });

  it('never lets the admin deactivate themself, and keeps revocation times', async () => {
    const { svc, ann, admin, advance } = setup();
    await expect(svc.setActive(admin, admin.id, false)).rejects.toMatchObject({ code: 'forbidden' });
    const t = await svc.issueToken(admin, ann.id, { label: 'a' });
    const first = (await svc.revokeToken(admin, ann.id, t.token.id)).revokedAt;
    advance(5000);
    expect((await svc.revokeToken(admin, ann.id, t.token.id)).revokedAt).toEqual(first);
  });
});
