import { describe, expect, it } from 'vitest';
import { submission, ticketFormValues } from '../../../test/helpers/slack/slack-payloads.ts';
import { t } from '../../i18n/catalog.ts';
import { readTicketForm } from './slack-form.ts';
import { viewSubmissionSchema } from './slack-schemas.ts';

const fakeView = { id: 'V1', hash: 'h', trigger_id: 't', view: { callback_id: 'slack_ticket_form', private_metadata: '', blocks: [] } };
const body = (values: ReturnType<typeof ticketFormValues>) => viewSubmissionSchema.parse(submission(fakeView, 'U1', values));

describe('readTicketForm', () => {
  it('reads a valid submission, trimming and defaulting what is optional', () => {
    const r = readTicketForm(body(ticketFormValues({ subject: '  VPN  ', description: '  VPN is down  ', email: 'a@example.com', priority: 'urgent', service: 'svc-1' })), 'en', 10);
    expect(r).toEqual({ ok: true, form: { subject: 'VPN', description: 'VPN is down', priority: 'urgent', serviceId: 'svc-1', email: 'a@example.com' } });
  });

  it('reports an empty subject and a bad email by block, in the given language', () => {
    const r = readTicketForm(body(ticketFormValues({ subject: null, description: 'long enough', email: 'nope@' })), 'ja', 10);
    expect(r).toEqual({
      ok: false,
      errors: { subject_block: t('ja', 'common:error.subject_required'), email_block: t('ja', 'common:error.invalid_email') },
    });
  });

  it('an empty email is an error too (the requester is found by it)', () => {
    const r = readTicketForm(body(ticketFormValues({ subject: 's', description: 'long enough', email: '' })), 'en', 10);
    expect(r).toEqual({ ok: false, errors: { email_block: t('en', 'common:error.invalid_email') } });
  });

  it('a description under the minimum it is given (the core\'s) is an error on its block; spaces do not count', () => {
    // "  123456789  " trims to 9 characters: one short of 10.
    const short = readTicketForm(body(ticketFormValues({ subject: 's', description: '  123456789  ', email: 'a@example.com' })), 'ru', 10);
    expect(short).toEqual({ ok: false, errors: { description_block: t('ru', 'common:error.description_too_short', { min: 10 }) } });
    expect(t('ru', 'common:error.description_too_short', { min: 10 })).toContain('10');
    const exact = readTicketForm(body(ticketFormValues({ subject: 's', description: '1234567890', email: 'a@example.com' })), 'ru', 10);
    expect(exact.ok).toBe(true);
  });
});
