import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import * as rules from './ticket-rules.ts';
import type { TicketState } from './ticket-rules.ts';
import type { TicketStatus } from './ticket-types.ts';

const t = (status: TicketStatus, visibility: 'public' | 'private' = 'public', solvedAt: Date | null = null): TicketState => ({ status, visibility, solvedAt });

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return undefined;
}

describe('agent status changes', () => {
  it('allows every status but closed', () => {
    for (const to of ['new', 'open', 'pending', 'on_hold', 'solved'] as const) expect(rules.agentSetsStatus(t('open'), to)).toBe(to);
  });
  it('refuses closed: only a rating or the automatic close reach it', () => {
    expect(code(() => rules.agentSetsStatus(t('solved'), 'closed'))).toBe('forbidden_transition');
  });
  it('refuses any change of a closed ticket', () => {
    expect(code(() => rules.agentSetsStatus(t('closed'), 'open'))).toBe('ticket_closed');
  });
});

describe('comments', () => {
  it('a public agent reply opens a new ticket', () => {
    expect(rules.commentArrives(t('new'), true, true)).toMatchObject({ public: true, status: 'open', becomesPublic: false });
  });
  it('a public agent reply leaves other statuses alone', () => {
    expect(rules.commentArrives(t('pending'), true, true).status).toBe('pending');
    expect(rules.commentArrives(t('on_hold'), true, true).status).toBe('on_hold');
  });
  it('an internal note changes nothing and stays internal', () => {
    expect(rules.commentArrives(t('new'), true, false)).toEqual({ public: false, status: 'new', becomesPublic: false, followUp: false });
  });
  it('a customer comment reopens pending and solved tickets', () => {
    expect(rules.commentArrives(t('pending'), false, true).status).toBe('open');
    expect(rules.commentArrives(t('solved'), false, true).status).toBe('open');
    expect(rules.commentArrives(t('on_hold'), false, true).status).toBe('on_hold');
    expect(rules.commentArrives(t('new'), false, true).status).toBe('new');
  });
  it('a customer message on a closed ticket starts a follow-up', () => {
    expect(rules.commentArrives(t('closed'), false, true).followUp).toBe(true);
  });
  it("someone else's comment is like a CC's: public, but it never reopens nor follows up", () => {
    expect(rules.commentArrives(t('pending'), false, true, false)).toEqual({ public: true, status: 'pending', becomesPublic: false, followUp: false });
    expect(rules.commentArrives(t('solved'), false, true, false).status).toBe('solved');
    expect(code(() => rules.commentArrives(t('closed'), false, true, false))).toBe('ticket_closed');
  });
  it('an agent cannot comment on a closed ticket', () => {
    expect(code(() => rules.commentArrives(t('closed'), true, true))).toBe('ticket_closed');
  });
  it('on a private ticket everything is internal until an agent replies publicly', () => {
    expect(rules.commentArrives(t('new', 'private'), false, true)).toMatchObject({ public: false, becomesPublic: false });
    expect(rules.commentArrives(t('new', 'private'), true, false)).toMatchObject({ public: false, becomesPublic: false });
    expect(rules.commentArrives(t('new', 'private'), true, true)).toMatchObject({ public: true, becomesPublic: true, status: 'open' });
  });
});

describe('rating', () => {
  it('closes a solved ticket', () => {
    expect(rules.rate(t('solved'), 5)).toBe('closed');
    expect(rules.rate(t('solved'), 1)).toBe('closed');
  });
  it('refuses tickets that are not solved', () => {
    for (const s of ['new', 'open', 'pending', 'on_hold'] as const) expect(code(() => rules.rate(t(s), 4))).toBe('not_solved');
    expect(code(() => rules.rate(t('closed'), 4))).toBe('ticket_closed');
  });
  it('accepts only whole numbers from 1 to 5', () => {
    for (const bad of [0, 6, 2.5, -1, Number.NaN]) expect(code(() => rules.rate(t('solved'), bad))).toBe('invalid_score');
  });
});

describe('reopen', () => {
  it('sends a solved ticket back to open', () => {
    expect(rules.reopen(t('solved'), 'still broken')).toBe('open');
  });
  it('needs a reason', () => {
    expect(code(() => rules.reopen(t('solved'), '   '))).toBe('reason_required');
  });
  it('refuses tickets that are not solved', () => {
    expect(code(() => rules.reopen(t('open'), 'x'))).toBe('not_solved');
    expect(code(() => rules.reopen(t('closed'), 'x'))).toBe('ticket_closed');
  });
});

describe('visibility', () => {
  it('a public ticket turns private only with exactly one public comment', () => {
    expect(rules.makePrivate(t('new'), 1)).toBe(true);
    expect(code(() => rules.makePrivate(t('new'), 2))).toBe('cannot_make_private');
    expect(code(() => rules.makePrivate(t('new'), 0))).toBe('cannot_make_private');
  });
  it('turning an already private ticket private is a no-op', () => {
    expect(rules.makePrivate(t('new', 'private'), 0)).toBe(false);
  });
  it('never turns public by a setting', () => {
    expect(code(() => rules.makePublic(t('new', 'private')))).toBe('cannot_make_public');
    expect(code(() => rules.makePublic(t('new', 'public')))).toBe('cannot_make_public');
  });
});

describe('automatic close', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it('closes solved tickets after the configured days', () => {
    expect(rules.closesAutomatically(t('solved', 'public', new Date('2026-11-18T12:00:00Z')), now, 4)).toBe(true);
    expect(rules.closesAutomatically(t('solved', 'public', new Date('2026-11-18T12:00:01Z')), now, 4)).toBe(false);
  });
  it('leaves other statuses alone', () => {
    expect(rules.closesAutomatically(t('open', 'public', new Date('2020-01-01')), now, 4)).toBe(false);
  });
});

describe('what leaves the help center', () => {
  it('public agent comments and status changes on public tickets', () => {
    expect(rules.leavesHelpCenter({ visibility: 'public' }, { kind: 'comment', public: true, byStaff: true })).toBe(true);
    expect(rules.leavesHelpCenter({ visibility: 'public' }, { kind: 'status' })).toBe(true);
  });
  it('never internal notes, customer echoes, or anything of a private ticket', () => {
    expect(rules.leavesHelpCenter({ visibility: 'public' }, { kind: 'comment', public: false, byStaff: true })).toBe(false);
    expect(rules.leavesHelpCenter({ visibility: 'public' }, { kind: 'comment', public: true, byStaff: false })).toBe(false);
    expect(rules.leavesHelpCenter({ visibility: 'private' }, { kind: 'status' })).toBe(false);
    expect(rules.leavesHelpCenter({ visibility: 'private' }, { kind: 'created' })).toBe(false);
  });
});

describe('optimistic concurrency', () => {
  it('lets a change through at the version it was made from, or with none given', () => {
    expect(() => rules.assertFresh({ version: 4 }, 4)).not.toThrow();
    expect(() => rules.assertFresh({ version: 4 }, undefined)).not.toThrow();
  });
  it('refuses a change made from an older version', () => {
    expect(() => rules.assertFresh({ version: 5 }, 4)).toThrow(expect.objectContaining({ code: 'stale_ticket' }));
  });
});
