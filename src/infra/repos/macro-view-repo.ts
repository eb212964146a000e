/** Macros, saved views and the tag catalog on PostgreSQL. */
import type { Db } from '../db/prisma.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { MacroRecord, MacroRepo, OwnedRepo, SavedViewRecord, TagRepo, ViewFilters, ViewRepo } from '../../core/ports/agent-work-port.ts';
import type { SortOrder, TicketSort } from '../../core/tickets/ticket-types.ts';
import { UUID_RE } from '../../core/text-rules.ts';

type MacroRow = Prisma.MacroGetPayload<object>;
function toMacro(r: MacroRow): MacroRecord {
  const { createdById: _by, ...rest } = r;
  return { ...rest, status: r.status as MacroRecord['status'], priority: r.priority as MacroRecord['priority'] };
}

type ViewRow = Prisma.SavedViewGetPayload<object>;
function toView(r: ViewRow): SavedViewRecord {
  return { id: r.id, name: r.name, ownerId: r.ownerId, filters: r.filters as ViewFilters, sort: r.sort as TicketSort, order: r.sortOrder as SortOrder | null, createdAt: r.createdAt, updatedAt: r.updatedAt };
}


/** The part of a Prisma model delegate that an owned-item table needs (macros and saved views share it). */
interface OwnedDelegate<Row> {
  findMany(args: { where: object; orderBy: object[] }): Promise<Row[]>;
  findUnique(args: { where: { id: string } }): Promise<Row | null>;
  create(args: { data: object }): Promise<Row>;
  update(args: { where: { id: string }; data: object }): Promise<Row>;
  delete(args: { where: { id: string } }): Promise<unknown>;
}

function ownedRepo<Row, R, I>(table: OwnedDelegate<Row>, toRecord: (r: Row) => R, toData: (item: I) => object): OwnedRepo<R, I> {
  return {
    async listFor(agentId) {
      return (await table.findMany({ where: { OR: [{ ownerId: null }, { ownerId: agentId }] }, orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(toRecord);
    },
    async get(id) {
      if (!UUID_RE.test(id)) return null;
      const r = await table.findUnique({ where: { id } });
      return r ? toRecord(r) : null;
    },
    insert: async (item, createdById) => toRecord(await table.create({ data: { ...toData(item), createdById } })),
    update: async (id, item) => toRecord(await table.update({ where: { id }, data: toData(item) })),
    async delete(id) {
      await table.delete({ where: { id } });
    },
  };
}

export function createMacroRepo(db: Db): MacroRepo {
  return ownedRepo(db.macro as unknown as OwnedDelegate<MacroRow>, toMacro, (m: Parameters<MacroRepo['insert']>[0]) => ({ ...m }));
}

export function createViewRepo(db: Db): ViewRepo {
  return ownedRepo(db.savedView as unknown as OwnedDelegate<ViewRow>, toView, (v: Parameters<ViewRepo['insert']>[0]) => ({
    name: v.name,
    ownerId: v.ownerId,
    filters: v.filters as Prisma.InputJsonValue,
    sort: v.sort,
    sortOrder: v.order,
  }));
}

export function createTagRepo(db: Db): TagRepo {
  return {
    async list(prefix, limit) {
      const rows = await db.tag.findMany({ where: prefix ? { name: { startsWith: prefix } } : {}, orderBy: { name: 'asc' }, take: limit, select: { name: true } });
      return rows.map((r) => r.name);
    },
  };
}
