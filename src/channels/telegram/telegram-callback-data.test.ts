import { describe, expect, it } from 'vitest';
import {
  CallbackDataTooLong,
  decodeCallback,
  encodeCallback,
  resolveServiceRef,
  serviceRef,
  type CallbackAction,
} from './telegram-callback-data.ts';

const BIG = 999_999_999_999_999;

describe('callback data', () => {
  const actions: CallbackAction[] = [
    { kind: 'menu', item: 'new' },
    { kind: 'menu', item: 'tickets' },
    { kind: 'menu', item: 'help' },
    { kind: 'new_service', ref: 'svc-general' },
    { kind: 'new_priority', priority: 'urgent' },
    { kind: 'new_submit' },
    { kind: 'new_cancel' },
    { kind: 'detail', ticket: BIG },
    { kind: 'comment', ticket: 5 },
    { kind: 'comments', ticket: 5 },
    { kind: 'rate', ticket: BIG, score: 5 },
    { kind: 'rate_skip', ticket: 5 },
    { kind: 'reopen', ticket: 5 },
    { kind: 'reopen_yes', ticket: 5 },
    { kind: 'reopen_no', ticket: 5 },
    { kind: 'group_service', ref: '#3' },
  ];

  it('round-trips every action within 64 bytes', () => {
    for (const a of actions) {
      const data = encodeCallback(a);
      expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(64);
      expect(decodeCallback(data)).toEqual(a);
    }
  });

  it('codes are distinct', () => {
    const codes = actions.map(encodeCallback);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('refuses to build data over 64 bytes (multi-byte characters count as bytes)', () => {
    // "g:" + 31 "é" (2 bytes each) is exactly 64 bytes; one more is 66.
    expect(() => encodeCallback({ kind: 'group_service', ref: 'é'.repeat(31) })).not.toThrow();
    expect(() => encodeCallback({ kind: 'group_service', ref: 'é'.repeat(32) })).toThrow(CallbackDataTooLong);
    expect(() => encodeCallback({ kind: 'group_service', ref: 'e'.repeat(63) })).toThrow(CallbackDataTooLong);
  });

  it('decodes nothing from junk, old formats or out-of-range values', () => {
    for (const junk of [undefined, '', 'tk:c:57', 'r:5:6', 'r:0:3', 'n:p:critical', 't:d:abc', 'm:x']) {
      expect(decodeCallback(junk)).toBeNull();
    }
  });
});

describe('service references', () => {
  const services = [
    { id: 'svc-general', name: 'General' },
    { id: 'ü'.repeat(40), name: 'Long' },
  ];

  it('uses the id while it fits and the position otherwise', () => {
    expect(serviceRef(services[0]!, 0)).toBe('svc-general');
    // 40 "ü" are 80 bytes: over the limit on their own.
    expect(serviceRef(services[1]!, 1)).toBe('#1');
    expect(serviceRef({ id: '#weird' }, 4)).toBe('#4');
  });

  it('resolves both forms back to the service', () => {
    expect(resolveServiceRef(services, 'svc-general')).toBe(services[0]);
    expect(resolveServiceRef(services, '#1')).toBe(services[1]);
    expect(resolveServiceRef(services, '#7')).toBeNull();
    expect(resolveServiceRef(services, 'gone')).toBeNull();
  });
});
