import { z } from 'zod';
import { SORT_ORDERS, TICKET_PRIORITIES, TICKET_SORTS, TICKET_STATUSES, VISIBILITIES } from '../../core/tickets/ticket-types.ts';
import { MAX_TAGS } from '../../core/tickets/tag-rules.ts';

const email = z.string().trim().max(254).email('must be an email address');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export const createAgentBody = z.strictObject({
  email,
  name: text(200),
  password: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
});

export const createServiceBody = z.strictObject({ name: text(100), description: z.string().max(2000).optional() });

export const createUserBody = z.strictObject({
  email,
  name: text(200),
  phone: z.string().trim().max(40).regex(/^[+0-9 ()-]*$/, 'must be a phone number').optional(),
  organization: z.string().trim().max(200).optional(),
});

/** Tags as given; the core folds and checks each one. */
export const tagList = z.array(z.string().max(100)).max(MAX_TAGS, `at most ${MAX_TAGS} tags`);

export const pageOnlyQuery = z.strictObject({ ...pageQuery });

export const userQuery = z.strictObject({ query: z.string().max(200).default(''), ...pageQuery });

export const createTicketBody = z
  .strictObject({
    subject: text(250),
    description: text(65_000),
    requesterEmail: email.optional(),
    requesterId: z.uuid('must be a user id').optional(),
    requesterName: z.string().trim().max(200).optional(),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    status: z.enum(TICKET_STATUSES).optional(),
    service: z.uuid('must be a service id').optional(),
    assigneeId: z.uuid('must be an agent id').optional(),
    tags: tagList.optional(),
  })
  .refine((v) => !(v.requesterEmail && v.requesterId), { message: 'give requesterEmail or requesterId, not both', path: ['requesterId'] });

export const ticketListQuery = z.strictObject({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(TICKET_STATUSES)).optional()),
  requesterEmail: z.string().trim().max(254).optional(),
  query: z.string().max(200).optional(),
  /** an agent's id, "me" or "none" (unassigned) */
  assigneeId: z.union([z.uuid(), z.enum(['me', 'none'])], { error: 'must be an agent id, "me" or "none"' }).optional(),
  service: z.uuid().optional(),
  via: z.string().max(20).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  /** comma-separated: tickets carrying every one */
  tag: z.string().max(500).optional(),
  breaching: z.enum(['true', 'false']).optional(),
  waiting: z.enum(['true', 'false']).optional(),
  sort: z.enum(TICKET_SORTS).optional(),
  order: z.enum(SORT_ORDERS).optional(),
  /** a built-in view (mine, unassigned, waiting, breaching) or a saved view's id; the other parameters refine it */
  view: z.string().max(40).optional(),
  ...pageQuery,
});

export const ticketNumberParam = z.strictObject({
  number: z.coerce.number().int('must be a ticket number').positive('must be a ticket number').max(2_147_483_647),
});
export const idParam = z.strictObject({ id: z.uuid('must be an id') });

export const patchTicketBody = z
  .strictObject({
    status: z.enum(TICKET_STATUSES).optional(),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    assigneeId: z.uuid('must be an agent id').nullable().optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    /** replaces the ticket's tags */
    tags: tagList.optional(),
    addTags: tagList.optional(),
    removeTags: tagList.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one of status, priority, assigneeId, visibility, tags, addTags, removeTags' });

export const createCommentBody = z
  .strictObject({
    // Empty only when files carry the comment.
    body: z.string().trim().max(65_000, 'must be at most 65000 characters'),
    public: z.boolean({ error: 'must be true or false' }),
    status: z.enum(TICKET_STATUSES).optional(),
    attachmentIds: z.array(z.uuid('must be upload ids')).max(20, 'at most 20 files per comment').optional(),
  })
  .refine((b) => b.body !== '' || (b.attachmentIds?.length ?? 0) > 0, { path: ['body'], message: 'must not be empty' });

export const uploadQuery = z.strictObject({
  filename: z.string().trim().min(1, 'must name the file').max(255, 'must be at most 255 characters'),
});

export const commentParam = z.strictObject({
  number: z.coerce.number().int('must be a ticket number').positive('must be a ticket number').max(2_147_483_647),
  id: z.uuid('must be a comment id'),
});
export const editCommentBody = z.strictObject({ body: text(65_000) });

export const inboxQuery = z.strictObject({ status: z.enum(['pending', 'done', 'dead']).default('dead'), ...pageQuery });
export const inboxRetryQuery = z.strictObject({
  platform: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a platform name such as slack').optional(),
});
export const inboxIdParam = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be an event id') });

export const patchAgentBody = z.strictObject({ active: z.boolean({ error: 'must be true or false' }) });
export const createTokenBody = z.strictObject({
  label: text(100).default('API token'),
  expiresInDays: z.number().int('must be a whole number of days').min(1).max(3650).optional(),
});
export const tokenParam = z.strictObject({ id: z.uuid('must be an id'), tokenId: z.uuid('must be a token id') });
