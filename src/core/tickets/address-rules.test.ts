import { describe, expect, it } from 'vitest';
import { ADDRESS_TOKEN_RE, addressReceives, newAddressToken } from './address-rules.ts';

const CH = { platform: 'mail-channel', workspaceId: 'help.example.test' };
const customer = { id: 'c1', role: 'end_user' as const, emailReplies: true };

describe('who hears of a ticket at their own address', () => {
  it('the opening only when an agent opened it for them, or it came in through the address channel', () => {
    expect(addressReceives(CH, 'ticket.created', { requester: customer, opened: { submitterId: 'agent1', via: 'api' } })).toBe(true);
    expect(addressReceives(CH, 'ticket.created', { requester: customer, opened: { submitterId: 'c1', via: 'web' } })).toBe(false);
    expect(addressReceives(CH, 'ticket.created', { requester: customer, opened: { submitterId: 'c1', via: 'chat' } })).toBe(false);
    expect(addressReceives(CH, 'ticket.created', { requester: customer, opened: { submitterId: 'c1', via: 'mail-channel' } })).toBe(true);
  });
  it('each public agent reply and the solved ticket; never another status, an edit or a removal', () => {
    expect(addressReceives(CH, 'comment.added', { requester: customer })).toBe(true);
    expect(addressReceives(CH, 'ticket.solved', { requester: customer })).toBe(true);
    for (const t of ['ticket.status_changed', 'comment.edited', 'comment.deleted', 'ticket.rated'])
      expect(addressReceives(CH, t, { requester: customer }), t).toBe(false);
  });
  it('nothing to someone who turned it off, and nothing to an agent', () => {
    expect(addressReceives(CH, 'comment.added', { requester: { ...customer, emailReplies: false } })).toBe(false);
    expect(addressReceives(CH, 'comment.added', { requester: { ...customer, role: 'agent' } })).toBe(false);
    expect(addressReceives(CH, 'ticket.created', { requester: { ...customer, role: 'admin' }, opened: { submitterId: 'x', via: 'api' } })).toBe(false);
  });
  it('tokens are 128 random bits in lower-case hex', () => {
    const a = newAddressToken();
    expect(a).toMatch(ADDRESS_TOKEN_RE);
    expect(newAddressToken()).not.toBe(a);
  });
});
