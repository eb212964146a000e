/**
 * Reading submitted modals. Validation here is only what a form must show in place (an empty subject, an address
 * that is not an email, an empty required text, a description under the core's minimum, which the caller passes
 * in from DeskPort.minDescriptionLength); every rule about tickets stays in the core, which checks again.
 */
import { z } from 'zod';
import type { Locale } from '../../core/locale.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../core/tickets/ticket-types.ts';
import { t } from '../../i18n/catalog.ts';
import { BLOCK, INPUT } from './slack-ids.ts';
import { stateInput, type ViewSubmission } from './slack-schemas.ts';

export interface TicketForm {
  subject: string;
  description: string;
  priority: TicketPriority;
  serviceId: string | null;
  email: string;
}

/** Errors keyed by block_id, as `response_action: "errors"` wants them. */
export type FormErrors = Record<string, string>;

const emailSchema = z.email();
const prioritySchema = z.enum(TICKET_PRIORITIES);

export function readTicketForm(
  body: ViewSubmission,
  locale: Locale,
  minDescriptionLength: number,
): { ok: true; form: TicketForm } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const subject = stateInput(body, BLOCK.subject, INPUT.subject);
  const description = stateInput(body, BLOCK.description, INPUT.description) ?? '';
  const email = stateInput(body, BLOCK.email, INPUT.email);
  const priority = prioritySchema.safeParse(stateInput(body, BLOCK.priority, INPUT.priority));
  if (subject === null) errors[BLOCK.subject] = t(locale, 'common:error.subject_required');
  if (description.length < minDescriptionLength) {
    errors[BLOCK.description] = t(locale, 'common:error.description_too_short', { min: minDescriptionLength });
  }
  if (email === null || !emailSchema.safeParse(email).success) errors[BLOCK.email] = t(locale, 'common:error.invalid_email');
  if (subject === null || email === null || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    form: {
      subject,
      description,
      priority: priority.success ? priority.data : 'normal',
      serviceId: stateInput(body, BLOCK.service, INPUT.service),
      email,
    },
  };
}

export function readRateForm(
  body: ViewSubmission,
  locale: Locale,
): { ok: true; score: number; comment: string | null } | { ok: false; errors: FormErrors } {
  const score = z.string().regex(/^\d+$/).transform(Number).safeParse(stateInput(body, BLOCK.score, INPUT.score));
  // The select only offers 1-5; whether a score is acceptable is the core's call (invalid_score).
  if (!score.success) return { ok: false, errors: { [BLOCK.score]: t(locale, 'common:error.invalid_score') } };
  return { ok: true, score: score.data, comment: stateInput(body, BLOCK.comment, INPUT.comment) };
}

export function readReopenForm(
  body: ViewSubmission,
  locale: Locale,
): { ok: true; reason: string } | { ok: false; errors: FormErrors } {
  const reason = stateInput(body, BLOCK.reason, INPUT.reason);
  if (reason === null) return { ok: false, errors: { [BLOCK.reason]: t(locale, 'slack:error.reason_required') } };
  return { ok: true, reason };
}
