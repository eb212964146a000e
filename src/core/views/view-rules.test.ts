import { describe, expect, it } from 'vitest';
import { BUILT_IN_VIEWS, normaliseViewFilters, toTicketFilter } from './view-rules.ts';

describe('views', () => {
  it('resolves "me" and "none" against who looks', () => {
    const mine = BUILT_IN_VIEWS.find((v) => v.id === 'mine')!;
    expect(toTicketFilter(mine, 'agent-1')).toMatchObject({ assigneeId: 'agent-1', status: ['new', 'open', 'pending', 'on_hold'], sort: 'updated' });
    const unassigned = BUILT_IN_VIEWS.find((v) => v.id === 'unassigned')!;
    expect(toTicketFilter(unassigned, 'agent-1').assigneeId).toBeNull();
    expect(toTicketFilter({ filters: {}, sort: 'number', order: null }, 'x').assigneeId).toBeUndefined();
  });
  it('builds the breaching and waiting views on their sorts', () => {
    expect(toTicketFilter(BUILT_IN_VIEWS.find((v) => v.id === 'breaching')!, 'x')).toMatchObject({ breaching: true, sort: 'due' });
    expect(toTicketFilter(BUILT_IN_VIEWS.find((v) => v.id === 'waiting')!, 'x')).toMatchObject({ waiting: true, sort: 'waiting' });
  });
  it('normalises what it keeps and refuses a bad assignee', () => {
    expect(normaliseViewFilters({ tags: ['VIP', 'vip'], query: '  vpn ', status: ['open', 'open'] })).toEqual({ tags: ['vip'], query: 'vpn', status: ['open'] });
    expect(() => normaliseViewFilters({ assignee: 'bob' })).toThrow(/an agent id, "me" or "none"/);
  });
});
