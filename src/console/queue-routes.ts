/** The queue page and the root redirect. Filters are plain query parameters, so a filtered queue is a link. */
import type { FastifyInstance } from 'fastify';
import type { TicketFilter } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../core/tickets/ticket-types.ts';
import { TICKET_SORTS, type TicketSort } from '../core/tickets/ticket-types.ts';
import { BUILT_IN_VIEWS, toTicketFilter } from '../core/views/view-rules.ts';
import { normaliseTag } from '../core/tickets/tag-rules.ts';
import { bulkChange, MAX_BULK } from '../core/tickets/bulk-change.ts';
import { isDomainError } from '../core/errors.ts';
import { actorOf, agentOf, field, pageCtx, safeNext, sendPage, type ConsoleKit } from './console-http.ts';
import { queueView, type QueueFilters } from './queue-view.ts';
import { errorPageView } from './error-view.ts';
import { UUID_RE } from '../core/text-rules.ts';

const UNSOLVED: TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];
const PAGE_SIZE = 50;

function str(q: Record<string, unknown>, k: string, max: number): string {
  const v = q[k];
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

/** Unknown values fall back to "any" rather than failing: a hand-edited URL still shows a queue. */
export function parseFilters(query: unknown): QueueFilters {
  const q = (query ?? {}) as Record<string, unknown>;
  const status = str(q, 'status', 20);
  const priority = str(q, 'priority', 20);
  const service = str(q, 'service', 40);
  const assignee = str(q, 'assignee', 40);
  const via = str(q, 'via', 30);
  const sort = str(q, 'sort', 20);
  const view = str(q, 'view', 40);
  return {
    status: status === 'all' || (TICKET_STATUSES as readonly string[]).includes(status) ? status : 'unsolved',
    priority: (TICKET_PRIORITIES as readonly string[]).includes(priority) ? priority : '',
    service: UUID_RE.test(service) ? service : '',
    assignee: assignee === 'me' || UUID_RE.test(assignee) ? assignee : '',
    via: /^[a-z0-9_-]{1,30}$/.test(via) ? via : '',
    q: str(q, 'q', 200),
    tag: tagList(str(q, 'tag', 300)).join(','),
    sort: (TICKET_SORTS as readonly string[]).includes(sort) ? sort : '',
    view: BUILT_IN_VIEWS.some((v) => v.id === view) || UUID_RE.test(view) ? view : '',
  };
}

/** Tags as typed (commas or spaces between), each folded as the core folds it; what it refuses is dropped. */
export function tagList(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw.split(/[,\s]+/)) {
    if (!part) continue;
    try {
      out.push(normaliseTag(part));
    } catch {
      // not a tag: ignored in a filter
    }
  }
  return [...new Set(out)].slice(0, 20);
}

/** The store's cursor (it names its sort; one it did not make starts from the first page); only its alphabet gets through. */
function validCursor(raw: unknown): string | null {
  return typeof raw === 'string' && raw.length <= 200 && /^[A-Za-z0-9_-]+$/.test(raw) ? raw : null;
}

export function queueRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps, queries } = kit;

  app.get('/', { config: { audience: 'any' } }, async (req, reply) => reply.redirect(req.consoleSession?.customer ? '/my/tickets' : '/tickets', 303));

  app.get('/tickets', async (req, reply) => {
    const f = parseFilters(req.query);
    const me = agentOf(req);
    const owner = { id: me.id, role: me.role };
    let base: TicketFilter = { status: UNSOLVED };
    if (f.view) {
      const builtIn = BUILT_IN_VIEWS.find((v) => v.id === f.view);
      try {
        const def = builtIn ?? (await deps.work.views.get(owner, f.view));
        base = toTicketFilter(def, me.id);
      } catch (e) {
        if (!isDomainError(e)) throw e;
        f.view = '';
      }
    }
    // Explicit filters narrow (or replace) what the view says.
    const q = req.query as Record<string, unknown>;
    const filter: TicketFilter = {
      ...base,
      ...(f.view && !q.status ? {} : { status: f.status === 'unsolved' ? UNSOLVED : f.status === 'all' ? undefined : [f.status as TicketStatus] }),
      ...(f.priority ? { priority: f.priority as TicketPriority } : {}),
      ...(f.service ? { serviceId: f.service } : {}),
      ...(f.assignee ? { assigneeId: f.assignee === 'me' ? me.id : f.assignee } : {}),
      ...(f.via ? { via: f.via } : {}),
      ...(f.q ? { query: f.q } : {}),
      ...(f.tag ? { tags: f.tag.split(',') } : {}),
      ...(f.sort ? { sort: f.sort as TicketSort, order: undefined } : {}),
    };
    if (!filter.sort) filter.sort = 'updated';
    const cursor = validCursor(q.cursor);
    const [page, services, agents, views] = await Promise.all([
      deps.store.listTickets(filter, { limit: PAGE_SIZE, cursor }),
      deps.directory.listServices(),
      queries.agents(),
      deps.work.views.list(owner),
    ]);
    const ctx = pageCtx(req, reply, kit);
    const done = typeof q.bulk === 'string' && /^\d{1,3}-\d{1,3}$/.test(q.bulk) ? bulkText(ctx.tr, q.bulk) : null;
    return sendPage(reply, 200, queueView(ctx, { filters: f, items: page.items, nextCursor: page.nextCursor, services, agents, views, now: new Date(), done }));
  });

  // One change to the ticked tickets, each with the version the queue showed: a ticket changed since is refused
  // (and counted), never overwritten.
  app.post('/tickets/bulk', async (req, reply) => {
    const body = req.body as Record<string, unknown> | undefined;
    const raw = body?.t;
    const picked = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).slice(0, MAX_BULK);
    const tickets: { number: number; version: number }[] = [];
    for (const p of picked) {
      const m = typeof p === 'string' ? /^([1-9]\d{0,8}):(\d{1,9})$/.exec(p) : null;
      if (m) tickets.push({ number: Number(m[1]), version: Number(m[2]) });
    }
    const back = safeNext(field(body, 'back', 500), '/tickets');
    const status = field(body, 'status', 20);
    const priority = field(body, 'priority', 20);
    const assignee = field(body, 'assignee', 40);
    const change: Parameters<typeof bulkChange>[3] = {};
    if (status && status !== 'closed' && (TICKET_STATUSES as readonly string[]).includes(status)) change.status = status as TicketStatus;
    if ((TICKET_PRIORITIES as readonly string[]).includes(priority)) change.priority = priority as TicketPriority;
    if (assignee === 'none') change.assigneeId = null;
    else if (UUID_RE.test(assignee)) {
      if (!(await queries.agents()).some((a) => a.id === assignee)) return badBulk(req, reply);
      change.assigneeId = assignee;
    }
    if (!tickets.length || !Object.keys(change).length) return badBulk(req, reply);
    const results = await bulkChange(deps.tickets, actorOf(req), tickets, change, 'web');
    const changed = results.filter((r) => r.changed).length;
    const sep = back.includes('?') ? '&' : '?';
    return reply.redirect(`${back.replace(/[?&]bulk=[^&]*/, '')}${sep}bulk=${changed}-${results.length - changed}`, 303);
  });

  function badBulk(req: Parameters<typeof pageCtx>[0], reply: Parameters<typeof pageCtx>[1]) {
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, 400, errorPageView(ctx, { title: ctx.tr('error.title'), message: ctx.tr('work:bulk.nothing') }));
  }
}

function bulkText(tr: (k: string, p?: Record<string, string | number>) => string, raw: string): string {
  const [changed, refused] = raw.split('-').map(Number) as [number, number];
  return refused ? tr('work:bulk.done_refused', { changed, refused }) : tr('work:bulk.done', { changed });
}
