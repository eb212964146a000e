/** Request schemas of the agent-work calls (bulk changes, macros, views, SLA policies, notifications, tags). */
import { z } from 'zod';
import { SORT_ORDERS, TICKET_PRIORITIES, TICKET_SORTS, TICKET_STATUSES } from '../../core/tickets/ticket-types.ts';
import { MAX_BULK } from '../../core/tickets/bulk-change.ts';
import { pageQuery, tagList } from './schemas.ts';

const settableStatus = z.enum(TICKET_STATUSES.filter((s) => s !== 'closed') as ['new', 'open', 'pending', 'on_hold', 'solved'], {
  error: 'must be new, open, pending, on_hold or solved',
});
const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

export const bulkBody = z
  .strictObject({
    tickets: z
      .array(z.strictObject({ number: z.number().int().positive().max(2_147_483_647), version: z.number().int().positive().optional() }))
      .min(1, 'give at least one ticket')
      .max(MAX_BULK, `at most ${MAX_BULK} tickets at once`),
    status: settableStatus.optional(),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    assigneeId: z.uuid('must be an agent id').nullable().optional(),
    addTags: tagList.optional(),
    removeTags: tagList.optional(),
  })
  .refine((v) => v.status || v.priority || v.assigneeId !== undefined || v.addTags?.length || v.removeTags?.length, {
    message: 'give at least one of status, priority, assigneeId, addTags, removeTags',
  });

export const macroBody = z.strictObject({
  name,
  shared: z.boolean().default(false),
  body: z.string().max(65_000).nullable().default(null),
  public: z.boolean().default(false),
  status: settableStatus.nullable().default(null),
  priority: z.enum(TICKET_PRIORITIES).nullable().default(null),
  assigneeId: z.uuid('must be an agent id').nullable().default(null),
  assignToSelf: z.boolean().default(false),
  addTags: tagList.default([]),
  removeTags: tagList.default([]),
});

export const applyMacroBody = z.strictObject({ macroId: z.uuid('must be a macro id') });

export const viewFilters = z.strictObject({
  status: z.array(z.enum(TICKET_STATUSES)).max(6).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  assignee: z.string().max(40).optional(),
  serviceId: z.uuid().optional(),
  via: z.string().max(20).optional(),
  tags: tagList.optional(),
  breaching: z.boolean().optional(),
  waiting: z.boolean().optional(),
  query: z.string().max(200).optional(),
});

export const viewBody = z.strictObject({
  name,
  shared: z.boolean().default(false),
  filters: viewFilters.default({}),
  sort: z.enum(TICKET_SORTS).default('number'),
  order: z.enum(SORT_ORDERS).nullable().default(null),
});

const minutes = z.number().int('must be whole minutes').positive('must be at least 1').nullable().default(null);
export const slaPolicyBody = z.strictObject({
  firstReplyMinutes: minutes,
  nextReplyMinutes: minutes,
  resolutionMinutes: minutes,
  businessHours: z
    .strictObject({
      timeZone: z.string().min(1).max(64),
      hours: z.array(z.strictObject({ day: z.number().int().min(1).max(7), start: z.string().max(5), end: z.string().max(5) })).min(1).max(50),
    })
    .nullable()
    .default(null),
});
export const priorityParam = z.strictObject({ priority: z.enum(TICKET_PRIORITIES) });

export const notificationsQuery = z.strictObject({ unread: z.enum(['true', 'false']).optional(), ...pageQuery });
export const markReadBody = z
  .strictObject({ ids: z.array(z.uuid()).min(1).max(500).optional(), all: z.literal(true).optional() })
  .refine((v) => Boolean(v.ids) !== Boolean(v.all), { message: 'give ids or all: true' });

export const tagsQuery = z.strictObject({ prefix: z.string().max(50).default(''), limit: z.coerce.number().int().min(1).max(200).default(50) });
