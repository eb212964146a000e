import { describe, expect, it } from 'vitest';
import { toRichMessage } from './outbound-messages.ts';

const ticket = { number: 7, subject: 'Backup failed', status: 'open' as const, priority: 'normal' as const, url: 'http://h/tickets/7' };

describe('what a domain event becomes in a chat thread', () => {
  it('a confirmation shows the status the ticket was created with, even when delivered after a change', () => {
    expect(toRichMessage({ type: 'ticket.created', payload: { number: 7, status: 'new' } }, ticket, null)).toEqual({
      kind: 'ticket_confirmation',
      ticket: { ...ticket, status: 'new' },
    });
  });
  it('a solved ticket gets the rating prompt instead of a plain status message', () => {
    expect(toRichMessage({ type: 'ticket.status_changed', payload: { from: 'open', to: 'solved' } }, ticket, null)).toBeNull();
    expect(toRichMessage({ type: 'ticket.solved', payload: {} }, ticket, null)).toEqual({ kind: 'rating_prompt', ticket });
  });
  it('never carries an internal or deleted comment', () => {
    const ev = { type: 'comment.added', payload: { commentId: 'c' } };
    expect(toRichMessage(ev, ticket, { body: 'x', authorName: 'A', public: false, deleted: false })).toBeNull();
    expect(toRichMessage(ev, ticket, { body: 'x', authorName: 'A', public: true, deleted: true })).toBeNull();
    expect(toRichMessage(ev, ticket, { body: 'x', authorName: 'A', public: true, deleted: false })).toEqual({ kind: 'agent_reply', ticket, authorName: 'A', body: 'x' });
  });
});
