/**
 * The real service's request log (fastify's request line carries the URL) must not hand out one-time tokens: an
 * invitation link read from the log is a password-setting link for someone else's account. The service runs with
 * the production logger writing to a buffer; requests go over its real HTTP listener.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';

const lines: string[] = [];
const sink = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
let svc: Awaited<ReturnType<typeof startTestService>>;

beforeAll(async () => {
  svc = await startTestService({}, { logger: createLogger('info', sink as never), listen: true, worker: false });
});
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${svc.url}/api/v1${path}`, {
    method,
    headers: { ...auth(ADMIN_TOKEN), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as Record<string, any>;
}

describe('the request log of a running service', () => {
  it('shows invitation and sign-in-link requests without their tokens, and secret query values redacted', async () => {
    const { agent } = await api('POST', '/agents', { email: 'ivy@support.example', name: 'Ivy' });
    const { url } = await api('POST', `/agents/${agent.id}/invitation`);
    const token = new URL(url).pathname.split('/').pop()!;
    expect(token.length).toBeGreaterThan(20);

    const page = await fetch(`${svc.url}/invite/${token}`);
    expect(page.status).toBe(200); // the real invitation page, logged as every request is
    await fetch(`${svc.url}/invite/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=x&confirm=y' });
    await fetch(`${svc.url}/login/link/LINKSECRET0123456789`);
    await fetch(`${svc.url}/login?next=${encodeURIComponent(`/invite/${token}`)}`);
    await fetch(`${svc.url}/tickets?token=QUERYSECRET1&code=QUERYSECRET2&signature=QUERYSECRET3&status=open`);
    await new Promise((r) => setImmediate(r));

    const log = lines.join('');
    const requestLines = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } }).filter((l) => l.msg === 'incoming request');
    const urls = requestLines.map((l) => l.req!.url);
    // the lines are there, with the route visible
    expect(urls).toEqual(
      expect.arrayContaining([
        '/invite/[redacted]',
        '/login/link/[redacted]',
        '/tickets?token=[redacted]&code=[redacted]&signature=[redacted]&status=open',
      ]),
    );
    expect(urls.filter((u) => u === '/invite/[redacted]')).toHaveLength(2);
    expect(urls.some((u) => u.startsWith('/login?next=') && decodeURIComponent(u) === '/login?next=/invite/[redacted]')).toBe(true);
    // and no secret anywhere in the whole output
    for (const secret of [token, 'LINKSECRET', 'QUERYSECRET', ADMIN_TOKEN]) expect(log).not.toContain(secret);
  });
});
