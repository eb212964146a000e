import { describe, expect, it } from 'vitest';
import { readDomainEvent } from './domain-events.ts';

describe('reading a stored outbox event through the typed union', () => {
  it('returns the event when its payload is what its type promises', () => {
    expect(readDomainEvent('ticket.status_changed', { number: 3, from: 'open', to: 'pending' })).toEqual({ type: 'ticket.status_changed', payload: { number: 3, from: 'open', to: 'pending' } });
    expect(readDomainEvent('comment.added', { number: 3, commentId: 'c1', public: true, byStaff: true, via: 'api' })?.payload).toMatchObject({ commentId: 'c1', public: true });
  });
  it('treats anything else as unknown: a wrong status, a missing comment, an unknown type', () => {
    expect(readDomainEvent('ticket.status_changed', { from: 'open', to: 'archived' })).toBeNull();
    expect(readDomainEvent('ticket.created', { number: 1 })).toBeNull();
    expect(readDomainEvent('comment.added', { number: 1 })).toBeNull();
    expect(readDomainEvent('comment.edited', 'not an object')).toBeNull();
    expect(readDomainEvent('ticket.exploded', {})).toBeNull();
  });
});
