import { describe, expect, it } from 'vitest';
import { onAssigned, onCustomerMessage, onSlaAlert } from './notification-rules.ts';

describe('notification rules', () => {
  it('tells the new assignee, unless they assigned themselves', () => {
    expect(onAssigned('t', 'ann', 'bob')).toEqual([{ agentId: 'ann', ticketId: 't', kind: 'assigned', actorId: 'bob' }]);
    expect(onAssigned('t', 'ann', 'ann')).toEqual([]);
    expect(onAssigned('t', null, 'bob')).toEqual([]);
  });
  it("tells the assignee of their customer's messages only", () => {
    expect(onCustomerMessage('t', 'ann', { id: 'carol', staff: false }, 'c1')).toEqual([{ agentId: 'ann', ticketId: 't', kind: 'customer_replied', actorId: 'carol', commentId: 'c1' }]);
    expect(onCustomerMessage('t', 'ann', { id: 'bob', staff: true }, 'c1')).toEqual([]);
    expect(onCustomerMessage('t', null, { id: 'carol', staff: false }, 'c1')).toEqual([]);
  });
  it('tells the assignee of SLA warnings and breaches, with the target', () => {
    const dueAt = new Date();
    expect(onSlaAlert('t', 'ann', { target: 'first_reply', kind: 'breach', dueAt })).toEqual([{ agentId: 'ann', ticketId: 't', kind: 'sla_breach', detail: 'first_reply' }]);
    expect(onSlaAlert('t', 'ann', { target: 'resolution', kind: 'warning', dueAt })[0]!.kind).toBe('sla_warning');
    expect(onSlaAlert('t', null, { target: 'resolution', kind: 'warning', dueAt })).toEqual([]);
  });
});
