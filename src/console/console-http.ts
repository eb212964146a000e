/**
 * What every console route shares: the request's session state, its language, the agent acting, the page
 * context templates need, and the few answers (HTML page, redirect to sign-in) that all routes give alike.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { DirectoryService } from '../core/directory/directory-service.ts';
import { fromAcceptLanguage, type Locale } from '../core/locale.ts';
import type { Store, UserRecord } from '../core/ports/store-port.ts';
import type { Actor, TicketService } from '../core/tickets/ticket-service.ts';
import { t } from '../i18n/catalog.ts';
import type { Db } from '../infra/db/prisma.ts';
import type { SafeHtml } from './html-template.ts';
import type { ConsoleQueries } from './console-queries.ts';
import type { SessionStore } from './session-store.ts';
import '../i18n/messages/console.ts';

export interface ConsoleDeps {
  store: Store;
  tickets: TicketService;
  directory: DirectoryService;
  db: Db;
  publicUrl: string;
  logger: Logger;
  secureCookies: boolean;
}

/** Per request. `_csrf` is where @fastify/csrf-protection (in its "session" mode) reads this session's secret. */
export interface ConsoleSessionState {
  _csrf?: string;
  idHash: string | null;
  agent: UserRecord | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSessionState | null;
  }
}

export interface ConsoleKit {
  deps: ConsoleDeps;
  sessions: SessionStore;
  queries: ConsoleQueries;
  cookies: { session: string; csrf: string; secure: boolean };
}

export type Tr = (key: string, params?: Record<string, string | number>) => string;

/** Console texts; keys with a namespace (`common:priority.high`) reach the shared catalog instead. */
export function trFor(locale: Locale): Tr {
  return (key, params) => t(locale, key.includes(':') ? key : `console:${key}`, params);
}

export function localeOf(req: FastifyRequest): Locale {
  const h = req.headers['accept-language'];
  return fromAcceptLanguage(typeof h === 'string' ? h : undefined);
}

export interface PageCtx {
  locale: Locale;
  tr: Tr;
  agent: UserRecord | null;
  /** The form token of this session (or of the signed-out visitor, for the sign-in and invitation forms). */
  csrf: string;
}

export function pageCtx(req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit): PageCtx {
  const s = req.consoleSession!;
  if (!s.agent && !s._csrf) {
    // A signed-out visitor gets a secret of their own in a cookie, so the sign-in form is protected too.
    s._csrf = randomBytes(24).toString('base64url');
    reply.setCookie(kit.cookies.csrf, s._csrf, { path: '/', httpOnly: true, sameSite: 'lax', secure: kit.cookies.secure });
  }
  const locale = localeOf(req);
  return { locale, tr: trFor(locale), agent: s.agent, csrf: reply.generateCsrf() };
}

export function agentOf(req: FastifyRequest): UserRecord {
  const a = req.consoleSession?.agent;
  if (!a) throw new Error('console route reached without a signed-in agent');
  return a;
}

export function actorOf(req: FastifyRequest): Actor {
  const a = agentOf(req);
  return { id: a.id, role: a.role };
}

export function sendPage(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.toString());
}

/** `next` after sign-in: a path on this site only (no scheme, no host, no "//" or "/\" tricks). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/tickets';
  if (/[\u0000-\u001f\u007f\\]/.test(next) || next.length > 500) return '/tickets';
  try {
    const u = new URL(next, 'http://console.invalid');
    if (u.origin !== 'http://console.invalid') return '/tickets';
    return `${u.pathname}${u.search}`;
  } catch {
    return '/tickets';
  }
}

export function redirectToLogin(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const wanted = req.method === 'GET' ? safeNext(req.url) : null;
  const to = wanted && wanted !== '/tickets' ? `/login?next=${encodeURIComponent(wanted)}` : '/login';
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
