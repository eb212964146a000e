import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { ALICE, CHANNEL, OLGA, PUBLIC_URL, startSlackHarness, type SlackHarness } from '../../helpers/slack/slack-harness.ts';
import { assistCommand, submission, ticketFormValues } from '../../helpers/slack/slack-payloads.ts';

type Block = Record<string, any>;

function element(view: { view: Record<string, unknown> }, blockId: string): Block {
  const block = (view.view['blocks'] as Block[]).find((b) => b['block_id'] === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block['element'];
}

describe('Slack /assist (service + Bolt against the Slack fake)', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function assist(user: string, text: string, channel = CHANNEL) {
    const res = await h.inbound.command(assistCommand({ channel, user, text, triggerId: h.fake.issueTrigger() }));
    expect(res.status).toBe(200);
    const view = h.fake.views.at(-1);
    if (!view) throw new Error('no modal opened');
    return { res, view };
  }

  it('/assist <text> opens the form prefilled with the description; submit posts the request and threads the ticket', async () => {
    const { res, view } = await assist(ALICE, 'printer on fire');
    expect(res.text).toBe('');
    expect(element(view, 'description_block')['initial_value']).toBe('printer on fire');
    expect(element(view, 'subject_block')['initial_value']).toBeUndefined();
    expect(element(view, 'email_block')['initial_value']).toBe('alice@example.com');
    // Nothing is stored for opening a form.
    expect(h.inbox.events).toHaveLength(0);

    const before = h.fake.messages(CHANNEL).length;
    await h.inbound.interaction(
      submission(view, ALICE, ticketFormValues({ subject: 'Printer', description: 'printer on fire', email: 'alice@example.com' })),
    );
    expect(await h.drain()).toEqual([]);

    const posted = h.fake.messages(CHANNEL).slice(before);
    expect(posted).toHaveLength(1);
    const request = posted[0]!;
    expect(request.user).toBe('UBOT');
    expect(request.thread_ts).toBeUndefined();
    expect(request.text).toBe(t('en', 'slack:assist.request', { user: `<@${ALICE}>`, subject: 'Printer' }));

    expect(h.desk.tickets).toHaveLength(1);
    expect(h.desk.ticket(1)).toMatchObject({
      sourceKey: `slack:T0001:${CHANNEL}:${request.ts}`,
      threads: [{ chatId: CHANNEL, threadRef: request.ts, locale: 'en' }],
    });

    await h.deliver();
    const confirmation = h.fake.botReplies(CHANNEL, request.ts);
    expect(confirmation).toHaveLength(1);
    expect(confirmation[0]!.text).toContain(`${PUBLIC_URL}/tickets/1`);
  });

  it('/assist without text opens an empty form in the person\'s language', async () => {
    const { view } = await assist(OLGA, '');
    expect(element(view, 'description_block')['initial_value']).toBeUndefined();
    expect(view.view['title']).toMatchObject({ text: t('ru', 'common:form.title') });
    expect(view.view['submit']).toMatchObject({ text: t('ru', 'common:action.submit') });
  });

  it('an expired trigger_id answers the command with an ephemeral error instead of a silent failure', async () => {
    const triggerId = h.fake.issueTrigger();
    h.fake.expireTrigger(triggerId);
    const res = await h.inbound.command(assistCommand({ channel: CHANNEL, user: ALICE, text: 'help', triggerId }));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_type: 'ephemeral', text: t('en', 'common:error.generic') });
    expect(h.fake.views).toHaveLength(0);
  });

  it('where the bot is not a member, the request goes to the person\'s direct chat with the app', async () => {
    h.fake.addChannel({ id: 'C0PRIVATE', members: [ALICE], botMember: false });
    const { view } = await assist(ALICE, 'printer on fire', 'C0PRIVATE');
    await h.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'Printer', description: 'x', email: 'alice@example.com' })));
    expect(await h.drain()).toEqual([]);
    expect(h.fake.messages('C0PRIVATE')).toHaveLength(0);
    const thread = h.desk.ticket(1).threads[0]!;
    expect(thread.chatId).toMatch(/^D/);
    expect(h.fake.messages(thread.chatId).map((m) => m.ts)).toEqual([thread.threadRef]);
  });

  it('a retried submission posts the request once and creates one ticket', async () => {
    const { view } = await assist(ALICE, 'disk full');
    const realCreate = h.desk.createTicket.bind(h.desk);
    let failures = 1;
    h.desk.createTicket = async (input) => {
      if (failures-- > 0) throw new Error('database restarting');
      return realCreate(input);
    };
    const before = h.fake.messages(CHANNEL).length;
    await h.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'disk full', email: 'alice@example.com' })));

    expect(await h.drain()).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    expect(h.fake.messages(CHANNEL).slice(before)).toHaveLength(1);
    expect(h.desk.tickets).toHaveLength(1);
    expect(h.desk.dialog.size).toBe(0);
  });

  it('a submission delivered twice (same view) is recorded once', async () => {
    const { view } = await assist(ALICE, 'disk full');
    const body = submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'disk full', email: 'alice@example.com' }));
    expect((await h.inbound.interaction(body)).status).toBe(200);
    expect((await h.inbound.interaction(body)).status).toBe(200);
    expect(h.inbox.events).toHaveLength(1);
    await h.drain();
    expect(h.desk.tickets).toHaveLength(1);
  });

  it('a submit answers with a form error when the inbox cannot record it (nothing accepted is lost)', async () => {
    const { view } = await assist(ALICE, 'disk full');
    h.inbox.failNextRecords = 1;
    const res = await h.inbound.interaction(
      submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'disk full', email: 'alice@example.com' })),
    );
    expect(res.json()).toEqual({ response_action: 'errors', errors: { subject_block: t('en', 'common:error.generic') } });
    expect(h.inbox.events).toHaveLength(0);
  });

  it('a Slack 5xx while posting the request is retried in place, not moved to the direct chat', async () => {
    const { view } = await assist(ALICE, 'disk full');
    h.fake.failNext('chat.postMessage', 1, { kind: 'http', status: 500 });
    await h.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'disk full', email: 'alice@example.com' })));
    expect(await h.drain()).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    expect(h.desk.ticket(1).threads[0]!.chatId).toBe(CHANNEL);
  });
});
