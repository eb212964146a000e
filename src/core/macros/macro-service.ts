/** Macros: list, keep, and apply to a ticket (the reply and the changes in one transaction, one version check). */
import { DomainError } from '../errors.ts';
import { assertCanEdit, canSee, ownerFor, type Owner } from '../ownership-rules.ts';
import type { MacroActions, MacroRecord, MacroRepo } from '../ports/agent-work-port.ts';
import type { CommentView, Store, TicketView } from '../ports/store-port.ts';
import { normaliseTags } from '../tickets/tag-rules.ts';
import { isStaff } from '../tickets/ticket-types.ts';
import type { ChangeOptions, TicketService } from '../tickets/ticket-service.ts';
import { assertMacroDoesSomething, renderMacroBody } from './macro-rules.ts';

export interface MacroFields extends MacroActions {
  name: string;
  shared: boolean;
  body: string | null;
  public: boolean;
}

export interface MacroServiceDeps {
  repo: MacroRepo;
  store: Pick<Store, 'getUser' | 'getTicket'>;
  tickets: Pick<TicketService, 'applyChanges'>;
}

export function createMacroService(deps: MacroServiceDeps) {
  const { repo, store } = deps;

  async function checked(f: MacroFields): Promise<Omit<MacroFields, 'shared'>> {
    const { shared: _shared, ...rest } = f;
    const m = { ...rest, name: f.name.trim(), body: f.body?.trim() ? f.body : null, addTags: normaliseTags(f.addTags, 'addTags'), removeTags: normaliseTags(f.removeTags, 'removeTags') };
    if (!m.name) throw new DomainError('validation_failed', 'must not be empty', 'name');
    assertMacroDoesSomething(m);
    if (m.assigneeId) {
      const a = await store.getUser(m.assigneeId);
      if (!a || !isStaff(a.role)) throw new DomainError('validation_failed', 'assigneeId must be an agent', 'assigneeId');
    }
    return m;
  }

  async function visible(actor: Owner, id: string): Promise<MacroRecord> {
    const m = await repo.get(id);
    if (!m || !canSee(actor, m.ownerId)) throw new DomainError('macro_not_found', 'no such macro');
    return m;
  }

  return {
    list: (actor: Owner) => repo.listFor(actor.id),
    get: visible,

    async create(actor: Owner, f: MacroFields): Promise<MacroRecord> {
      const ownerId = ownerFor(actor, f.shared);
      return repo.insert({ ...(await checked(f)), ownerId }, actor.id);
    },

    async update(actor: Owner, id: string, f: MacroFields): Promise<MacroRecord> {
      const m = await visible(actor, id);
      assertCanEdit(actor, m.ownerId, 'macro_not_found');
      // Sharing or unsharing moves the macro between the admin's list and the owner's.
      const ownerId = f.shared ? ownerFor(actor, true) : (m.ownerId ?? actor.id);
      return repo.update(id, { ...(await checked(f)), ownerId });
    },

    async delete(actor: Owner, id: string): Promise<void> {
      const m = await visible(actor, id);
      assertCanEdit(actor, m.ownerId, 'macro_not_found');
      await repo.delete(id);
    },

    async apply(actor: Owner, number: number, macroId: string, via: string, opts: ChangeOptions = {}): Promise<{ ticket: TicketView; comment: CommentView | null }> {
      const m = await visible(actor, macroId);
      const t = await store.getTicket(number);
      if (!t) throw new DomainError('ticket_not_found', `ticket ${number} does not exist`);
      const agent = await store.getUser(actor.id);
      const body = m.body ? renderMacroBody(m.body, { ticket: t, requester: t.requester, agent: { name: agent?.name ?? '' } }) : null;
      return deps.tickets.applyChanges(
        number,
        actor,
        {
          comment: body ? { body, public: m.public } : undefined,
          patch: {
            ...(m.status ? { status: m.status } : {}),
            ...(m.priority ? { priority: m.priority } : {}),
            ...(m.assignToSelf ? { assigneeId: actor.id } : m.assigneeId ? { assigneeId: m.assigneeId } : {}),
            ...(m.addTags.length || m.removeTags.length ? { tags: { add: m.addTags, remove: m.removeTags } } : {}),
          },
        },
        via,
        opts,
      );
    },
  };
}

export type MacroService = ReturnType<typeof createMacroService>;
