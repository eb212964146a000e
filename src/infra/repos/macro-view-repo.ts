/** Macros, saved views and the tag catalog on PostgreSQL. */
import type { Db } from '../db/prisma.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import type { MacroRecord, MacroRepo, SavedViewRecord, TagRepo, ViewFilters, ViewRepo } from '../../core/ports/agent-work-port.ts';
import type { SortOrder, TicketSort } from '../../core/tickets/ticket-types.ts';

type MacroRow = Prisma.MacroGetPayload<object>;
function toMacro(r: MacroRow): MacroRecord {
  return {
    id: r.id,
    name: r.name,
    ownerId: r.ownerId,
    body: r.body,
    public: r.public,
    status: r.status as MacroRecord['status'],
    priority: r.priority as MacroRecord['priority'],
    assigneeId: r.assigneeId,
    assignToSelf: r.assignToSelf,
    addTags: r.addTags,
    removeTags: r.removeTags,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

type ViewRow = Prisma.SavedViewGetPayload<object>;
function toView(r: ViewRow): SavedViewRecord {
  return { id: r.id, name: r.name, ownerId: r.ownerId, filters: r.filters as ViewFilters, sort: r.sort as TicketSort, order: r.sortOrder as SortOrder | null, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const visibleTo = (agentId: string) => ({ OR: [{ ownerId: null }, { ownerId: agentId }] });

export function createMacroRepo(db: Db): MacroRepo {
  const data = (m: Parameters<MacroRepo['insert']>[0]) => ({
    name: m.name,
    ownerId: m.ownerId,
    body: m.body,
    public: m.public,
    status: m.status,
    priority: m.priority,
    assigneeId: m.assigneeId,
    assignToSelf: m.assignToSelf,
    addTags: m.addTags,
    removeTags: m.removeTags,
  });
  return {
    async listFor(agentId) {
      return (await db.macro.findMany({ where: visibleTo(agentId), orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(toMacro);
    },
    async get(id) {
      if (!UUID_RE.test(id)) return null;
      const r = await db.macro.findUnique({ where: { id } });
      return r ? toMacro(r) : null;
    },
    async insert(m, createdById) {
      return toMacro(await db.macro.create({ data: { ...data(m), createdById } }));
    },
    async update(id, m) {
      return toMacro(await db.macro.update({ where: { id }, data: data(m) }));
    },
    async delete(id) {
      await db.macro.delete({ where: { id } });
    },
  };
}

export function createViewRepo(db: Db): ViewRepo {
  const data = (v: Parameters<ViewRepo['insert']>[0]) => ({ name: v.name, ownerId: v.ownerId, filters: v.filters as Prisma.InputJsonValue, sort: v.sort, sortOrder: v.order });
  return {
    async listFor(agentId) {
      return (await db.savedView.findMany({ where: visibleTo(agentId), orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(toView);
    },
    async get(id) {
      if (!UUID_RE.test(id)) return null;
      const r = await db.savedView.findUnique({ where: { id } });
      return r ? toView(r) : null;
    },
    async insert(v, createdById) {
      return toView(await db.savedView.create({ data: { ...data(v), createdById } }));
    },
    async update(id, v) {
      return toView(await db.savedView.update({ where: { id }, data: data(v) }));
    },
    async delete(id) {
      await db.savedView.delete({ where: { id } });
    },
  };
}

export function createTagRepo(db: Db): TagRepo {
  return {
    async list(prefix, limit) {
      const rows = await db.tag.findMany({ where: prefix ? { name: { startsWith: prefix } } : {}, orderBy: { name: 'asc' }, take: limit, select: { name: true } });
      return rows.map((r) => r.name);
    },
  };
}
