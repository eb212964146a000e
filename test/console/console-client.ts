/**
 * A tiny browser for console tests over app.inject: keeps cookies, reads the form token from each page, posts
 * forms url-encoded as a browser does.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ADMIN_TOKEN, auth } from '../helpers/service.ts';

let clients = 0;

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  /** Each client is its own machine, as agents are: the per-address sign-in limit counts them apart. */
  readonly remoteAddress = `10.77.${Math.floor(++clients / 250)}.${(clients % 250) + 1}`;
  /** The form token of the last page that had one. */
  token = '';

  constructor(
    private readonly app: FastifyInstance,
    private readonly lang = 'en',
  ) {}

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const gone = c.value === '' || (c.expires && c.expires.getTime() <= Date.now()) || c.maxAge === 0;
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.token = m[1]!;
    return res;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { cookie: this.cookieHeader(), 'accept-language': this.lang, ...headers } }));
  }

  /** Posts a form; `_csrf` is the last page's token unless the form says otherwise (or sets it to null). */
  async post(url: string, form: Record<string, string | null>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const fields = { _csrf: this.token, ...form } as Record<string, string | null>;
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) if (v !== null) body.set(k, v);
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.remoteAddress,
        headers: { cookie: this.cookieHeader(), 'accept-language': this.lang, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: body.toString(),
      }),
    );
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login');
    const res = await this.post('/login', { email, password, next: '/tickets' });
    if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode}`);
    await this.get('/tickets');
    return res;
  }
}

export async function api(app: FastifyInstance, method: string, url: string, body?: unknown, token = ADMIN_TOKEN) {
  const r = await app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: { ...auth(token), 'content-type': 'application/json' },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
}

/** An agent who can sign in to the console; returns their API token too. */
export async function makeAgent(app: FastifyInstance, email: string, name: string, password = 'correct horse battery') {
  const r = await api(app, 'POST', '/agents', { email, name, password });
  if (r.status !== 201) throw new Error(`agent not created: ${JSON.stringify(r.body)}`);
  return { id: r.body.agent.id as string, token: r.body.token as string, email, password };
}
