/**
 * A request being filled in, checked by one pure function wherever it is checked: a Slack modal's ack, a Lark
 * card's answer, a Telegram wizard step and the core's create all call `checkDraft`, so they can never disagree.
 */
import { storableText } from '../text-rules.ts';
import { TICKET_PRIORITIES } from '../tickets/ticket-types.ts';
import type { DraftFields } from './chat-events.ts';
import type { DraftErrors, DraftStep, RequestDraft } from './chat-messages.ts';

/** A chat request needs a description a person can act on. */
export const MIN_DESCRIPTION_LENGTH = 10;
export const MAX_SUBJECT_LENGTH = 150;
export const MAX_DESCRIPTION_LENGTH = 30_000;

/** What the person typed, as the core will store it: trimmed, storable (see text-rules.ts). */
export function cleanText(s: string): string {
  return storableText(s).trim();
}

export function normaliseFields(f: DraftFields): DraftFields {
  return {
    subject: cleanText(f.subject).replace(/\s+/g, ' '),
    description: cleanText(f.description),
    priority: (TICKET_PRIORITIES as readonly string[]).includes(f.priority) ? f.priority : 'normal',
    serviceId: f.serviceId && f.serviceId.trim() !== '' ? f.serviceId.trim() : null,
  };
}

/**
 * The errors of a draft, by field; empty when it can be submitted. `serviceIds` is the catalog (a service that is
 * not in it is an error, not silently dropped).
 */
export function checkDraft(fields: DraftFields, serviceIds?: readonly string[]): DraftErrors {
  const f = normaliseFields(fields);
  const errors: DraftErrors = {};
  if (f.subject === '') errors.subject = { key: 'common:error.subject_required' };
  else if ([...f.subject].length > MAX_SUBJECT_LENGTH) errors.subject = { key: 'common:error.subject_too_long', params: { max: MAX_SUBJECT_LENGTH } };
  if (f.description.length < MIN_DESCRIPTION_LENGTH)
    errors.description = { key: 'common:error.description_too_short', params: { min: MIN_DESCRIPTION_LENGTH } };
  else if (f.description.length > MAX_DESCRIPTION_LENGTH)
    errors.description = { key: 'common:error.description_too_long', params: { max: MAX_DESCRIPTION_LENGTH } };
  if (f.serviceId !== null && serviceIds && !serviceIds.includes(f.serviceId)) errors.serviceId = { key: 'common:error.service_not_found' };
  return errors;
}

export function hasErrors(e: DraftErrors): boolean {
  return Object.keys(e).length > 0;
}

/** The first line of a text, short enough to be a subject. */
export function subjectFrom(text: string, max = 80): string {
  const first = cleanText(text).split('\n')[0]!.trim().replace(/\s+/g, ' ');
  const chars = [...first];
  return chars.length <= max ? first : `${chars.slice(0, max - 1).join('')}…`;
}

/** What a step-by-step channel asks for next. */
export function nextStep(d: Pick<RequestDraft, 'serviceChosen' | 'description' | 'priorityChosen'>, serviceCount: number): DraftStep {
  if (!d.serviceChosen && serviceCount > 0) return 'service';
  if (cleanText(d.description).length < MIN_DESCRIPTION_LENGTH) return 'description';
  if (!d.priorityChosen) return 'priority';
  return 'confirm';
}
