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
