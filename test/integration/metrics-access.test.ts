/**
 * /metrics on the public port was open to anyone (audit finding). With METRICS_TOKEN it needs that bearer token;
 * with METRICS_PORT it moves to a listener of its own that serves nothing else. Real listeners, real fetches.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestService } from '../helpers/service.ts';

const METRICS_TOKEN = 'scrape-me-0123456789abcdef';
type Svc = Awaited<ReturnType<typeof startTestService>>;
const started: Svc[] = [];

async function start(env: Record<string, string>) {
  const svc = await startTestService(env, { listen: true, worker: false });
  started.push(svc);
  return svc;
}
afterAll(async () => {
  for (const s of started) {
    await s.stop();
    await s.dropDb();
  }
});

const get = (url: string, token?: string) => fetch(url, token === undefined ? {} : { headers: { authorization: token } });

describe('/metrics', () => {
  it('is open on the public listener when neither METRICS_TOKEN nor METRICS_PORT is set (as before)', async () => {
    const svc = await start({});
    const res = await get(`${svc.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE http_request_duration_seconds histogram');
    expect(svc.metricsUrl).toBeNull();
  });

  it('with METRICS_TOKEN, answers 401 to anyone without that bearer token', async () => {
    const svc = await start({ METRICS_TOKEN });
    for (const auth of [undefined, '', 'Bearer', 'Bearer wrong-token-0123456789', `Bearer ${ADMIN_TOKEN}`, `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`]) {
      const res = await get(`${svc.url}/metrics`, auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await res.text();
      expect(body).not.toContain('http_request_duration_seconds');
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'unauthenticated' } });
    }
    for (const auth of [`Bearer ${METRICS_TOKEN}`, `bearer ${METRICS_TOKEN}`]) {
      const ok = await get(`${svc.url}/metrics`, auth);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await ok.text()).toContain('# TYPE tickets_created_total counter');
    }
    // the rest of the public listener is unchanged
    expect((await get(`${svc.url}/healthz`)).status).toBe(200);
  });

  it('with METRICS_PORT, is served only on its own listener, which serves nothing else', async () => {
    const svc = await start({ METRICS_TOKEN, METRICS_PORT: '0' });
    expect(svc.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(svc.metricsUrl).not.toBe(svc.url);
    expect((await get(`${svc.url}/metrics`, `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
    expect((await get(`${svc.metricsUrl}/metrics`)).status).toBe(401);
    const ok = await get(`${svc.metricsUrl}/metrics`, `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# TYPE inbound_events_dead_total counter');
    for (const path of ['/healthz', '/api/v1/openapi.json', '/login', '/metrics/x']) {
      expect((await get(`${svc.metricsUrl}${path}`, `Bearer ${METRICS_TOKEN}`)).status, path).toBe(404);
    }
  });
});
