/**
 * Views: queue filters and a sort under a name. Four are built in, so that work finds its agent from the first
 * start: my open tickets, unassigned, waiting on us longest, and breaching their SLA. A view's filters are stored
 * as chosen ("me", not an id), and resolved against whoever looks at it.
 */
import { DomainError } from '../errors.ts';
import type { ViewFilters } from '../ports/agent-work-port.ts';
import type { TicketFilter } from '../ports/store-port.ts';
import { normaliseTags } from '../tickets/tag-rules.ts';
import { UNSOLVED_STATUSES, type SortOrder, type TicketSort } from '../tickets/ticket-types.ts';
import { UUID_RE } from '../text-rules.ts';

export interface ViewDefinition {
  filters: ViewFilters;
  sort: TicketSort;
  order: SortOrder | null;
}

export const BUILT_IN_VIEWS: readonly ({ id: string; name: string } & ViewDefinition)[] = [
  { id: 'mine', name: 'My open tickets', filters: { status: [...UNSOLVED_STATUSES], assignee: 'me' }, sort: 'updated', order: null },
  { id: 'unassigned', name: 'Unassigned', filters: { status: [...UNSOLVED_STATUSES], assignee: 'none' }, sort: 'number', order: 'asc' },
  { id: 'waiting', name: 'Waiting on us longest', filters: { waiting: true }, sort: 'waiting', order: null },
  { id: 'breaching', name: 'Breaching SLA', filters: { breaching: true }, sort: 'due', order: null },
];


/** Filters as a person chose them, checked and normalised for keeping. */
export function normaliseViewFilters(f: ViewFilters): ViewFilters {
  if (f.assignee !== undefined && f.assignee !== 'me' && f.assignee !== 'none' && !UUID_RE.test(f.assignee))
    throw new DomainError('validation_failed', 'an agent id, "me" or "none"', 'assignee');
  const query = f.query?.trim();
  return {
    ...f,
    ...(f.tags ? { tags: normaliseTags(f.tags) } : {}),
    ...(f.status ? { status: [...new Set(f.status)] } : {}),
    ...(query !== undefined ? (query ? { query } : { query: undefined }) : {}),
  };
}

/** The store's filter for a view, as the agent `me` sees it. */
export function toTicketFilter(v: ViewDefinition, me: string): TicketFilter {
  const f = v.filters;
  return {
    status: f.status,
    priority: f.priority,
    assigneeId: f.assignee === 'me' ? me : f.assignee === 'none' ? null : f.assignee,
    serviceId: f.serviceId,
    via: f.via,
    tags: f.tags,
    breaching: f.breaching,
    waiting: f.waiting,
    query: f.query,
    sort: v.sort,
    order: v.order ?? undefined,
  };
}
