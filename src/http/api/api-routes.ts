/**
 * The help-center API (v1), exactly as shared/spec/contract.md describes it. Handlers only parse, authorise and
 * shape JSON; the core decides.
 */
import { bearerToken, bearerUsers } from '../bearer-auth.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DirectoryService } from '../../core/directory/directory-service.ts';
import type { TicketService } from '../../core/tickets/ticket-service.ts';
import type { AttachmentView, CommentView, Store, TicketView, UserRecord } from '../../core/ports/store-port.ts';
import { attachmentUrl } from '../../core/attachments/attachment-rules.ts';
import { ticketUrl } from '../../core/tickets/ticket-links.ts';
import { HttpError } from '../errors.ts';
import { actorOf, parse } from './api-request.ts';
import { AGENT_ROUTES, agentRoutes } from './agent-routes.ts';
import type { AgentAccessService } from '../../core/directory/agent-access-service.ts';
import { buildOpenApi, type RouteDoc } from './openapi.ts';
import * as S from './schemas.ts';
import type { OpsPort } from '../../core/ports/ops-port.ts';
import { NUL_MESSAGE, nulPath } from '../../core/text-rules.ts';
import { slaView } from '../../core/sla/sla-rules.ts';
import { AGENT_WORK_ROUTES, agentWorkRoutes, type AgentWorkDeps } from './agent-work-routes.ts';
import { expectedVersion, withEtag } from './ticket-etag.ts';
import { ticketListFilter } from './ticket-list-query.ts';

export interface ApiDeps {
  tickets: TicketService;
  directory: DirectoryService;
  access: AgentAccessService;
  store: Store;
  ops: OpsPort;
  publicUrl: string;
  adminToken: string | undefined;
  /** The user the admin token acts as. */
  adminUser: () => Promise<UserRecord>;
  work: AgentWorkDeps;
  /** POST /uploads (absent: no uploads). */
  uploads?: (api: FastifyInstance) => Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: UserRecord;
  }
}

/** The console's session cookie (src/console/console-plugin.ts), with or without the __Host- prefix. */
const HELP_CENTER_SESSION_COOKIE = /(?:^|;\s*)(?:__Host-)?tb_session=/;

export function userJson(u: UserRecord) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    role: u.role,
    locale: u.locale,
    organization: u.organization,
    createdAt: u.createdAt.toISOString(),
  };
}

export function ticketJson(t: TicketView, publicUrl: string) {
  return {
    number: t.number,
    subject: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority,
    visibility: t.visibility,
    requester: t.requester,
    submitter: t.submitter,
    assignee: t.assignee,
    service: t.service,
    organization: t.organization,
    via: t.via,
    url: ticketUrl(publicUrl, t.number),
    sourceUrl: t.sourceUrl,
    followUpOf: t.followUpOf,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    ...(t.rating ? { rating: { score: t.rating.score, comment: t.rating.comment, createdAt: t.rating.createdAt.toISOString() } } : { rating: null }),
    version: t.version,
    tags: t.tags,
    waitingSince: t.sla.waitingSince?.toISOString() ?? null,
    sla: slaJson(t),
  };
}

function slaJson(t: TicketView) {
  const v = slaView({ status: t.status, solvedAt: t.solvedAt, closedAt: t.closedAt, ...t.sla }, new Date());
  const target = (x: (typeof v)['firstReply']) => (x ? { dueAt: x.dueAt.toISOString(), achievedAt: x.achievedAt?.toISOString() ?? null, breached: x.breached } : null);
  return { dueAt: v.dueAt?.toISOString() ?? null, breaching: v.breaching, firstReply: target(v.firstReply), nextReply: target(v.nextReply), resolution: target(v.resolution) };
}

/** A ticket as its requester may see it: an internal description (once private) is left out, and so are the
 * agents' own tools (tags, SLA). */
export function requesterTicketJson(t: TicketView, publicUrl: string) {
  const { description, tags: _tags, sla: _sla, waitingSince: _waiting, ...rest } = ticketJson(t, publicUrl);
  return { ...rest, description: t.descriptionPublic ? description : null };
}

/**
 * `attachments`: the stored files, as the contract's `attachment`; `missingAttachments` (an extension): files that
 * came with the comment but are not (yet) kept, with why and the platform's own link.
 */
export function commentJson(c: CommentView, publicUrl: string) {
  return {
    id: c.id,
    body: c.body,
    public: c.public,
    author: c.author,
    via: c.via,
    attachments: c.attachments.filter((a) => a.state === 'stored').map((a) => attachmentJson(a, publicUrl)),
    missingAttachments: c.attachments
      .filter((a) => a.state !== 'stored')
      .map((a) => ({ id: a.id, name: a.name, state: a.state, reason: a.reason, size: a.size, platformUrl: a.platformUrl })),
    editedAt: c.editedAt?.toISOString() ?? null,
    deleted: c.deletedAt !== null,
    createdAt: c.createdAt.toISOString(),
  };
}

export function attachmentJson(a: Pick<AttachmentView, 'id' | 'name' | 'size' | 'contentType'>, publicUrl: string) {
  return { id: a.id, name: a.name, size: a.size ?? 0, contentType: a.contentType ?? 'application/octet-stream', url: attachmentUrl(publicUrl, a) };
}

export const API_ROUTES: RouteDoc[] = [
  ...AGENT_ROUTES,
  { method: 'get', path: '/services', summary: 'The service catalog', role: 'agent', responses: { 200: 'services', 401: 'no token' } },
  { method: 'post', path: '/services', summary: 'Add a service to the catalog', role: 'admin', body: S.createServiceBody, responses: { 201: 'the service', 400: 'invalid', 401: 'no token', 403: 'not admin' } },
  { method: 'post', path: '/users', summary: 'Create an end user', role: 'agent', body: S.createUserBody, responses: { 201: 'the user', 400: 'invalid', 401: 'no token', 409: 'email exists' } },
  { method: 'get', path: '/users', summary: 'Search users by prefix of name, email, email domain, phone, organization', role: 'agent', query: S.userQuery, responses: { 200: 'users', 401: 'no token' } },
  { method: 'get', path: '/users/{id}/activity', summary: "An end user's own activity (no private tickets)", role: 'agent', query: S.pageOnlyQuery, responses: { 200: 'tickets', 404: 'unknown user' } },
  { method: 'post', path: '/users/{id}/link-code', summary: 'One-time code that links a chat account to this user', role: 'agent', responses: { 201: 'code and expiry', 404: 'unknown user' } },
  { method: 'post', path: '/tickets', summary: 'Create a ticket (on behalf of a requester)', role: 'agent', body: S.createTicketBody, responses: { 201: 'the ticket', 400: 'invalid', 401: 'no token', 404: 'unknown requester' } },
  { method: 'get', path: '/tickets', summary: 'List and search tickets: filters, a view, a sort', role: 'agent', query: S.ticketListQuery, responses: { 200: 'tickets', 404: 'unknown view' } },
  { method: 'get', path: '/tickets/{number}', summary: 'One ticket (its ETag names its version)', role: 'agent', responses: { 200: 'the ticket', 404: 'unknown ticket' } },
  { method: 'patch', path: '/tickets/{number}', summary: 'Change status, priority, assignee, visibility or tags (If-Match: only if unchanged since)', role: 'agent', body: S.patchTicketBody, responses: { 200: 'the ticket', 400: 'invalid', 404: 'unknown ticket', 409: 'forbidden by the ticket rules', 412: 'the ticket changed since (stale_ticket)' } },
  { method: 'post', path: '/tickets/{number}/comments', summary: 'Public reply or internal note (optionally with a status; If-Match honoured)', role: 'agent', body: S.createCommentBody, responses: { 201: 'the comment', 400: 'invalid', 404: 'unknown ticket', 409: 'closed ticket', 412: 'the ticket changed since (stale_ticket)' } },
  { method: 'get', path: '/tickets/{number}/comments', summary: 'The whole thread, oldest first', role: 'agent', responses: { 200: 'comments', 404: 'unknown ticket' } },
  { method: 'post', path: '/uploads', summary: "Upload a file (raw body, up to ATTACHMENT_MAX_BYTES) to attach to a comment with attachmentIds", role: 'agent', query: S.uploadQuery, responses: { 201: 'the upload', 400: 'invalid', 401: 'no token', 413: 'over ATTACHMENT_MAX_BYTES' } },
  { method: 'patch', path: '/tickets/{number}/comments/{id}', summary: "Edit one's own comment (an admin: any agent's); a public reply is edited in the chat threads too", role: 'agent', body: S.editCommentBody, responses: { 200: 'the comment', 403: 'not yours', 404: 'unknown comment', 409: 'closed ticket' } },
  { method: 'delete', path: '/tickets/{number}/comments/{id}', summary: "Delete one's own comment (an admin: any agent's); a public reply is removed from the chat threads too", role: 'agent', responses: { 204: 'deleted', 403: 'not yours', 404: 'unknown comment', 409: 'closed ticket' } },
  { method: 'get', path: '/tickets/{number}/events', summary: 'The audit trail', role: 'agent', responses: { 200: 'events', 404: 'unknown ticket' } },
  { method: 'get', path: '/tickets/{number}/deliveries', summary: 'What reached the chat threads', role: 'agent', responses: { 200: 'deliveries', 404: 'unknown ticket' } },
  { method: 'get', path: '/admin/inbound-events', summary: 'Inbound platform events by status (dead letters by default)', role: 'admin', query: S.inboxQuery, responses: { 200: 'events' } },
  { method: 'post', path: '/admin/inbound-events/retry', summary: 'Retry every parked inbound event (optionally of one platform); answers how many were requeued', role: 'admin', query: S.inboxRetryQuery, responses: { 200: '{ retried: <count> }', 400: 'invalid platform', 403: 'not admin' } },
  { method: 'post', path: '/admin/inbound-events/{id}/retry', summary: 'Retry a parked inbound event', role: 'admin', responses: { 200: 'requeued', 404: 'not a dead event' } },
  ...AGENT_WORK_ROUTES,
];

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { tickets, directory, store, publicUrl } = deps;
  const bearerUser = bearerUsers({ adminToken: deps.adminToken, adminUser: deps.adminUser, authenticate: (token) => deps.access.authenticate(token) });
  const openapi = buildOpenApi(API_ROUTES, publicUrl);

  app.get('/openapi.json', async () => openapi);

  async function authenticate(req: FastifyRequest): Promise<UserRecord> {
    if (bearerToken(req) === null) throw new HttpError(401, 'unauthenticated', 'send Authorization: Bearer <token>');
    const user = await bearerUser(req);
    if (!user) throw new HttpError(401, 'unauthenticated', 'the token is not valid');
    return user;
  }

  app.addHook('onRequest', async (req) => {
    if (req.url.split('?')[0] === '/api/v1/openapi.json') return;
    // A help-center session (an end user's or an agent's browser cookie) is recognised and refused: the API takes
    // bearer tokens only, so a customer's session never reaches it.
    if (req.headers.authorization === undefined && HELP_CENTER_SESSION_COOKIE.test(req.headers.cookie ?? ''))
      throw new HttpError(403, 'forbidden', 'a help-center session does not reach the API; send Authorization: Bearer <token>');
    req.actor = await authenticate(req);
  });

  // One check for every route, before any schema: a NUL cannot be stored, and the caller can fix it.
  app.addHook('preValidation', async (req) => {
    for (const [where, value] of [['body', req.body], ['query', req.query], ['path', req.params]] as const) {
      const at = nulPath(value);
      if (at !== null) throw new HttpError(400, 'validation_failed', `${at || where}: ${NUL_MESSAGE}`);
    }
  });

  const admin = (req: FastifyRequest) => {
    if (req.actor?.role !== 'admin') throw new HttpError(403, 'forbidden', 'this call needs the admin role');
  };
  const actor = actorOf;
  const owner = actor;
  const ticketNo = (req: FastifyRequest) => parse(S.ticketNumberParam, req.params, 'number').number;

  agentRoutes(app, { directory, access: deps.access, publicUrl });

  app.get('/services', async () => ({ services: (await directory.listServices()).map((s) => ({ id: s.id, name: s.name, description: s.description })) }));

  app.post('/services', async (req, reply) => {
    admin(req);
    const body = parse(S.createServiceBody, req.body, 'body');
    return reply.code(201).send({ service: await directory.createService(body) });
  });

  app.post('/users', async (req, reply) => {
    const body = parse(S.createUserBody, req.body, 'body');
    return reply.code(201).send({ user: userJson(await directory.createUser(body)) });
  });

  app.get('/users', async (req) => {
    const q = parse(S.userQuery, req.query, 'query');
    const page = await directory.searchUsers(q.query, { limit: q.limit, cursor: q.cursor ?? null });
    return { users: page.items.map(userJson), nextCursor: page.nextCursor };
  });

  app.get('/users/:id/activity', async (req) => {
    const { id } = parse(S.idParam, req.params, 'id');
    const q = parse(S.pageOnlyQuery, req.query, 'query');
    const user = await directory.getUser(id);
    // What the end user sees as "My activity": never a private ticket.
    const page = await store.listTickets({ requesterId: user.id, publicOnly: true }, { limit: q.limit, cursor: q.cursor ?? null });
    return { tickets: page.items.map((t) => requesterTicketJson(t, publicUrl)), nextCursor: page.nextCursor };
  });

  app.post('/users/:id/link-code', async (req, reply) => {
    const { id } = parse(S.idParam, req.params, 'id');
    const { code, expiresAt } = await directory.createLinkCode(id);
    return reply.code(201).send({ code, expiresAt: expiresAt.toISOString() });
  });

  app.post('/tickets', async (req, reply) => {
    const b = parse(S.createTicketBody, req.body, 'body');
    if (b.service && !(await store.getService(b.service))) throw new HttpError(404, 'service_not_found', 'service: unknown service');
    const { ticket } = await tickets.create({
      subject: b.subject,
      description: b.description,
      via: 'api',
      submitter: actor(req),
      requesterId: b.requesterId,
      requesterEmail: b.requesterEmail,
      requesterName: b.requesterName,
      priority: b.priority,
      visibility: b.visibility,
      status: b.status,
      serviceId: b.service ?? null,
      assigneeId: b.assigneeId ?? null,
      tags: b.tags,
    });
    return withEtag(reply.code(201), ticket, { ticket: ticketJson(ticket, publicUrl) });
  });

  app.get('/tickets', async (req) => {
    const q = parse(S.ticketListQuery, req.query, 'query');
    const base = q.view ? await deps.work.views.filterOf(owner(req), q.view) : {};
    const page = await store.listTickets(ticketListFilter(base, q, req.actor!.id), { limit: q.limit, cursor: q.cursor ?? null });
    return { tickets: page.items.map((t) => ticketJson(t, publicUrl)), nextCursor: page.nextCursor };
  });

  app.get('/tickets/:number', async (req, reply) => {
    const t = await tickets.get(ticketNo(req));
    return withEtag(reply, t, { ticket: ticketJson(t, publicUrl) });
  });

  app.patch('/tickets/:number', async (req, reply) => {
    const number = ticketNo(req);
    const { tags, addTags, removeTags, ...b } = parse(S.patchTicketBody, req.body, 'body');
    const patch = { ...b, ...(tags || addTags || removeTags ? { tags: { set: tags, add: addTags, remove: removeTags } } : {}) };
    const t = await tickets.update(number, actor(req), patch, 'api', { expectedVersion: expectedVersion(req, number) });
    return withEtag(reply, t, { ticket: ticketJson(t, publicUrl) });
  });

  app.post('/tickets/:number/comments', async (req, reply) => {
    const number = ticketNo(req);
    const b = parse(S.createCommentBody, req.body, 'body');
    const r = await tickets.comment(number, actor(req), {
      body: b.body,
      public: b.public,
      via: 'api',
      status: b.status,
      expectedVersion: expectedVersion(req, number),
      ...(b.attachmentIds?.length ? { attachmentIds: b.attachmentIds } : {}),
    });
    return reply.code(201).send({ comment: r.comment ? commentJson(r.comment, publicUrl) : null });
  });

  app.get('/tickets/:number/comments', async (req) => {
    const t = await tickets.get(ticketNo(req));
    return { comments: (await store.listComments(t.id, { publicOnly: false })).map((c) => commentJson(c, publicUrl)) };
  });

  app.patch('/tickets/:number/comments/:id', async (req) => {
    const { number, id } = parse(S.commentParam, req.params, 'params');
    const b = parse(S.editCommentBody, req.body, 'body');
    return { comment: commentJson(await tickets.editComment(number, actor(req), id, b.body, 'api'), publicUrl) };
  });

  app.delete('/tickets/:number/comments/:id', async (req, reply) => {
    const { number, id } = parse(S.commentParam, req.params, 'params');
    await tickets.deleteComment(number, actor(req), id, 'api');
    return reply.code(204).send();
  });

  app.get('/tickets/:number/events', async (req) => {
    const t = await tickets.get(ticketNo(req));
    const events = await store.listTicketEvents(t.id);
    return { events: events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })) };
  });

  app.get('/tickets/:number/deliveries', async (req) => {
    const t = await tickets.get(ticketNo(req));
    const rows = await deps.ops.deliveriesOfTicket(t.id);
    return { deliveries: rows.map((d) => ({ ...d, sentAt: d.sentAt?.toISOString() ?? null })) };
  });

  app.get('/admin/inbound-events', async (req) => {
    admin(req);
    const q = parse(S.inboxQuery, req.query, 'query');
    const page = await deps.ops.inboundEvents(q.status, { limit: q.limit, cursor: q.cursor ?? null });
    const events = page.items.map((r) => ({ ...r, failingSince: r.failingSince?.toISOString() ?? null, receivedAt: r.receivedAt.toISOString() }));
    return { events, nextCursor: page.nextCursor };
  });

  app.post('/admin/inbound-events/retry', async (req) => {
    admin(req);
    const { platform } = parse(S.inboxRetryQuery, req.query, 'query');
    return { retried: await deps.ops.retryDeadInbound({ ...(platform ? { platform } : {}) }) };
  });

  app.post('/admin/inbound-events/:id/retry', async (req) => {
    admin(req);
    const { id } = parse(S.inboxIdParam, req.params, 'id');
    if (!(await deps.ops.retryDeadInbound({ id }))) throw new HttpError(404, 'not_found', 'no dead inbound event with this id');
    return { retried: true };
  });

  if (deps.uploads) await app.register(deps.uploads);

  agentWorkRoutes(app, { work: deps.work, tickets }, { parse, actor, admin, ticketJson: (t) => ticketJson(t, publicUrl), commentJson: (c) => commentJson(c, publicUrl) });
}
