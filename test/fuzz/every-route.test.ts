/**
 * Every route of the running service, each fed what a careless or hostile client sends (issue 10 of the security
 * audit): NUL in every body field, query parameter and path segment, bytes that are not UTF-8, repeated JSON
 * keys, wrong types, huge numbers and strings, broken percent-encodings, and ten identical requests at once; with
 * and without valid credentials (API token, console session and form token, channel signatures). No answer may
 * be a 5xx, and afterwards the service still answers /healthz and /readyz.
 *
 * The routes come from fastify's own route table, so a route added later is fuzzed without a change here; the
 * API's body fields and query parameters come from its OpenAPI document.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { signedRequest } from '../fakes/slack/slack-inbound.ts';
import { SlackFake } from '../fakes/slack/slack-fake.ts';
import { LarkFake } from '../fakes/lark/lark-fake.ts';
import { LarkInbound } from '../fakes/lark/lark-fake-events.ts';
import { TelegramFake } from '../fakes/telegram/telegram-fake.ts';
import { SECRET_HEADER } from '../fakes/telegram/telegram-inbound.ts';
import { privateChatOf, tgUser } from '../fakes/telegram/telegram-updates.ts';
import { assistCommand, threadReply } from '../helpers/slack/slack-payloads.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';
import { ConsoleClient, api, makeAgent } from '../console/console-client.ts';

const SLACK_SECRET = 'fuzz-signing-secret-0123456789abcdef';
const LARK_TOKEN = 'fuzz-verification-token';
const TELEGRAM_SECRET = 'fuzz-webhook-secret-0123456789';

const slack = new SlackFake();
const lark = new LarkFake();
const telegram = new TelegramFake();
let svc: Awaited<ReturnType<typeof startTestService>>;
let app: FastifyInstance;
let agent: Awaited<ReturnType<typeof makeAgent>>;
let session: ConsoleClient;
let ids: Record<string, string> = {};

beforeAll(async () => {
  await Promise.all([slack.start(), lark.start(), telegram.start()]);
  svc = await startTestService(
    {
      PUBLIC_URL: 'https://help.test',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_API_URL: slack.apiUrl,
      LARK_APP_ID: lark.appId,
      LARK_APP_SECRET: lark.appSecret,
      LARK_DOMAIN: lark.url,
      LARK_VERIFICATION_TOKEN: LARK_TOKEN,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    },
    { worker: false },
  );
  app = svc.app;
  agent = await makeAgent(app, 'fuzz.agent@support.example', 'Fuzz Agent');
  const user = (await api(app, 'POST', '/users', { email: 'fuzz.customer@example.com', name: 'Fuzz Customer' })).body.user;
  const ticket = (await api(app, 'POST', '/tickets', { subject: 'Fuzz ticket', description: 'A ticket to aim at', requesterId: user.id }, agent.token)).body.ticket;
  ids = { agentId: agent.id, userId: user.id, number: String(ticket.number) };
  session = new ConsoleClient(app);
  await session.signIn(agent.email, agent.password);
}, 120_000);
afterAll(async () => {
  await svc?.stop();
  await svc?.dropDb();
  await Promise.all([slack.stop(), lark.stop(), telegram.stop()]);
});

// ---- the route table --------------------------------------------------------------------------------------------

interface Route {
  method: string;
  path: string;
}

/** fastify's printRoutes tree, flattened: one entry per method and full path. */
function routeTable(app: FastifyInstance): Route[] {
  const stack: string[] = [];
  const out: Route[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)(?:├── |└── )(\S+) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const parent = depth === 0 ? '' : stack[depth - 1]!;
    const seg = m[2]!;
    const full = parent === '' ? seg : parent.endsWith('/') ? parent + seg.replace(/^\//, '') : parent + (seg.startsWith('/') ? seg : `/${seg}`);
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push({ method, path: full });
  }
  return out;
}

// ---- hostile values ---------------------------------------------------------------------------------------------

const NUL = '\u0000';
/** Raw JSON texts for a field's value: wrong types, extremes, NUL, a lone surrogate. */
const VALUES = ['"a\\u0000b"', '"\\u0000"', '"\\ud800"', '42', '-1', '1e400', '123456789012345678901234567890', 'true', 'null', '[]', '{}', '[["x"]]', '""', `"${'x'.repeat(70_000)}"`];
const PATH_VALUES = ['%00', 'a%00b', '%FF%FE', '%C0%AF', '99999999999999999999999', '-1', '1.5', 'x'.repeat(190), '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%E2%80%AE'];
const QUERY_VALUES = ['%00', 'a%00b', '%FF%FE', '%', '', 'x'.repeat(3000), '99999999999999999999', '-5'];
const CONSOLE_QUERY_VALUES = ['%00', '%FF%FE', '%', 'x'.repeat(3000), '99999999999999999999'];
const CONSOLE_QUERY_KEYS = ['q', 'status', 'via', 'requester', 'next', 'cursor', 'unknown'];

/** Whole bodies: not UTF-8, repeated keys, not an object, not JSON, too deep, prototype keys. */
function wholeBodies(base: Record<string, unknown>): (string | Buffer)[] {
  const json = JSON.stringify(base);
  const [firstKey] = Object.keys(base);
  return [
    Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]),
    Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from(json)]),
    ...(firstKey ? [`{"${firstKey}":"\\u0000",${json.slice(1)}`, `${json.slice(0, -1)},"${firstKey}":"\\u0000"}`, `${json.slice(0, -1)},"${firstKey}":${JSON.stringify(base[firstKey])}}`] : []),
    `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}"k\\u0000":1}`,
    '[]',
    'null',
    '"text"',
    '{',
    '['.repeat(100_000) + ']'.repeat(100_000),
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
  ];
}

function fieldBodies(base: Record<string, unknown>, fields: string[]): string[] {
  const json = JSON.stringify(base);
  const rest = (f: string) => {
    const { [f]: _drop, ...others } = base;
    const inner = JSON.stringify(others).slice(1, -1);
    return inner ? `,${inner}` : '';
  };
  return [...new Set([...Object.keys(base), ...fields])].flatMap((f) => VALUES.map((v) => `{"${f}":${v}${rest(f)}}`)).concat(json);
}

// ---- sending ----------------------------------------------------------------------------------------------------

interface Probe {
  label: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  remoteAddress?: string;
}

const failures: string[] = [];
let sent = 0;

async function fire(probes: Probe[], parallel = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const p = probes[next++]!;
      sent += 1;
      try {
        const res = await app.inject({ method: p.method as 'GET', url: p.url, headers: p.headers ?? {}, ...(p.payload !== undefined ? { payload: p.payload } : {}), ...(p.remoteAddress ? { remoteAddress: p.remoteAddress } : {}) });
        if (res.statusCode >= 500) failures.push(`${res.statusCode} ${p.label}: ${res.body.slice(0, 200)}`);
      } catch (e) {
        failures.push(`threw ${p.label}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

function withParams(path: string, fill: (name: string) => string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => fill(name));
}

function validParam(path: string, name: string): string {
  if (name === 'number') return ids.number!;
  if (name === 'file') return 'console.css';
  if (name === 'token') return 'not-a-real-invitation-token';
  if (name === 'id' && path.includes('inbound-events')) return '1';
  if (name === 'id' && path.includes('agents')) return ids.agentId!;
  return ids.userId!;
}

const LIVE_STREAM = '/console/events';
const FAMILIES = { api: (p: string) => p.startsWith('/api/v1/'), channel: (p: string) => /^\/(slack|lark|telegram)\//.test(p), ops: (p: string) => ['/healthz', '/readyz', '/metrics'].includes(p) };

/** API bodies that pass validation, so that mutations reach past the first check. */
const API_BASES: Record<string, Record<string, unknown>> = {
  'POST /api/v1/agents': { email: 'fuzz.new.agent@support.example', name: 'New Agent', password: 'a long enough password' },
  'POST /api/v1/services': { name: 'Fuzz service', description: 'for the fuzz' },
  'POST /api/v1/users': { email: 'fuzz.new.user@example.com', name: 'New User', phone: '+1 555 0100', organization: 'Fuzz Org' },
  'POST /api/v1/tickets': { subject: 'Fuzzed', description: 'A fuzzed ticket', requesterEmail: 'fuzz.requester@example.com', priority: 'high', visibility: 'public', status: 'open' },
  'PATCH /api/v1/tickets/:number': { status: 'pending', priority: 'low' },
  'POST /api/v1/tickets/:number/comments': { body: 'a fuzzed reply', public: true, status: 'open' },
};
const CONSOLE_BASES: Record<string, Record<string, string>> = {
  'POST /login': { email: 'fuzz.agent@support.example', password: 'wrong password', next: '/tickets' },
  'POST /invite/:token': { password: 'a long enough password', confirm: 'a long enough password' },
  'POST /tickets': { subject: 'Console fuzz', description: 'A console ticket', requesterQuery: 'fuzz.console@example.com', priority: 'high', visibility: 'public', newEmail: '', newName: '', newPhone: '', newOrganization: '' },
  'POST /tickets/:number/comments': { body: 'a console note', mode: 'internal', status: 'open' },
  'POST /tickets/:number/properties': { status: 'open', priority: 'normal', assignee: '' },
};

function apiProbes(route: Route, openapi: any): Probe[] {
  const docPath = route.path.replace('/api/v1', '').replace(/:(\w+)/g, '{$1}');
  const op = openapi.paths?.[docPath]?.[route.method.toLowerCase()];
  const queryKeys: string[] = (op?.parameters ?? []).filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
  const bodyFields: string[] = Object.keys(op?.requestBody?.content?.['application/json']?.schema?.properties ?? {});
  const url = withParams(route.path, (n) => validParam(route.path, n));
  const json = { 'content-type': 'application/json' };
  const tokens: [string, Record<string, string>][] = [
    ['no token', {}],
    ['bad token', { authorization: 'Bearer agt_not-a-token' }],
    ['NUL token', { authorization: 'Bearer agt_%00' }],
    ['admin', auth(ADMIN_TOKEN)],
    ['agent', auth(agent.token)],
  ];
  const probes: Probe[] = [];
  for (const [who, h] of tokens) probes.push({ label: `${route.method} ${url} (${who})`, method: route.method, url, headers: { ...h, ...json }, ...(route.method !== 'GET' ? { payload: JSON.stringify(API_BASES[`${route.method} ${route.path}`] ?? {}) } : {}) });
  const admin = { ...auth(ADMIN_TOKEN), ...json };
  for (const name of [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!))
    for (const v of PATH_VALUES) {
      const u = withParams(route.path, (n) => (n === name ? v : validParam(route.path, n)));
      probes.push({ label: `${route.method} ${u}`, method: route.method, url: u, headers: admin, ...(route.method !== 'GET' ? { payload: '{}' } : {}) });
    }
  for (const key of [...queryKeys, 'unknown'])
    for (const v of QUERY_VALUES) probes.push({ label: `${route.method} ${url}?${key}=${v.slice(0, 20)}`, method: route.method, url: `${url}?${key}=${v}`, headers: admin });
  if (queryKeys[0]) probes.push({ label: `${route.method} ${url} repeated query`, method: route.method, url: `${url}?${queryKeys[0]}=a&${queryKeys[0]}=b`, headers: admin });
  if (route.method !== 'GET') {
    const base = API_BASES[`${route.method} ${route.path}`] ?? {};
    for (const payload of [...fieldBodies(base, bodyFields), ...wholeBodies(base)])
      probes.push({ label: `${route.method} ${url} ${String(payload).slice(0, 60)}`, method: route.method, url, headers: admin, payload });
    probes.push({ label: `${route.method} ${url} as text/plain`, method: route.method, url, headers: { ...auth(ADMIN_TOKEN), 'content-type': 'text/plain' }, payload: 'a\u0000b' });
  }
  return probes;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function consoleProbes(route: Route): Probe[] {
  const url = withParams(route.path, (n) => validParam(route.path, n));
  const signedIn = { cookie: session.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' };
  const base = { _csrf: session.token, ...(CONSOLE_BASES[`${route.method} ${route.path}`] ?? {}) };
  const probes: Probe[] = [
    { label: `${route.method} ${url} (no session)`, method: route.method, url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: route.method === 'POST' ? form(base) : undefined },
    { label: `${route.method} ${url} (no session, NUL)`, method: route.method, url: `${url}?q=%00`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: route.method === 'POST' ? `${form(base)}&email=a%00` : undefined },
  ];
  const as = (label: string, u: string, payload?: string | Buffer, headers: Record<string, string> = signedIn) =>
    probes.push({ label: `${route.method} ${u} ${label}`, method: route.method, url: u, headers, remoteAddress: session.remoteAddress, ...(route.method === 'POST' ? { payload: payload ?? form(base) } : {}) });
  for (const name of [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!))
    for (const v of PATH_VALUES) as('(path)', withParams(route.path, (n) => (n === name ? v : validParam(route.path, n))));
  if (route.method === 'GET') for (const key of CONSOLE_QUERY_KEYS) for (const v of CONSOLE_QUERY_VALUES) as(`(?${key})`, `${url}?${key}=${v}`);
  else as('(?NUL)', `${url}?q=%00&next=%FF`);
  if (route.method === 'POST') {
    const keys = Object.keys(base).filter((k) => k !== '_csrf');
    for (const k of [...keys, 'unknown'])
      for (const v of ['%00', 'a%00b', '%FF%FE', '%', 'x'.repeat(25_000)]) as(`(${k}=${v.slice(0, 6)})`, url, form({ ...base, [k]: 'HOSTILE' }).replace('HOSTILE', v));
    as('(repeated fields)', url, `${form(base)}&${keys.map((k) => `${k}=a&${k}=b`).join('&')}`);
    as('(not UTF-8)', url, Buffer.concat([Buffer.from(`${form(base)}&subject=`), Buffer.from([0xc3, 0x28, 0xff])]));
    as('(no form token)', url, form({ ...base, _csrf: '' }));
    as('(JSON body)', url, JSON.stringify({ ...base, body: 'a\u0000' }), { ...signedIn, 'content-type': 'application/json' });
    as('(JSON, not UTF-8)', url, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), { ...signedIn, 'content-type': 'application/json' });
    as('(over 1 MiB)', url, `${form(base)}&body=${'x'.repeat(1024 * 1024 + 10)}`);
  }
  return probes;
}

// ---- channel bodies, signed as each platform signs ----------------------------------------------------------------

/** Every string leaf of `v`, one at a time, replaced by `replace(leaf)`. */
function leafVariants(v: unknown, replace: (s: string) => unknown): unknown[] {
  if (typeof v === 'string') return [replace(v)];
  if (Array.isArray(v)) return v.flatMap((x, i) => leafVariants(x, replace).map((r) => v.map((y, j) => (i === j ? r : y))));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.keys(o).flatMap((k) => leafVariants(o[k], replace).map((r) => ({ ...o, [k]: r })));
  }
  return [];
}

let fresh = 0;
/**
 * The same event with each string leaf made hostile in turn. Each variant gets an id of its own (unless the id is
 * the leaf being changed), so that every one is recorded rather than recognised as a duplicate of the first.
 */
function channelBodies(base: () => Record<string, unknown>, idPath: string[]): (string | Buffer)[] {
  const b = base();
  const original = idPath.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], b);
  const renewed = (x: unknown) => {
    const copy = structuredClone(x) as Record<string, unknown>;
    const holder = idPath.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
    const last = idPath.at(-1)!;
    if (holder[last] === original) holder[last] = typeof original === 'number' ? original + 1_000_000 + ++fresh : `${String(original)}-${++fresh}`;
    return JSON.stringify(copy);
  };
  return [
    ...leafVariants(b, (s) => `${s}${NUL}`).map(renewed),
    ...leafVariants(b, () => 12345678901234567890).slice(0, 10).map(renewed),
    ...wholeBodies(base()),
    renewed({ ...base(), [`k${NUL}`]: `${NUL}` }),
  ];
}

/** Slack's v0 signature over the exact bytes (bodies that are not UTF-8 included). */
function slackHeaders(body: string | Buffer): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:`).update(body).digest('hex')}`;
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': signature };
}

let slackSeq = 0;
function slackProbes(): Probe[] {
  const base = () => threadReply({ channel: 'C0FUZZ', user: 'U0FUZZ', text: 'fuzz reply', ts: `1700000000.${String(++slackSeq).padStart(6, '0')}`, threadTs: '1700000000.000001', eventId: `Ev0FUZZ${slackSeq}` });
  const probes: Probe[] = [];
  const push = (label: string, body: string | Buffer, type: string, signed = true) => {
    probes.push({ label: `POST /slack/events ${label}`, method: 'POST', url: '/slack/events', headers: { 'content-type': type, ...(signed ? slackHeaders(body) : {}) }, payload: body });
  };
  for (const body of channelBodies(base, ['event_id'])) push(String(body).slice(0, 60), body, 'application/json');
  push('unsigned', JSON.stringify(base()), 'application/json', false);
  const cmd = assistCommand({ channel: 'C0FUZZ', user: 'U0FUZZ', text: 'help', triggerId: 'trig.1' });
  for (const k of Object.keys(cmd)) push(`command ${k}=NUL`, new URLSearchParams({ ...cmd, [k]: `${cmd[k]}${NUL}` }).toString(), 'application/x-www-form-urlencoded');
  push('interaction with NUL', new URLSearchParams({ payload: JSON.stringify({ type: `block_actions${NUL}`, user: { id: `U${NUL}` }, actions: [{ action_id: `x${NUL}`, value: NUL }] }) }).toString(), 'application/x-www-form-urlencoded');
  push('interaction not JSON', new URLSearchParams({ payload: '{"type":' }).toString(), 'application/x-www-form-urlencoded');
  push('form not UTF-8', Buffer.from([0x63, 0x6f, 0x6d, 0x6d, 0x61, 0x6e, 0x64, 0x3d, 0xff]), 'application/x-www-form-urlencoded');
  return probes;
}

function larkProbes(): Probe[] {
  const inbound = new LarkInbound(lark, { verificationToken: LARK_TOKEN });
  const alice = lark.addUser({ name: 'Fuzz Alice', email: 'fuzz.alice@example.com' });
  const group = lark.addGroup([alice]);
  const base = () => inbound.userMessage({ from: alice, chatId: group.chat_id, text: 'fuzz message', mentionBot: true }).body;
  const probes: Probe[] = [];
  for (const url of ['/lark/events', '/lark/cards'])
    for (const body of channelBodies(base, ['header', 'event_id'])) probes.push({ label: `POST ${url} ${String(body).slice(0, 60)}`, method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
  return probes;
}

function telegramProbes(): Probe[] {
  const from = tgUser(4242, 'Fuzz');
  const base = () => telegram.updates.message(privateChatOf(from), from, '/help') as unknown as Record<string, unknown>;
  const headers = { 'content-type': 'application/json', [SECRET_HEADER]: TELEGRAM_SECRET };
  const probes: Probe[] = channelBodies(base, ['update_id']).map((body) => ({ label: `POST /telegram/webhook ${String(body).slice(0, 60)}`, method: 'POST', url: '/telegram/webhook', headers, payload: body }));
  probes.push({ label: 'POST /telegram/webhook NUL secret', method: 'POST', url: '/telegram/webhook', headers: { ...headers, [SECRET_HEADER]: 'a\tb' }, payload: JSON.stringify(base()) });
  return probes;
}

// ---- the run ----------------------------------------------------------------------------------------------------

describe('every route, fed hostile input', () => {
  let routes: Route[] = [];

  it('finds every route in the route table, channels and console included', () => {
    routes = routeTable(app);
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const known of ['GET /healthz', 'POST /api/v1/tickets', 'PATCH /api/v1/tickets/:number', 'POST /api/v1/tickets/:number/comments', 'POST /login', 'GET /tickets/:number', 'POST /slack/events', 'POST /lark/events', 'POST /lark/cards', 'POST /telegram/webhook', 'GET /console/users.json'])
      expect(names).toContain(known);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('no hostile request to any route gets a 5xx', { timeout: 180_000 }, async () => {
    const openapi = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    const probes: Probe[] = [];
    for (const r of routes) {
      if (FAMILIES.ops(r.path)) probes.push({ label: `${r.method} ${r.path}?x=%00`, method: r.method, url: `${r.path}?x=%00&y=%FF` });
      else if (FAMILIES.api(r.path)) probes.push(...apiProbes(r, openapi));
      // The console's live stream answers a signed-in agent with a response that never ends (by design), so an
      // in-process request would wait forever; its refusals are tested in test/console/console-work-security.test.ts.
      else if (r.path === LIVE_STREAM) continue;
      else if (!FAMILIES.channel(r.path) && r.path !== '/logout') probes.push(...consoleProbes(r));
    }
    probes.push(...slackProbes(), ...larkProbes(), ...telegramProbes());
    await fire(probes);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1200);
  });

  it('ten identical requests at once, on every route that changes something: no 5xx', { timeout: 180_000 }, async () => {
    const bursts: Probe[][] = [];
    for (const r of routes.filter((x) => x.method !== 'GET')) {
      const url = withParams(r.path, (n) => validParam(r.path, n));
      if (FAMILIES.api(r.path)) {
        const body = { ...(API_BASES[`${r.method} ${r.path}`] ?? {}) };
        if (body['email']) body['email'] = `burst.${r.path.split('/')[3]}@example.com`;
        if (body['name'] && r.path.endsWith('/services')) body['name'] = 'Burst service';
        bursts.push(Array(10).fill({ label: `10x ${r.method} ${url}`, method: r.method, url, headers: { ...auth(ADMIN_TOKEN), 'content-type': 'application/json' }, payload: JSON.stringify(body) }));
      } else if (FAMILIES.channel(r.path)) {
        const body =
          r.path === '/slack/events'
            ? signedRequest(SLACK_SECRET, JSON.stringify(threadReply({ channel: 'C0BURST', user: 'U0BURST', text: 'burst', ts: '1700000001.000001', threadTs: '1700000001.000001', eventId: 'Ev0BURST' })), 'application/json')
            : r.path === '/telegram/webhook'
              ? { body: JSON.stringify({ update_id: 777, message: { message_id: 1, date: 1, chat: { id: 9, type: 'private', first_name: 'B' }, from: { id: 9, is_bot: false, first_name: 'B' }, text: `/help${NUL}` } }), headers: { 'content-type': 'application/json', [SECRET_HEADER]: TELEGRAM_SECRET } }
              : { body: JSON.stringify({ schema: '2.0', header: { event_id: 'burst-1', event_type: 'im.message.receive_v1', token: LARK_TOKEN, create_time: '1', app_id: lark.appId, tenant_key: lark.tenantKey }, event: { message: { chat_id: 'oc_burst', message_id: 'om_burst', message_type: 'text', content: '{"text":"x"}', chat_type: 'p2p' }, sender: { sender_id: { open_id: 'ou_burst' }, sender_type: 'user' } } }), headers: { 'content-type': 'application/json' } };
        bursts.push(Array(10).fill({ label: `10x POST ${r.path}`, method: 'POST', url: r.path, headers: body.headers, payload: body.body }));
      } else if (r.path !== '/logout' && !FAMILIES.ops(r.path)) {
        const fields: Record<string, string> = { _csrf: session.token, ...(CONSOLE_BASES[`${r.method} ${r.path}`] ?? {}) };
        if (r.path === '/tickets') fields['requesterQuery'] = 'burst.console@example.com';
        bursts.push(Array(10).fill({ label: `10x ${r.method} ${url}`, method: r.method, url, remoteAddress: session.remoteAddress, headers: { cookie: session.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) }));
      }
    }
    for (const burst of bursts) await fire(burst, 10);
    expect(failures).toEqual([]);
    expect(bursts.length).toBeGreaterThan(12);
  });

  it('still answers afterwards', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await api(app, 'GET', `/tickets/${ids.number}`, undefined, agent.token)).status).toBe(200);
  });
});
