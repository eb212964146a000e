/**
 * Narrow ports for what agents work with besides tickets: notifications, SLA policies, macros, saved views and
 * the tag catalog. Writes that belong to a ticket change go through StoreTx instead (same transaction).
 */
import type { BusinessHours } from '../sla/business-hours.ts';
import type { SlaPolicy } from '../sla/sla-rules.ts';
import type { SortOrder, TicketPriority, TicketSort, TicketStatus } from '../tickets/ticket-types.ts';
import type { Page } from './store-port.ts';

export const NOTIFICATION_KINDS = ['assigned', 'customer_replied', 'sla_warning', 'sla_breach'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationInput {
  agentId: string;
  ticketId: string;
  kind: NotificationKind;
  actorId?: string | null;
  commentId?: string | null;
  detail?: string | null;
}

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  ticket: { number: number; subject: string };
  actor: { id: string; name: string } | null;
  commentId: string | null;
  detail: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export interface NotificationRepo {
  list(agentId: string, opts: { unreadOnly: boolean; limit: number; cursor: string | null }): Promise<Page<NotificationView>>;
  unreadCount(agentId: string): Promise<number>;
  /** Marks the given notifications of this agent read (all of them when `ids` is null); returns how many. */
  markRead(agentId: string, ids: string[] | null, at: Date): Promise<number>;
}

export interface SlaRepo {
  listPolicies(): Promise<SlaPolicy[]>;
  upsertPolicy(p: SlaPolicy): Promise<SlaPolicy>;
  deletePolicy(priority: TicketPriority): Promise<boolean>;
  /** Ids of tickets whose SLA check time has come, oldest first. */
  ticketsToCheck(now: Date, limit: number): Promise<string[]>;
}

export interface MacroActions {
  status: Exclude<TicketStatus, 'closed'> | null;
  priority: TicketPriority | null;
  assigneeId: string | null;
  assignToSelf: boolean;
  addTags: string[];
  removeTags: string[];
}

export interface MacroRecord extends MacroActions {
  id: string;
  name: string;
  /** null: shared with every agent */
  ownerId: string | null;
  body: string | null;
  public: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type MacroInput = Omit<MacroRecord, 'id' | 'createdAt' | 'updatedAt'>;

/** Things shared with every agent (ownerId null) or one agent's own: macros and saved views. */
export interface OwnedRepo<R, I> {
  /** The shared ones and the agent's own, by name. */
  listFor(agentId: string): Promise<R[]>;
  get(id: string): Promise<R | null>;
  insert(item: I, createdById: string): Promise<R>;
  update(id: string, item: I): Promise<R>;
  delete(id: string): Promise<void>;
}

export type MacroRepo = OwnedRepo<MacroRecord, MacroInput>;

/** A view's filters as stored: what a person chose, resolved against who looks ("me") when listed. */
export interface ViewFilters {
  status?: TicketStatus[];
  priority?: TicketPriority;
  /** an agent's id, "me" or "none" (unassigned) */
  assignee?: string;
  serviceId?: string;
  via?: string;
  tags?: string[];
  breaching?: boolean;
  waiting?: boolean;
  query?: string;
}

export interface SavedViewRecord {
  id: string;
  name: string;
  ownerId: string | null;
  filters: ViewFilters;
  sort: TicketSort;
  order: SortOrder | null;
  createdAt: Date;
  updatedAt: Date;
}

export type SavedViewInput = Omit<SavedViewRecord, 'id' | 'createdAt' | 'updatedAt'>;

export type ViewRepo = OwnedRepo<SavedViewRecord, SavedViewInput>;

export interface TagRepo {
  /** Tags in use starting with `prefix`, alphabetically. */
  list(prefix: string, limit: number): Promise<string[]>;
}

export type { BusinessHours };
