import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../core/chat/chat-messages.ts';
import { checkDraft } from '../../core/chat/request-draft.ts';
import { LOCALES } from '../../core/locale.ts';
import { registerMessages, t } from '../../i18n/catalog.ts';
import { slack } from '../../i18n/messages/slack.ts';
import { submission, ticketFormValues } from '../../../test/helpers/slack/slack-payloads.ts';
import { viewSubmissionSchema } from './slack-schemas.ts';
import { parseJson } from '../shared/json-text.ts';
import { actionMetaSchema, formErrors, rateView, readRequestFields, reopenView, requestFormView, requestMetaSchema, shownIn } from './slack-views.ts';

registerMessages('slack', slack);

type Block = Record<string, any>;

const form = (over: Partial<Extract<ChatMessage, { kind: 'request_form' }>['draft']> = {}): Extract<ChatMessage, { kind: 'request_form' }> => ({
  kind: 'request_form',
  draft: { id: '0f8fad5b-d9cb-469f-a165-70867728950e', subject: 'Printer', description: 'Printer on fire', priority: 'high', serviceId: 's2', priorityChosen: false, serviceChosen: true, requesterEmail: 'kenji@example.jp', ...over },
  services: [{ id: 's1', name: 'IT' }, { id: 's2', name: 'Facilities' }],
  step: 'confirm',
  minDescriptionLength: 10,
});
const meta = { n: 1, c: 'C1', th: null, m: null, l: 'en' as const };
const submitted = (values: ReturnType<typeof ticketFormValues>, privateMetadata = '') =>
  viewSubmissionSchema.parse(submission({ id: 'V1', hash: 'h', trigger_id: 't', view: { callback_id: 'slack_ticket_form', private_metadata: privateMetadata, blocks: [] } }, 'U1', values));

describe('Slack views', () => {
  it('the slack catalog has the same keys in en, ja and ru, none empty', () => {
    const keys = Object.keys(slack.en).sort();
    for (const locale of LOCALES) {
      expect(Object.keys(slack[locale]).sort()).toEqual(keys);
      for (const value of Object.values(slack[locale])) expect(value.trim()).not.toBe('');
    }
  });

  it.each(LOCALES)('modal titles and buttons fit Slack\'s 24 characters in %s', (locale) => {
    for (const v of [requestFormView(form(), locale), rateView(locale, meta), reopenView(locale, meta)]) {
      for (const key of ['title', 'submit', 'close']) {
        const text = (v[key] as Block)['text'] as string;
        expect(text.length).toBeGreaterThan(0);
        expect([...text].length).toBeLessThanOrEqual(24);
        expect(text.endsWith('…')).toBe(false);
      }
    }
  });

  it('the request form is the draft: prefilled, its id alone in the metadata, the requester shown but not typed', () => {
    const view = requestFormView(form(), 'ja');
    expect(parseJson(requestMetaSchema, view['private_metadata'] as string)).toEqual({ d: '0f8fad5b-d9cb-469f-a165-70867728950e', l: 'ja' });
    expect(shownIn(view['private_metadata'] as string)).toBe('ja');
    const blocks = view['blocks'] as Block[];
    expect(blocks.map((b) => b['block_id'] ?? b['type'])).toEqual(['subject_block', 'description_block', 'priority_block', 'service_block', 'context']);
    expect(blocks[1]!['element']).toMatchObject({ initial_value: 'Printer on fire', min_length: 10 });
    expect(blocks[2]!['element']['initial_option']['value']).toBe('high');
    expect(blocks[3]!['element']['initial_option']['value']).toBe('s2');
    expect(blocks[4]!['elements'][0]['text']).toBe(t('ja', 'slack:form.filed_as', { email: 'kenji@example.jp' }));
    // Unknown to the help center: nothing is claimed about whom it files as.
    expect((requestFormView(form({ requesterEmail: null }), 'en')['blocks'] as Block[]).some((b) => b['type'] === 'context')).toBe(false);
  });

  it('reads a submission as the person typed it and shows checkDraft\'s errors on their blocks', () => {
    const v = submitted(ticketFormValues({ subject: '   ', description: 'short', priority: 'urgent', service: 'gone' }));
    const fields = readRequestFields(v);
    expect(fields).toEqual({ subject: '', description: 'short', priority: 'urgent', serviceId: 'gone' });
    expect(formErrors(checkDraft(fields, ['s1']), 'ru')).toEqual({
      subject_block: t('ru', 'common:error.subject_required'),
      description_block: t('ru', 'common:error.description_too_short', { min: 10 }),
      service_block: t('ru', 'common:error.service_not_found'),
    });
    expect(readRequestFields(submitted(ticketFormValues({ subject: 's', description: 'd', priority: 'extreme' }))).priority).toBe('normal');
  });

  it('metadata that was tampered with is not read', () => {
    expect(parseJson(requestMetaSchema, '{"d":""}')).toBeNull();
    expect(parseJson(actionMetaSchema, JSON.stringify({ ...meta, n: -1 }))).toBeNull();
    expect(parseJson(actionMetaSchema, 'not json')).toBeNull();
    expect(shownIn('{"l":"xx"}')).toBe('en');
  });
});
