/**
 * Tags: short labels in any script, folded to lower case with spaces turned into hyphens, so that "Billing",
 * " billing " and "BILLING" are one tag. A ticket holds at most MAX_TAGS.
 */
import { DomainError } from '../errors.ts';

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;
const TAG_RE = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}_.:-]*$/u;

export function normaliseTag(raw: string, field = 'tags'): string {
  const tag = raw.normalize('NFKC').trim().toLowerCase().replace(/\s+/gu, '-');
  if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || !TAG_RE.test(tag))
    throw new DomainError('validation_failed', `"${raw.slice(0, 60)}" is not a tag (letters, digits, - _ . :, at most ${MAX_TAG_LENGTH})`, field);
  return tag;
}

export function normaliseTags(raw: readonly string[], field = 'tags'): string[] {
  return [...new Set(raw.map((t) => normaliseTag(t, field)))].sort();
}

export interface TagChange {
  /** Replace the whole set. */
  set?: readonly string[];
  add?: readonly string[];
  remove?: readonly string[];
}

/** The ticket's tags after a change, sorted; refuses more than MAX_TAGS. */
export function applyTagChange(current: readonly string[], change: TagChange): string[] {
  const next = new Set(change.set ? normaliseTags(change.set) : current);
  for (const t of normaliseTags(change.add ?? [])) next.add(t);
  for (const t of normaliseTags(change.remove ?? [])) next.delete(t);
  if (next.size > MAX_TAGS) throw new DomainError('validation_failed', `a ticket has at most ${MAX_TAGS} tags`, 'tags');
  return [...next].sort();
}

export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
