/**
 * A ticket as the core sees it (TicketView), read in one statement with its people, service, organization,
 * follow-up and rating joined in, and checked with zod: the hot paths' raw SQL (lock and read, insert and read)
 * use it instead of the client's include, which costs one statement per relation and the client's JS layer.
 */
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.ts';
import type { TicketView } from '../../core/ports/store-port.ts';
import type { TicketPriority, TicketStatus, Visibility } from '../../core/tickets/ticket-types.ts';
import type { SlaPolicy } from '../../core/sla/sla-rules.ts';
import { toSlaPolicy } from './sla-repo.ts';

/** The select list over a ticket row aliased `t` (and the joins of ticketFrom). */
export const TICKET_COLUMNS = Prisma.sql`
  t.id::text AS id, t.number, t.subject, t.description, t.description_public, t.status, t.priority, t.visibility, t.via,
  rq.id::text AS rq_id, rq.email AS rq_email, rq.name AS rq_name,
  sb.id::text AS sb_id, sb.email AS sb_email, sb.name AS sb_name,
  asg.id::text AS as_id, asg.email AS as_email, asg.name AS as_name,
  s.id::text AS s_id, s.name AS s_name, o.id::text AS o_id, o.name AS o_name, f.number AS follow_up_of,
  t.source_url, t.solved_at, t.closed_at, t.created_at, t.updated_at,
  r.score AS r_score, r.comment AS r_comment, r.created_at AS r_created_at,
  t.version, t.tags, t.first_reply_at, t.waiting_since, t.first_reply_due_at, t.next_reply_due_at, t.resolution_due_at, t.sla_due_at, t.sla_check_at`;

/** The joins TICKET_COLUMNS reads, for a ticket row source aliased `t` (the table, or a CTE of it). */
export function ticketFrom(source: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${source} t
    JOIN users rq ON rq.id = t.requester_id
    JOIN users sb ON sb.id = t.submitter_id
    LEFT JOIN users asg ON asg.id = t.assignee_id
    LEFT JOIN services s ON s.id = t.service_id
    LEFT JOIN organizations o ON o.id = t.organization_id
    LEFT JOIN tickets f ON f.id = t.follow_up_of_id
    LEFT JOIN ratings r ON r.ticket_id = t.id`;
}

/**
 * The SLA policy of the ticket's priority, read in the same statement (a comment or a status change applies it,
 * so reading it apart cost one statement per write): columns over POLICY_JOIN, decoded by policyOf.
 */
export const POLICY_COLUMNS = Prisma.sql`sp.priority AS sp_priority, sp.first_reply_minutes AS sp_first_reply,
  sp.next_reply_minutes AS sp_next_reply, sp.resolution_minutes AS sp_resolution, sp.business_hours AS sp_business_hours`;
export const POLICY_JOIN = Prisma.sql`LEFT JOIN sla_policies sp ON sp.priority = t.priority`;
const policyRowSchema = z.object({
  sp_priority: z.string().nullable(),
  sp_first_reply: z.number().int().nullable(),
  sp_next_reply: z.number().int().nullable(),
  sp_resolution: z.number().int().nullable(),
  sp_business_hours: z.unknown(),
});

export function policyOf(raw: unknown): SlaPolicy | null {
  const r = policyRowSchema.parse(raw);
  if (r.sp_priority === null) return null;
  return toSlaPolicy({
    priority: r.sp_priority,
    firstReplyMinutes: r.sp_first_reply,
    nextReplyMinutes: r.sp_next_reply,
    resolutionMinutes: r.sp_resolution,
    businessHours: r.sp_business_hours,
  });
}

const date = z.date();
const maybeDate = z.date().nullable();
const maybe = z.string().nullable();
export const ticketRowSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  subject: z.string(),
  description: z.string(),
  description_public: z.boolean(),
  status: z.string(),
  priority: z.string(),
  visibility: z.string(),
  via: z.string(),
  rq_id: z.string(),
  rq_email: z.string(),
  rq_name: z.string(),
  sb_id: z.string(),
  sb_email: z.string(),
  sb_name: z.string(),
  as_id: maybe,
  as_email: maybe,
  as_name: maybe,
  s_id: maybe,
  s_name: maybe,
  o_id: maybe,
  o_name: maybe,
  follow_up_of: z.number().int().nullable(),
  source_url: maybe,
  solved_at: maybeDate,
  closed_at: maybeDate,
  created_at: date,
  updated_at: date,
  r_score: z.number().int().nullable(),
  r_comment: maybe,
  r_created_at: maybeDate,
  version: z.number().int(),
  tags: z.array(z.string()),
  first_reply_at: maybeDate,
  waiting_since: maybeDate,
  first_reply_due_at: maybeDate,
  next_reply_due_at: maybeDate,
  resolution_due_at: maybeDate,
  sla_due_at: maybeDate,
  sla_check_at: maybeDate,
});

export function ticketViewOf(raw: unknown): TicketView {
  const r = ticketRowSchema.parse(raw);
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    description: r.description,
    descriptionPublic: r.description_public,
    status: r.status as TicketStatus,
    priority: r.priority as TicketPriority,
    visibility: r.visibility as Visibility,
    via: r.via,
    requester: { id: r.rq_id, email: r.rq_email, name: r.rq_name },
    submitter: { id: r.sb_id, email: r.sb_email, name: r.sb_name },
    assignee: r.as_id ? { id: r.as_id, email: r.as_email!, name: r.as_name! } : null,
    service: r.s_id ? { id: r.s_id, name: r.s_name! } : null,
    organization: r.o_id ? { id: r.o_id, name: r.o_name! } : null,
    followUpOf: r.follow_up_of,
    sourceUrl: r.source_url,
    solvedAt: r.solved_at,
    closedAt: r.closed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    rating: r.r_score !== null ? { score: r.r_score, comment: r.r_comment, createdAt: r.r_created_at! } : null,
    version: r.version,
    tags: r.tags,
    sla: {
      firstReplyAt: r.first_reply_at,
      waitingSince: r.waiting_since,
      firstReplyDueAt: r.first_reply_due_at,
      nextReplyDueAt: r.next_reply_due_at,
      resolutionDueAt: r.resolution_due_at,
      dueAt: r.sla_due_at,
      checkAt: r.sla_check_at,
    },
  };
}

/** A copy the caller may change without changing the transaction's own. */
export function copyTicket(t: TicketView): TicketView {
  return { ...t, tags: [...t.tags], sla: { ...t.sla } };
}
