/**
 * New tickets on behalf of customers, and the requester typeahead behind them. The typeahead is the directory's
 * own prefix search (name, email, email domain, phone, organization).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import { EMAIL_RE } from '../core/tickets/ticket-service.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../core/tickets/ticket-types.ts';
import { actorOf, agentOf, field, pageCtx, sendPage, type ConsoleKit } from './console-http.ts';
import { emptyNewTicket, newTicketView, type NewTicketState } from './new-ticket-view.ts';
import { UUID_RE } from '../core/text-rules.ts';
import { errorText } from './view-parts.ts';

const TYPEAHEAD_LIMIT = 8;

function readState(body: unknown): NewTicketState {
  const f = (name: string, max: number) => field(body, name, max).trim();
  const priority = f('priority', 20);
  return {
    requesterId: UUID_RE.test(f('requesterId', 40)) ? f('requesterId', 40) : '',
    requesterQuery: f('requesterQuery', 200),
    newName: f('newName', 200),
    newEmail: f('newEmail', 320),
    newPhone: f('newPhone', 50),
    newOrganization: f('newOrganization', 200),
    subject: f('subject', 300),
    description: field(body, 'description', 20_000),
    priority: (TICKET_PRIORITIES as readonly string[]).includes(priority) ? priority : 'normal',
    service: UUID_RE.test(f('service', 40)) ? f('service', 40) : '',
    assignee: UUID_RE.test(f('assignee', 40)) ? f('assignee', 40) : '',
    visibility: f('visibility', 10) === 'private' ? 'private' : 'public',
  };
}

export function newTicketRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps, queries } = kit;

  async function show(req: FastifyRequest, reply: FastifyReply, status: number, state: NewTicketState, error: string | null) {
    const [services, agents, chosen] = await Promise.all([
      deps.directory.listServices(),
      queries.agents(),
      state.requesterId ? deps.store.getUser(state.requesterId) : Promise.resolve(null),
    ]);
    if (!chosen) state.requesterId = '';
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, status, newTicketView(ctx, { state, chosen, services, agents, error }));
  }

  app.get('/tickets/new', async (req, reply) => {
    const state = emptyNewTicket(agentOf(req).id);
    const pre = (req.query as Record<string, unknown>).requester;
    if (typeof pre === 'string' && UUID_RE.test(pre)) state.requesterId = pre;
    return show(req, reply, 200, state, null);
  });

  app.post('/tickets', async (req, reply) => {
    const s = readState(req.body);
    const tr = pageCtx(req, reply, kit).tr;
    if (!s.subject) return show(req, reply, 400, s, tr('new.subject_required'));
    if (!s.description.trim()) return show(req, reply, 400, s, tr('new.description_required'));
    // The same shape the API accepts for a phone number.
    if (s.newPhone && !/^[+0-9 ()-]{1,40}$/.test(s.newPhone)) return show(req, reply, 400, s, tr('new.phone_invalid'));
    if (s.service && !(await deps.store.getService(s.service))) return show(req, reply, 404, s, errorText(tr, 'service_not_found'));
    // The core takes any user id as assignee at creation; only agents belong there.
    if (s.assignee && !(await queries.agents()).some((a) => a.id === s.assignee)) return show(req, reply, 400, s, tr('new.assignee_invalid'));
    const requester: { requesterId?: string; requesterEmail?: string } = {};
    try {
      if (s.requesterId) requester.requesterId = s.requesterId;
      else if (s.newEmail) {
        const user = await deps.directory.createUser({
          email: s.newEmail,
          name: s.newName || s.newEmail.split('@')[0]!,
          phone: s.newPhone || null,
          organization: s.newOrganization || null,
        });
        // From here on the customer exists: a second submit must pick them, not create them again.
        Object.assign(s, { requesterId: user.id, newName: '', newEmail: '', newPhone: '', newOrganization: '' });
        requester.requesterId = user.id;
      } else if (EMAIL_RE.test(s.requesterQuery.toLowerCase())) requester.requesterEmail = s.requesterQuery;
      else return show(req, reply, 400, s, tr('new.requester_required'));
      const { ticket } = await deps.tickets.create({
        subject: s.subject,
        description: s.description,
        via: 'web',
        submitter: actorOf(req),
        ...requester,
        priority: s.priority as TicketPriority,
        visibility: s.visibility,
        serviceId: s.service || null,
        assigneeId: s.assignee || null,
      });
      return reply.redirect(`/tickets/${ticket.number}?done=created`, 303);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      const text = e.code === 'email_taken' ? tr('new.email_taken') : errorText(tr, e.code);
      return show(req, reply, DOMAIN_ERROR_STATUS[e.code], s, text);
    }
  });

  app.get('/console/users.json', async (req, reply) => {
    const q = (req.query as Record<string, unknown>).q;
    const prefix = typeof q === 'string' ? q.trim().slice(0, 100) : '';
    reply.header('cache-control', 'no-store');
    if (!prefix) return { users: [] };
    const page = await deps.directory.searchUsers(prefix, { limit: TYPEAHEAD_LIMIT, cursor: null });
    return {
      users: page.items.map((u) => ({ id: u.id, name: u.name, email: u.email, phone: u.phone, organization: u.organization?.name ?? null, role: u.role })),
    };
  });
}
