import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import {
  ALICE,
  CHANNEL,
  KENJI,
  OLGA,
  PUBLIC_URL,
  startSlackHarness,
  type SlackHarness,
} from '../../helpers/slack/slack-harness.ts';
import { blockAction, reactionAdded, submission, ticketFormValues } from '../../helpers/slack/slack-payloads.ts';

type Block = Record<string, any>;

function inputBlock(view: { view: Record<string, unknown> }, blockId: string): Block {
  const blocks = view.view['blocks'] as Block[];
  const block = blocks.find((b) => b['block_id'] === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block;
}

function buttonOf(blocks: unknown[], actionId: string): Block {
  for (const b of blocks as Block[]) {
    for (const e of (b['elements'] ?? []) as Block[]) if (e['action_id'] === actionId) return e;
  }
  throw new Error(`no button ${actionId}`);
}

describe('Slack reaction flow (service + Bolt against the Slack fake)', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function reactAndOpenForm(user: string, ts: string) {
    const res = await h.inbound.event(reactionAdded({ channel: CHANNEL, ts, user }));
    expect(res.status).toBe(200);
    expect(await h.drain()).toEqual([]);
    const prompt = h.fake.ephemerals.at(-1);
    if (!prompt) throw new Error('no ephemeral prompt');
    const button = buttonOf(prompt.blocks, 'slack_ticket_open');
    const click = await h.inbound.interaction(
      blockAction({
        user,
        channel: CHANNEL,
        actionId: 'slack_ticket_open',
        value: button['value'],
        triggerId: h.fake.issueTrigger(),
        messageTs: prompt.message_ts,
        ephemeral: true,
      }),
    );
    expect(click.status).toBe(200);
    const view = h.fake.views.at(-1);
    if (!view) throw new Error('no modal opened');
    return { prompt, view };
  }

  it('reaction -> ephemeral button in the thread -> prefilled modal -> ticket -> confirmation in the thread', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'Printer on fire\nIt smokes since <@U_REACTOR> touched it' });

    const { prompt, view } = await reactAndOpenForm(KENJI, source.ts);
    // Kenji's Slack locale is ja-JP: the prompt and the form speak Japanese.
    expect(prompt).toMatchObject({ channel: CHANNEL, user: KENJI, thread_ts: source.ts, text: t('ja', 'slack:reaction.prompt') });
    expect(view.view['title']).toMatchObject({ text: t('ja', 'common:form.title') });
    expect(view.view['callback_id']).toBe('slack_ticket_form');
    expect(inputBlock(view, 'subject_block')['element']['initial_value']).toBe('Printer on fire');
    // The mention is shown by name, as a person reads the message.
    expect(inputBlock(view, 'description_block')['element']['initial_value']).toBe('Printer on fire\nIt smokes since @kenji touched it');
    expect(inputBlock(view, 'email_block')['element']['initial_value']).toBe('kenji@example.jp');
    const serviceOptions = inputBlock(view, 'service_block')['element']['options'] as Block[];
    expect(serviceOptions.map((o) => o['value'])).toEqual(['svc-general', 'svc-it']);

    const submit = await h.inbound.interaction(
      submission(view, KENJI, ticketFormValues({ subject: 'Printer on fire', description: 'It smokes', email: 'kenji@example.jp', priority: 'high', service: 'svc-it' })),
    );
    // An empty 200 closes the modal; the submission is recorded before that answer.
    expect(submit.status).toBe(200);
    expect(submit.text).toBe('');
    expect(h.inbox.events.map((e) => e.externalId)).toContain(`view:T0001:${view.id}`);
    expect(h.desk.tickets).toHaveLength(0);

    expect(await h.drain()).toEqual([]);
    expect(h.desk.tickets).toHaveLength(1);
    const ticket = h.desk.ticket(1);
    expect(ticket).toMatchObject({
      via: 'slack',
      sourceKey: `slack:T0001:${CHANNEL}:${source.ts}`,
      sourceUrl: `https://acme.slack.com/archives/${CHANNEL}/p${source.ts.replace('.', '')}`,
      serviceId: 'svc-it',
      submitter: { platform: 'slack', workspaceId: 'T0001', platformUserId: KENJI },
      threads: [{ platform: 'slack', workspaceId: 'T0001', chatId: CHANNEL, threadRef: source.ts, locale: 'ja' }],
    });
    expect(ticket.summary).toMatchObject({ subject: 'Printer on fire', priority: 'high' });
    expect(h.desk.users.get(ticket.requesterId)?.email).toBe('kenji@example.jp');

    // The sync engine delivers the confirmation through the adapter: number, link and status, in the thread.
    await h.deliver();
    const replies = h.fake.botReplies(CHANNEL, source.ts);
    expect(replies).toHaveLength(1);
    const confirmation = replies[0]!;
    expect(confirmation.text).toContain('#1');
    expect(confirmation.text).toContain(`${PUBLIC_URL}/tickets/1`);
    expect(confirmation.text).toContain(t('ja', 'common:status.new'));
    expect(confirmation.metadata?.event_type).toBe('ticket_delivery');
  });

  it('the same reaction on a message that has a ticket shows the existing ticket and creates nothing', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'VPN is down' });
    const { view } = await reactAndOpenForm(ALICE, source.ts);
    await h.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'VPN is down', description: 'since 9am', email: 'alice@example.com' })));
    await h.drain();
    expect(h.desk.tickets).toHaveLength(1);

    const ephemeralsBefore = h.fake.ephemerals.length;
    const again = await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: OLGA }));
    expect(again.status).toBe(200);
    expect(await h.drain()).toEqual([]);

    expect(h.desk.tickets).toHaveLength(1);
    const shown = h.fake.ephemerals.slice(ephemeralsBefore);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ user: OLGA, thread_ts: source.ts });
    // Olga reads Russian: the notice names the existing request and its link.
    expect(shown[0]!.text).toContain('уже есть заявка #1');
    expect(shown[0]!.text).toContain(`${PUBLIC_URL}/tickets/1`);
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
  });

  it('form errors (empty subject, bad email) are shown in the form and nothing is recorded', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'Laptop will not boot' });
    const { view } = await reactAndOpenForm(OLGA, source.ts);
    const recorded = h.inbox.events.length;

    const res = await h.inbound.interaction(
      submission(view, OLGA, ticketFormValues({ subject: '   ', description: 'black screen', email: 'olga-at-example' })),
    );
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/json');
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { subject_block: t('ru', 'common:error.subject_required'), email_block: t('ru', 'common:error.invalid_email') },
    });
    expect(h.inbox.events).toHaveLength(recorded);
    await h.drain();
    expect(h.desk.tickets).toHaveLength(0);
  });

  it('a reaction with another emoji, or on a message of the bot, starts nothing', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'thanks!' });
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: KENJI, reaction: 'thumbsup' }));
    const botPost = await h.module.adapter.post(
      { platform: 'slack', workspaceId: 'T0001', chatId: CHANNEL, threadRef: null },
      { kind: 'notice', key: 'common:ticket.list_empty' },
      { locale: 'en', deliveryKey: 'k-1' },
    );
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: botPost.messageId, user: KENJI }));
    expect(await h.drain()).toEqual([]);
    expect(h.fake.ephemerals).toHaveLength(0);
  });

  it('a skin-tone variant of the ticket emoji counts', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'Need a new badge' });
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE, reaction: 'ticket::skin-tone-3' }));
    await h.drain();
    expect(h.fake.ephemerals).toHaveLength(1);
  });

  it('a Slack 5xx while reading the message fails the job; the retry succeeds', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'Printer jam' });
    h.fake.failNext('conversations.history', 1, { kind: 'http', status: 503 });
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE }));
    const failures = await h.drain();
    expect(failures).toHaveLength(1);
    expect(h.inbox.pending()).toHaveLength(1);
    expect(h.fake.ephemerals).toHaveLength(0);

    expect(await h.drain()).toEqual([]);
    expect(h.fake.ephemerals).toHaveLength(1);
    expect(h.inbox.pending()).toHaveLength(0);
  });
});
