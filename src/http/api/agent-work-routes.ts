/**
 * The API calls that speed agents up and bring work to them: bulk changes, macros, saved views with counts, SLA
 * policies, notifications and the tag catalog. Handlers parse, authorise and shape JSON; the core decides.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType, z } from 'zod';
import type { NotificationRepo, NotificationView, SavedViewRecord, TagRepo, MacroRecord } from '../../core/ports/agent-work-port.ts';
import type { CommentView, TicketView } from '../../core/ports/store-port.ts';
import type { MacroService } from '../../core/macros/macro-service.ts';
import type { SlaService } from '../../core/sla/sla-service.ts';
import type { ViewService, ViewSummary } from '../../core/views/view-service.ts';
import { bulkChange } from '../../core/tickets/bulk-change.ts';
import type { Actor, TicketService } from '../../core/tickets/ticket-service.ts';
import type { RouteDoc } from './openapi.ts';
import type { Owner } from '../../core/ownership-rules.ts';
import * as W from './agent-work-schemas.ts';
import { idParam, ticketNumberParam } from './schemas.ts';
import { expectedVersion, withEtag } from './ticket-etag.ts';

interface OwnedService<F, R> {
  list(o: Owner): Promise<R[]>;
  create(o: Owner, f: F): Promise<R>;
  update(o: Owner, id: string, f: F): Promise<R>;
  delete(o: Owner, id: string): Promise<void>;
}

export interface AgentWorkDeps {
  sla: SlaService;
  macros: MacroService;
  views: ViewService;
  notifications: NotificationRepo;
  tags: TagRepo;
}

/** What api-routes.ts lends these routes: its parsing, authorisation and JSON shapes. */
export interface ApiKit {
  parse<T extends ZodType>(schema: T, value: unknown, where: string): z.output<T>;
  actor(req: FastifyRequest): Actor;
  admin(req: FastifyRequest): void;
  ticketJson(t: TicketView): unknown;
  commentJson(c: CommentView): unknown;
}

export const AGENT_WORK_ROUTES: RouteDoc[] = [
  { method: 'post', path: '/tickets/bulk', summary: 'One change (status, priority, assignee, tags) to many tickets, each on its own, with a report', role: 'agent', body: W.bulkBody, responses: { 200: 'what happened to each ticket', 400: 'invalid' } },
  { method: 'post', path: '/tickets/{number}/apply-macro', summary: "A macro's reply and changes, in one step (If-Match honoured)", role: 'agent', body: W.applyMacroBody, responses: { 200: 'the ticket and the comment', 404: 'unknown ticket or macro', 409: 'forbidden by the ticket rules', 412: 'the ticket changed since (stale_ticket)' } },
  { method: 'get', path: '/macros', summary: 'Shared macros and your own', role: 'agent', responses: { 200: 'macros' } },
  { method: 'post', path: '/macros', summary: 'Save a macro (shared ones: admin only)', role: 'agent', body: W.macroBody, responses: { 201: 'the macro', 400: 'invalid', 403: 'sharing needs the admin role' } },
  { method: 'put', path: '/macros/{id}', summary: 'Replace a macro', role: 'agent', body: W.macroBody, responses: { 200: 'the macro', 400: 'invalid', 403: 'shared: admin only', 404: 'unknown macro' } },
  { method: 'delete', path: '/macros/{id}', summary: 'Delete a macro', role: 'agent', responses: { 204: 'deleted', 403: 'shared: admin only', 404: 'unknown macro' } },
  { method: 'get', path: '/views', summary: 'Built-in, shared and your own views, each with its ticket count (capped at 1000)', role: 'agent', responses: { 200: 'views' } },
  { method: 'post', path: '/views', summary: 'Save a view (filters and a sort; shared ones: admin only)', role: 'agent', body: W.viewBody, responses: { 201: 'the view', 400: 'invalid', 403: 'sharing needs the admin role' } },
  { method: 'put', path: '/views/{id}', summary: 'Replace a saved view', role: 'agent', body: W.viewBody, responses: { 200: 'the view', 400: 'invalid', 403: 'shared: admin only', 404: 'unknown view' } },
  { method: 'delete', path: '/views/{id}', summary: 'Delete a saved view', role: 'agent', responses: { 204: 'deleted', 403: 'shared: admin only', 404: 'unknown view' } },
  { method: 'get', path: '/sla-policies', summary: 'SLA targets per priority', role: 'agent', responses: { 200: 'policies' } },
  { method: 'put', path: '/sla-policies/{priority}', summary: 'Set the SLA targets of a priority (minutes; business hours optional)', role: 'admin', body: W.slaPolicyBody, responses: { 200: 'the policy', 400: 'invalid', 403: 'not admin' } },
  { method: 'delete', path: '/sla-policies/{priority}', summary: 'Remove the SLA targets of a priority', role: 'admin', responses: { 204: 'deleted', 403: 'not admin', 404: 'no policy' } },
  { method: 'get', path: '/notifications', summary: 'Your notifications, newest first, and how many are unread', role: 'agent', query: W.notificationsQuery, responses: { 200: 'notifications' } },
  { method: 'post', path: '/notifications/read', summary: 'Mark notifications read (some, or all)', role: 'agent', body: W.markReadBody, responses: { 200: 'how many were marked', 400: 'invalid' } },
  { method: 'get', path: '/tags', summary: 'Tags in use, by prefix', role: 'agent', query: W.tagsQuery, responses: { 200: 'tags' } },
];

const iso = (d: Date | null) => d?.toISOString() ?? null;

function macroJson(m: MacroRecord) {
  const { ownerId, createdAt, updatedAt, ...rest } = m;
  return { ...rest, shared: ownerId === null, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

function viewJson(v: SavedViewRecord | ViewSummary) {
  const shared = 'shared' in v ? v.shared : v.ownerId === null;
  return {
    id: v.id,
    name: v.name,
    builtIn: 'builtIn' in v ? v.builtIn : false,
    shared,
    filters: v.filters,
    sort: v.sort,
    order: v.order,
    ...('count' in v ? { count: v.count, countCapped: v.countCapped } : {}),
  };
}

function notificationJson(n: NotificationView) {
  return { ...n, createdAt: n.createdAt.toISOString(), readAt: iso(n.readAt) };
}

export function agentWorkRoutes(app: FastifyInstance, deps: { work: AgentWorkDeps; tickets: TicketService }, kit: ApiKit): void {
  const { work } = deps;
  const { parse, actor } = kit;
  const owner = (req: FastifyRequest) => ({ id: req.actor!.id, role: req.actor!.role });
  const noContent = (reply: FastifyReply) => reply.code(204).send();

  app.post('/tickets/bulk', async (req) => {
    const b = parse(W.bulkBody, req.body, 'body');
    const results = await bulkChange(
      deps.tickets,
      actor(req),
      b.tickets,
      {
        ...(b.status ? { status: b.status } : {}),
        ...(b.priority ? { priority: b.priority } : {}),
        ...(b.assigneeId !== undefined ? { assigneeId: b.assigneeId } : {}),
        ...(b.addTags || b.removeTags ? { tags: { add: b.addTags, remove: b.removeTags } } : {}),
      },
      'api',
    );
    return { results, changed: results.filter((r) => r.changed).length, refused: results.filter((r) => !r.changed).length };
  });

  app.post('/tickets/:number/apply-macro', async (req, reply) => {
    const { number } = parse(ticketNumberParam, req.params, 'number');
    const b = parse(W.applyMacroBody, req.body, 'body');
    const r = await work.macros.apply(owner(req), number, b.macroId, 'api', { expectedVersion: expectedVersion(req, number) });
    return withEtag(reply, r.ticket, { ticket: kit.ticketJson(r.ticket), comment: r.comment ? kit.commentJson(r.comment) : null });
  });

  /** List, create, replace and delete for things shared or personal (macros, views): the same four calls. */
  function ownedRoutes<F, R>(path: string, key: string, schema: ZodType<F>, svc: OwnedService<F, R>, json: (r: R) => unknown): void {
    app.get(`/${path}`, async (req) => ({ [`${key}s`]: (await svc.list(owner(req))).map(json) }));
    app.post(`/${path}`, async (req, reply) => reply.code(201).send({ [key]: json(await svc.create(owner(req), parse(schema, req.body, 'body'))) }));
    app.put(`/${path}/:id`, async (req) => {
      const { id } = parse(idParam, req.params, 'id');
      return { [key]: json(await svc.update(owner(req), id, parse(schema, req.body, 'body'))) };
    });
    app.delete(`/${path}/:id`, async (req, reply) => {
      await svc.delete(owner(req), parse(idParam, req.params, 'id').id);
      return noContent(reply);
    });
  }
  ownedRoutes('macros', 'macro', W.macroBody, work.macros, macroJson);
  ownedRoutes('views', 'view', W.viewBody, work.views, viewJson);

  app.get('/sla-policies', async () => ({ policies: await work.sla.listPolicies() }));
  app.put('/sla-policies/:priority', async (req) => {
    kit.admin(req);
    const { priority } = parse(W.priorityParam, req.params, 'priority');
    return { policy: await work.sla.setPolicy({ priority, ...parse(W.slaPolicyBody, req.body, 'body') }) };
  });
  app.delete('/sla-policies/:priority', async (req, reply) => {
    kit.admin(req);
    await work.sla.deletePolicy(parse(W.priorityParam, req.params, 'priority').priority);
    return noContent(reply);
  });

  app.get('/notifications', async (req) => {
    const q = parse(W.notificationsQuery, req.query, 'query');
    const me = req.actor!.id;
    const [page, unread] = await Promise.all([
      work.notifications.list(me, { unreadOnly: q.unread === 'true', limit: q.limit, cursor: q.cursor ?? null }),
      work.notifications.unreadCount(me),
    ]);
    return { notifications: page.items.map(notificationJson), unread, nextCursor: page.nextCursor };
  });
  app.post('/notifications/read', async (req) => {
    const b = parse(W.markReadBody, req.body, 'body');
    return { marked: await work.notifications.markRead(req.actor!.id, b.ids ?? null, new Date()) };
  });

  app.get('/tags', async (req) => {
    const q = parse(W.tagsQuery, req.query, 'query');
    return { tags: await work.tags.list(q.prefix.trim().toLowerCase(), q.limit) };
  });
}
