import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { addBusinessMinutes, validateBusinessHours, type BusinessHours } from './business-hours.ts';

const weekdays = (timeZone: string, start = '09:00', end = '17:00'): BusinessHours => ({
  timeZone,
  hours: [1, 2, 3, 4, 5].map((day) => ({ day, start, end })),
});
const at = (iso: string) => new Date(iso);

describe('addBusinessMinutes', () => {
  it('counts inside one open interval', () => {
    // Tuesday 2026-12-01 10:00 in Tokyo (UTC+9) = 01:00Z; +90 min = 11:30 local
    expect(addBusinessMinutes(at('2026-12-01T01:00:00Z'), 90, weekdays('Asia/Tokyo')).toISOString()).toBe('2026-12-01T02:30:00.000Z');
  });
  it('carries over the evening and the weekend', () => {
    // Friday 2026-12-04 16:00 Berlin (UTC+1) = 15:00Z; one hour left that day, one more on Monday 09:00-10:00
    expect(addBusinessMinutes(at('2026-12-04T15:00:00Z'), 120, weekdays('Europe/Berlin')).toISOString()).toBe('2026-12-07T09:00:00.000Z');
  });
  it('starts at the next opening when it starts outside hours', () => {
    // Saturday 2026-12-05 12:00Z: Monday 09:00 Berlin = 08:00Z, plus 30 minutes
    expect(addBusinessMinutes(at('2026-12-05T12:00:00Z'), 30, weekdays('Europe/Berlin')).toISOString()).toBe('2026-12-07T08:30:00.000Z');
  });
  it('follows a daylight-saving change between two working days', () => {
    // Friday 2026-03-27 16:30 CET = 15:30Z; 30 minutes that day, 30 on Monday 2026-03-30 from 09:00 CEST (07:00Z)
    expect(addBusinessMinutes(at('2026-03-27T15:30:00Z'), 60, weekdays('Europe/Berlin')).toISOString()).toBe('2026-03-30T07:30:00.000Z');
  });
  it('walks several intervals of one day and keeps seconds', () => {
    const split: BusinessHours = { timeZone: 'UTC', hours: [{ day: 3, start: '09:00', end: '12:00' }, { day: 3, start: '13:00', end: '24:00' }] };
    // Wednesday 2026-12-02 11:59:30 UTC: 30 s before the break, then from 13:00
    expect(addBusinessMinutes(at('2026-12-02T11:59:30Z'), 1, split).toISOString()).toBe('2026-12-02T13:00:30.000Z');
  });
});

describe('validateBusinessHours', () => {
  it('accepts a plain schedule', () => expect(validateBusinessHours(weekdays('America/New_York'))).toBeTruthy());
  it('names what is wrong', () => {
    const bad: [BusinessHours, RegExp][] = [
      [{ timeZone: 'Mars/Olympus', hours: [{ day: 1, start: '09:00', end: '17:00' }] }, /time zone/],
      [{ timeZone: 'UTC', hours: [] }, /at least one/],
      [{ timeZone: 'UTC', hours: [{ day: 8, start: '09:00', end: '17:00' }] }, /day/],
      [{ timeZone: 'UTC', hours: [{ day: 1, start: '9:00', end: '17:00' }] }, /HH:MM/],
      [{ timeZone: 'UTC', hours: [{ day: 1, start: '17:00', end: '09:00' }] }, /before the end/],
    ];
    for (const [bh, msg] of bad) {
      expect(() => validateBusinessHours(bh)).toThrow(DomainError);
      expect(() => validateBusinessHours(bh)).toThrow(msg);
    }
  });
});
