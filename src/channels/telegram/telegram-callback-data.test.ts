import { describe, expect, it } from 'vitest';
import { compactId, decodeButton, encodeButton, expandId, type ButtonAction } from './telegram-callback-data.ts';

const BIG = 999_999_999_999_999;
const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('callback data', () => {
  const actions: ButtonAction[] = [
    { kind: 'menu', item: 'new' },
    { kind: 'menu', item: 'tickets' },
    { kind: 'menu', item: 'help' },
    { kind: 'draft', draftId: uuid, set: { serviceId: 'ffffffff-ffff-4fff-bfff-ffffffffffff' } },
    { kind: 'draft', draftId: uuid, set: { priority: 'urgent' } },
    { kind: 'draft', draftId: uuid, submit: true },
    { kind: 'draft', draftId: uuid, cancel: true },
    { kind: 'rate', ticket: BIG, score: 5 },
    ...(['detail', 'comment', 'comments', 'skip', 'reopen', 'reopen_yes', 'reopen_no'] as const).map((op) => ({ kind: 'ticket' as const, op, ticket: BIG })),
    { kind: 'group_service', serviceId: uuid },
  ];

  it('round-trips every action within 64 bytes, each with its own code', () => {
    const codes = actions.map(encodeButton);
    for (const [i, a] of actions.entries()) {
      expect(Buffer.byteLength(codes[i]!, 'utf8')).toBeLessThanOrEqual(64);
      expect(decodeButton(codes[i]!)).toEqual(a);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('a UUID travels as 22 characters and comes back as itself', () => {
    expect(compactId(uuid)).toHaveLength(22);
    expect(expandId(compactId(uuid))).toBe(uuid);
    expect(expandId(compactId('not-a-uuid'))).toBe('not-a-uuid');
  });

  it('refuses to build data over 64 bytes', () => {
    expect(() => encodeButton({ kind: 'group_service', serviceId: 'é'.repeat(32) })).toThrow(/over 64 bytes/);
  });

  it('decodes nothing from junk, the buttons of earlier versions, or out-of-range values', () => {
    for (const junk of [null, '', 'tk:c:57', 'r:5:6', 'r:0:3', 'n:ok', 'n:s:svc-general', 'd:x:p:critical', 't:d:abc', 'm:x', 'g:é']) {
      expect(decodeButton(junk), String(junk)).toBeNull();
    }
  });
});
