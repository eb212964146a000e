export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/**
 * The channel a ticket or comment came in through: "web" (the help center), "api", or the name a chat adapter
 * declares. The core never branches on a chat platform's name.
 */
export type Via = string;

export const ROLES = ['end_user', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isStaff(role: Role): boolean {
  return role === 'agent' || role === 'admin';
}

/** The statuses a queue calls "unsolved": someone still has work to do. */
export const UNSOLVED_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const satisfies readonly TicketStatus[];

/**
 * Queue orders. `created` is the ticket number's order (numbers increase with creation); each has a natural
 * direction: newest first, most recently updated first, most urgent first, waiting longest first, due soonest first.
 */
export const TICKET_SORTS = ['number', 'created', 'updated', 'priority', 'waiting', 'due'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const NATURAL_ORDER: Record<TicketSort, SortOrder> = { number: 'desc', created: 'desc', updated: 'desc', priority: 'desc', waiting: 'asc', due: 'asc' };
