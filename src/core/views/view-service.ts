/** Saved views (shared or personal) next to the built-in ones, each with how many tickets it holds. */
import { DomainError } from '../errors.ts';
import { assertCanEdit, canSee, ownerFor, type Owner } from '../ownership-rules.ts';
import type { SavedViewRecord, ViewRepo } from '../ports/agent-work-port.ts';
import type { Store, TicketFilter } from '../ports/store-port.ts';
import { BUILT_IN_VIEWS, normaliseViewFilters, toTicketFilter, type ViewDefinition } from './view-rules.ts';

/** A badge shows "1000+" beyond this: counting further would read every matching row. */
export const VIEW_COUNT_CAP = 1000;

export interface ViewSummary extends ViewDefinition {
  id: string;
  name: string;
  builtIn: boolean;
  shared: boolean;
  count: number;
  countCapped: boolean;
}

export interface ViewFields extends ViewDefinition {
  name: string;
  shared: boolean;
}

export function createViewService(deps: { repo: ViewRepo; store: Pick<Store, 'countTickets'> }) {
  const { repo, store } = deps;

  async function visible(actor: Owner, id: string): Promise<SavedViewRecord> {
    const v = await repo.get(id);
    if (!v || !canSee(actor, v.ownerId)) throw new DomainError('view_not_found', 'no such view');
    return v;
  }
  function checked(f: ViewFields) {
    const name = f.name.trim();
    if (!name) throw new DomainError('validation_failed', 'must not be empty', 'name');
    return { name, filters: normaliseViewFilters(f.filters), sort: f.sort, order: f.order };
  }

  return {
    async list(actor: Owner): Promise<ViewSummary[]> {
      const stored = await repo.listFor(actor.id);
      const all = [
        ...BUILT_IN_VIEWS.map((v) => ({ ...v, builtIn: true, shared: true })),
        ...stored.map((v) => ({ id: v.id, name: v.name, filters: v.filters, sort: v.sort, order: v.order, builtIn: false, shared: v.ownerId === null })),
      ];
      return Promise.all(
        all.map(async (v) => {
          const { count, capped } = await store.countTickets(toTicketFilter(v, actor.id), VIEW_COUNT_CAP);
          return { ...v, count, countCapped: capped };
        }),
      );
    },

    /** The store's filter for a view (built in or saved) as this agent sees it. */
    async filterOf(actor: Owner, id: string): Promise<TicketFilter> {
      const built = BUILT_IN_VIEWS.find((v) => v.id === id);
      return toTicketFilter(built ?? (await visible(actor, id)), actor.id);
    },

    get: visible,

    async create(actor: Owner, f: ViewFields): Promise<SavedViewRecord> {
      return repo.insert({ ...checked(f), ownerId: ownerFor(actor, f.shared) }, actor.id);
    },

    async update(actor: Owner, id: string, f: ViewFields): Promise<SavedViewRecord> {
      const v = await visible(actor, id);
      assertCanEdit(actor, v.ownerId, 'view_not_found');
      const ownerId = f.shared ? ownerFor(actor, true) : (v.ownerId ?? actor.id);
      return repo.update(id, { ...checked(f), ownerId });
    },

    async delete(actor: Owner, id: string): Promise<void> {
      const v = await visible(actor, id);
      assertCanEdit(actor, v.ownerId, 'view_not_found');
      await repo.delete(id);
    },
  };
}

export type ViewService = ReturnType<typeof createViewService>;
