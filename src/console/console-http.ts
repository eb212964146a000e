/**
 * What every console route shares: the request's session state, its language, the agent acting, the page
 * context templates need, and the few answers (HTML page, redirect to sign-in) that all routes give alike.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AttachmentServeDeps } from '../http/attachment-routes.ts';
import type { AccountLinking } from '../channels/channel-module.ts';
import type { DirectoryService } from '../core/directory/directory-service.ts';
import type { RequesterService } from '../core/help-center/requester-service.ts';
import type { SignInService } from '../core/help-center/sign-in-service.ts';
import { fromAcceptLanguage, toLocale, type Locale } from '../core/locale.ts';
import type { Store, UserRecord } from '../core/ports/store-port.ts';
import type { LiveBus } from '../core/ports/live-port.ts';
import type { AgentWorkDeps } from '../http/api/agent-work-routes.ts';
import type { AgentAccessService } from '../core/directory/agent-access-service.ts';
import type { Actor, TicketService } from '../core/tickets/ticket-service.ts';
import { t } from '../i18n/catalog.ts';
import type { SafeHtml } from './html-template.ts';
import { SESSION_MAX_MS, type ConsoleQueries, type PasswordCheck, type SessionKind, type SessionRepo, type ThrottleRepo, type UnavailabilityCheck } from '../core/ports/console-port.ts';
import '../i18n/messages/console.ts';
import '../i18n/messages/console-work.ts';
import '../i18n/messages/portal.ts';

export interface ConsoleDeps {
  store: Store;
  tickets: TicketService;
  directory: DirectoryService;
  sessions: SessionRepo;
  queries: ConsoleQueries;
  throttle: ThrottleRepo;
  passwords: PasswordCheck;
  unavailable: UnavailabilityCheck;
  publicUrl: string;
  logger: Logger;
  secureCookies: boolean;
  requester: RequesterService;
  signIn: SignInService;
  /** The chat channels that are on and can link a customer's account (from their channel modules). */
  accountLinking: AccountLinking[];
  /** Files: `GET /attachments/<id>/<name>` and the composer's uploads (absent: no files). */
  attachments?: AttachmentServeDeps;
  /** Views, macros, SLA policies, notifications and tags (the same core the API uses). */
  work: AgentWorkDeps;
  /** Signals shared by every instance: ticket changes, notifications, presence. */
  live: LiveBus;
  access: AgentAccessService;
  /** For the first run's admin (the plugin makes the one-time setup token itself). */
  hashPassword: (password: string) => Promise<string>;
}

/**
 * Per request. At most one of `agent` and `customer` is set: the session's kind decides which, and a user whose
 * role no longer matches the kind has no session. `_csrf` is where @fastify/csrf-protection (in its "session"
 * mode) reads this session's secret.
 */
export interface ConsoleSessionState {
  _csrf?: string;
  idHash: string | null;
  agent: UserRecord | null;
  customer: UserRecord | null;
  /** The customer's own choice of language, which wins over the browser's. */
  chosenLocale?: Locale;
}

export const SIGNED_OUT: Readonly<ConsoleSessionState> = Object.freeze({ idHash: null, agent: null, customer: null });

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSessionState | null;
  }
}

export interface ConsoleKit {
  deps: ConsoleDeps;
  sessions: SessionRepo;
  queries: ConsoleQueries;
  throttle: ThrottleRepo;
  cookies: { session: string; csrf: string; secure: boolean };
}

export type Tr = (key: string, params?: Record<string, string | number>) => string;

/** Console texts; keys with a namespace (`common:priority.high`) reach the shared catalog instead. */
export function trFor(locale: Locale): Tr {
  return (key, params) => t(locale, key.includes(':') ? key : `console:${key}`, params);
}

export function localeOf(req: FastifyRequest): Locale {
  const chosen = req.consoleSession?.chosenLocale;
  if (chosen) return toLocale(chosen);
  const h = req.headers['accept-language'];
  return fromAcceptLanguage(typeof h === 'string' ? h : undefined);
}

export interface PageCtx {
  locale: Locale;
  tr: Tr;
  agent: UserRecord | null;
  customer: UserRecord | null;
  /** The form token of this session (or of the signed-out visitor, for the sign-in and invitation forms). */
  csrf: string;
}

export function pageCtx(req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit): PageCtx {
  const s = req.consoleSession!;
  if (!s.agent && !s.customer && !s._csrf) {
    // A signed-out visitor gets a secret of their own in a cookie, so the sign-in form is protected too.
    s._csrf = randomBytes(24).toString('base64url');
    reply.setCookie(kit.cookies.csrf, s._csrf, { path: '/', httpOnly: true, sameSite: 'lax', secure: kit.cookies.secure });
  }
  const locale = localeOf(req);
  return { locale, tr: trFor(locale), agent: s.agent, customer: s.customer, csrf: reply.generateCsrf() };
}

export function agentOf(req: FastifyRequest): UserRecord {
  const a = req.consoleSession?.agent;
  if (!a) throw new Error('console route reached without a signed-in agent');
  return a;
}

export function customerOf(req: FastifyRequest): UserRecord {
  const c = req.consoleSession?.customer;
  if (!c) throw new Error('customer route reached without a signed-in end user');
  return c;
}

export function actorOf(req: FastifyRequest): Actor {
  const a = agentOf(req);
  return { id: a.id, role: a.role };
}

export function sendPage(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.toString());
}

const NEXT_BASE = 'http://console.invalid';

/**
 * `next` after sign-in: a path on this site only. The value is first read the way a browser reads a Location
 * header (backslashes are slashes, percent-encoded dots are dots, dot segments collapse), and only the result is
 * judged: `/.//evil.example/x` collapses to `//evil.example/x`, which a browser takes for another host, so it is
 * refused, as are `//host`, `/\host`, schemes and control characters. What is returned is that normal form, so
 * the browser cannot read it differently.
 */
export function safeNext(next: unknown, fallback = '/tickets'): string {
  if (typeof next !== 'string' || next.length > 500 || /[\u0000-\u001f\u007f]/.test(next)) return fallback;
  const slashed = next.replace(/\\/g, '/');
  if (!slashed.startsWith('/') || slashed.startsWith('//')) return fallback;
  let u: URL;
  try {
    u = new URL(slashed, NEXT_BASE);
  } catch {
    return fallback;
  }
  const out = `${u.pathname}${u.search}`;
  if (u.origin !== NEXT_BASE || !out.startsWith('/') || out.startsWith('//') || out.includes('\\')) return fallback;
  // Read once more as a browser would: the normal form must stay on this site and stay the same.
  const again = new URL(out, NEXT_BASE);
  return again.origin === NEXT_BASE && `${again.pathname}${again.search}` === out ? out : fallback;
}

/**
 * Starts a session of this kind for this user, ending whatever session the browser had: the new session has a new
 * random id, so a session id planted in the browser before sign-in (fixation) is never the one signed in.
 */
export async function startSession(req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit, userId: string, kind: SessionKind): Promise<void> {
  if (req.consoleSession?.idHash) await kit.sessions.destroy(req.consoleSession.idHash);
  const { cookieValue } = await kit.sessions.create(userId, kind);
  reply.setCookie(kit.cookies.session, cookieValue, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: kit.cookies.secure,
    maxAge: SESSION_MAX_MS / 1000,
  });
  reply.clearCookie(kit.cookies.csrf, { path: '/' });
}

export function redirectToLogin(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A form posted after the session ended leads back to its ticket (the typed text waits in the browser's draft).
  const posted = /^\/tickets\/([1-9]\d{0,8})\//.exec(req.url);
  const wanted = req.method === 'GET' ? safeNext(req.url, '') : posted ? `/tickets/${posted[1]}` : '';
  const to = wanted && wanted !== '/tickets' && wanted !== '/' ? `/login?next=${encodeURIComponent(wanted)}` : '/login';
  return reply.code(303).header('cache-control', 'no-store').redirect(to, 303);
}

export function parseTicketNumber(raw: unknown): number | null {
  return typeof raw === 'string' && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
}

/** A form's text field (formbody gives strings, or arrays for repeated names: take the first). */
export function field(body: unknown, name: string, max = 20_000): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.slice(0, max) : '';
}

export function hasField(body: unknown, name: string): boolean {
  return typeof body === 'object' && body !== null && Object.hasOwn(body, name);
}
