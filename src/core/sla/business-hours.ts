/**
 * Business hours: a weekly schedule in one time zone. SLA targets counted in business hours only run while the
 * schedule is open; due times are real instants, found by walking the schedule day by day in local wall time
 * (time-zone offsets and their daylight-saving changes come from Intl, which every Node has).
 */
import { DomainError } from '../errors.ts';

export interface BusinessHours {
  timeZone: string;
  /** Open intervals by ISO weekday (Monday = 1 ... Sunday = 7), "HH:MM" to "HH:MM" ("24:00" ends the day). */
  hours: { day: number; start: string; end: string }[];
}

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Checks a schedule as a person typed it; the message names what is wrong. */
export function validateBusinessHours(bh: BusinessHours, field = 'businessHours'): BusinessHours {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: bh.timeZone });
  } catch {
    throw new DomainError('validation_failed', `"${bh.timeZone}" is not a time zone (use an IANA name such as Europe/Berlin)`, field);
  }
  if (bh.hours.length === 0) throw new DomainError('validation_failed', 'business hours need at least one open interval', field);
  for (const h of bh.hours) {
    if (!Number.isInteger(h.day) || h.day < 1 || h.day > 7) throw new DomainError('validation_failed', 'day is 1 (Monday) to 7 (Sunday)', field);
    if (!TIME_RE.test(h.start) || !TIME_RE.test(h.end)) throw new DomainError('validation_failed', 'times are HH:MM, 00:00 to 24:00', field);
    if (minutesOf(h.start) >= minutesOf(h.end)) throw new DomainError('validation_failed', `${h.start}-${h.end}: the start must come before the end`, field);
  }
  return bh;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

interface Local {
  y: number;
  m: number;
  d: number;
  /** minutes since local midnight, with the fraction of the minute */
  minute: number;
}

function localOf(at: number, timeZone: string): Local {
  const p = Object.fromEntries(formatter(timeZone).formatToParts(at).map((x) => [x.type, x.value]));
  const seconds = Number(p.second) + (((at % 1000) + 1000) % 1000) / 1000;
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), minute: Number(p.hour) * 60 + Number(p.minute) + seconds / 60 };
}

/** The offset of local wall time from UTC at an instant, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const l = localOf(Math.floor(at / 1000) * 1000, timeZone);
  return Date.UTC(l.y, l.m - 1, l.d, 0, 0) + Math.round(l.minute * 60_000) - Math.floor(at / 1000) * 1000;
}

/** The instant of a local wall time; a time skipped by a daylight-saving change lands just after the gap. */
function instantOf(y: number, m: number, d: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d, 0, 0) + minute * 60_000;
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return Math.max(first, second);
}

const isoWeekday = (y: number, m: number, d: number) => ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;

/** `start` plus `minutes` of open business time. */
export function addBusinessMinutes(start: Date, minutes: number, bh: BusinessHours): Date {
  let remaining = minutes * 60_000;
  let at = start.getTime();
  // A schedule with one open minute a week still ends within a few years; the guard stops a bad input only.
  for (let day = 0; day < 3660; day++) {
    const l = localOf(at, bh.timeZone);
    const wd = isoWeekday(l.y, l.m, l.d);
    const intervals = bh.hours
      .filter((h) => h.day === wd)
      .map((h) => [minutesOf(h.start), minutesOf(h.end)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [s, e] of intervals) {
      if (e <= l.minute) continue;
      const from = s <= l.minute ? at : instantOf(l.y, l.m, l.d, s, bh.timeZone);
      const to = instantOf(l.y, l.m, l.d, e, bh.timeZone);
      if (to <= from) continue;
      if (remaining <= to - from) return new Date(from + remaining);
      remaining -= to - from;
    }
    const next = new Date(Date.UTC(l.y, l.m - 1, l.d + 1));
    at = instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, bh.timeZone);
  }
  throw new DomainError('validation_failed', 'the business hours leave no time to count', 'businessHours');
}
