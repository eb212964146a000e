import type { RunningService } from '../../src/service.ts';
import { ADMIN_TOKEN, auth } from './service.ts';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Calls the API of an in-process service as the given token, with optional extra headers (If-Match). */
export function apiClient(svc: Pick<RunningService, 'app'>) {
  return async function call(method: string, url: string, body?: unknown, token: string = ADMIN_TOKEN, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const res = await svc.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { ...auth(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : null };
  };
}

export async function createAgent(call: ReturnType<typeof apiClient>, email: string, name: string): Promise<{ id: string; token: string }> {
  const r = await call('POST', '/agents', { email, name });
  if (r.status !== 201) throw new Error(`agent ${email}: ${r.status}`);
  return { id: r.body.agent.id, token: r.body.token };
}
