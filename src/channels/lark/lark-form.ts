/**
 * Reads the request form a person submitted and finds what is wrong with it, so the card can show the errors while
 * the person is still looking at it (a card callback must be answered within 3 s; the core checks again on create).
 */
import { z } from 'zod';
import type { Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { NO_SERVICE, type FormErrors, type RequestFormState } from './lark-cards.ts';

/** A syntactic check only, so the card can point at a typo at once; the core decides again on create. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const field = z.string().catch('');
const formSchema = z.object({
  subject: field,
  description: field,
  priority: field,
  service: field,
  email: field,
});

const isPriority = (p: string): p is TicketPriority => (TICKET_PRIORITIES as readonly string[]).includes(p);

export function readRequestForm(
  formValue: unknown,
  services: { id: string; name: string }[],
): RequestFormState {
  const f = formSchema.parse(formValue && typeof formValue === 'object' ? formValue : {});
  const service = f.service.trim();
  return {
    subject: f.subject.trim(),
    description: f.description.trim(),
    priority: isPriority(f.priority) ? f.priority : 'normal',
    serviceId: service && service !== NO_SERVICE && services.some((s) => s.id === service) ? service : null,
    email: f.email.trim(),
  };
}

/** `minDescription` is the core's own minimum (DeskPort.minDescriptionLength): the rule lives there, not here. */
export function validateRequestForm(state: RequestFormState, locale: Locale, minDescription: number): FormErrors {
  const errors: FormErrors = {};
  if (!state.subject) errors.subject = t(locale, 'error.subject_required');
  if (state.description.length < minDescription) {
    errors.description = t(locale, 'error.description_too_short', { min: minDescription });
  }
  if (state.email.length > 254 || !EMAIL.test(state.email)) errors.email = t(locale, 'error.invalid_email');
  return errors;
}

export function firstLine(text: string, max = 80): string {
  const line = text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
