/** The queue page and the root redirect. Filters are plain query parameters, so a filtered queue is a link. */
import type { FastifyInstance } from 'fastify';
import type { TicketFilter } from '../core/ports/store-port.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../core/tickets/ticket-types.ts';
import { decodeCursor } from '../core/pagination.ts';
import { agentOf, pageCtx, sendPage, type ConsoleKit } from './console-http.ts';
import { queueView, type QueueFilters } from './queue-view.ts';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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
  return {
    status: status === 'all' || (TICKET_STATUSES as readonly string[]).includes(status) ? status : 'unsolved',
    priority: (TICKET_PRIORITIES as readonly string[]).includes(priority) ? priority : '',
    service: UUID_RE.test(service) ? service : '',
    assignee: assignee === 'me' || UUID_RE.test(assignee) ? assignee : '',
    via: /^[a-z0-9_-]{1,30}$/.test(via) ? via : '',
    q: str(q, 'q', 200),
  };
}

/** The store's cursor is the last ticket number seen; anything else is ignored instead of reaching the database. */
function validCursor(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 100) return null;
  const n = decodeCursor<unknown>(raw);
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 2 ** 31 ? raw : null;
}

export function queueRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps, queries } = kit;

  app.get('/', { config: { audience: 'any' } }, async (req, reply) => reply.redirect(req.consoleSession?.customer ? '/my/tickets' : '/tickets', 303));

  app.get('/tickets', async (req, reply) => {
    const f = parseFilters(req.query);
    const me = agentOf(req);
    const filter: TicketFilter = {
      status: f.status === 'unsolved' ? UNSOLVED : f.status === 'all' ? undefined : [f.status as TicketStatus],
      priority: (f.priority || undefined) as TicketPriority | undefined,
      serviceId: f.service || undefined,
      assigneeId: f.assignee === 'me' ? me.id : f.assignee || undefined,
      via: f.via || undefined,
      query: f.q || undefined,
    };
    const cursor = validCursor((req.query as Record<string, unknown>).cursor);
    const [page, services, agents] = await Promise.all([
      deps.store.listTickets(filter, { limit: PAGE_SIZE, cursor }),
      deps.directory.listServices(),
      queries.agents(),
    ]);
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, 200, queueView(ctx, { filters: f, items: page.items, nextCursor: page.nextCursor, services, agents }));
  });
}
