/** The list call's query parameters as the store's filter, on top of a view's when one is named. */
import type { TicketFilter } from '../../core/ports/store-port.ts';
import type { z } from 'zod';
import type { ticketListQuery } from './schemas.ts';
import { normaliseTags } from '../../core/tickets/tag-rules.ts';

export function ticketListFilter(base: TicketFilter, q: z.output<typeof ticketListQuery>, me: string): TicketFilter {
  const assignee = q.assigneeId === 'me' ? me : q.assigneeId === 'none' ? null : q.assigneeId;
  const tags = q.tag ? normaliseTags(q.tag.split(',').filter((t) => t.trim()), 'tag') : undefined;
  return {
    ...base,
    ...(q.status ? { status: q.status } : {}),
    ...(q.requesterEmail ? { requesterEmail: q.requesterEmail } : {}),
    ...(q.query ? { query: q.query } : {}),
    ...(assignee !== undefined ? { assigneeId: assignee } : {}),
    ...(q.service ? { serviceId: q.service } : {}),
    ...(q.via ? { via: q.via } : {}),
    ...(q.priority ? { priority: q.priority } : {}),
    ...(tags?.length ? { tags } : {}),
    ...(q.breaching ? { breaching: q.breaching === 'true' } : {}),
    ...(q.waiting ? { waiting: q.waiting === 'true' } : {}),
    ...(q.sort ? { sort: q.sort, order: q.order } : q.order ? { order: q.order } : {}),
  };
}
