/**
 * Reads the request form a person submitted and finds what is wrong with it, so the card can show the errors while
 * the person is still looking at it (a card callback must be answered within 3 s; the core checks again on create).
 */
import { z } from 'zod';
import type { Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { NO_SERVICE, type FormErrors, type RequestFormState } from './lark-cards.ts';

/**
 * The shortest description the form accepts. The core has no call that states its own minimum; this mirrors the
 * documented chat minimum (10 characters) and the core still refuses with description_too_short if it differs.
 */
export const DESCRIPTION_MIN = 10;

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

export function validateRequestForm(state: RequestFormState, locale: Locale): FormErrors {
  const errors: FormErrors = {};
  if (!state.subject) errors.subject = t(locale, 'error.subject_required');
  if (state.description.length < DESCRIPTION_MIN) {
    errors.description = t(locale, 'error.description_too_short', { min: DESCRIPTION_MIN });
  }
  if (state.email.length > 254 || !EMAIL.test(state.email)) errors.email = t(locale, 'error.invalid_email');
  return errors;
}

export function firstLine(text: string, max = 80): string {
  const line = text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
