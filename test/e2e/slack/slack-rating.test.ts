import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { ALICE, CHANNEL, OLGA, startSlackHarness, type SlackHarness } from '../../helpers/slack/slack-harness.ts';
import { blockAction, select, submission, text } from '../../helpers/slack/slack-payloads.ts';

type Block = Record<string, any>;

describe('Slack rating and reopen (service + Bolt against the Slack fake)', () => {
  let h: SlackHarness;
  let root: string;

  beforeEach(async () => {
    h = await startSlackHarness();
    root = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'Printer on fire' }).ts;
    await h.desk.linkByEmail({
      platform: 'slack',
      workspaceId: 'T0001',
      platformUserId: ALICE,
      displayName: 'alice',
      email: 'alice@example.com',
      locale: 'en',
    });
    await h.desk.createTicket({
      via: 'slack',
      requester: { email: 'alice@example.com' },
      subject: 'Printer on fire',
      description: 'Printer on fire',
      thread: { platform: 'slack', workspaceId: 'T0001', chatId: CHANNEL, threadRef: root, locale: 'en' },
    });
    h.desk.setStatus(1, 'solved');
    await h.deliver();
  });
  afterEach(async () => {
    await h.close();
  });

  function ratingPrompt() {
    const prompt = h.fake.botReplies(CHANNEL, root).at(-1);
    if (!prompt) throw new Error('no rating prompt');
    return prompt;
  }

  async function click(user: string, actionId: 'slack_rate' | 'slack_reopen') {
    const prompt = ratingPrompt();
    const button = (prompt.blocks as Block[]).flatMap((b) => (b['elements'] ?? []) as Block[]).find((e) => e['action_id'] === actionId);
    expect(button).toBeDefined();
    const res = await h.inbound.interaction(
      blockAction({ user, channel: CHANNEL, actionId, value: button!['value'], triggerId: h.fake.issueTrigger(), messageTs: prompt.ts, threadTs: root }),
    );
    expect(res.status).toBe(200);
    const view = h.fake.views.at(-1);
    if (!view) throw new Error('no modal');
    return view;
  }

  it('the solved message offers Rate, Reopen and View', () => {
    const prompt = ratingPrompt();
    expect(prompt.text).toBe(t('en', 'common:ticket.solved_prompt', { number: 1 }));
    const buttons = (prompt.blocks as Block[]).flatMap((b) => (b['elements'] ?? []) as Block[]);
    expect(buttons.map((b) => b['action_id'])).toEqual(['slack_rate', 'slack_reopen', 'slack_view']);
    expect(buttons[2]!['url']).toBe('https://help.example.com/tickets/1');
  });

  it('Rate opens a modal; the submitted score and comment close the ticket and the person is thanked', async () => {
    const view = await click(ALICE, 'slack_rate');
    expect(view.view['callback_id']).toBe('slack_rate_form');
    const res = await h.inbound.interaction(
      submission(view, ALICE, { score_block: { score_select: select('4') }, comment_block: { comment_input: text('quick fix') } }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await h.drain()).toEqual([]);

    expect(h.desk.ticket(1).rating).toEqual({ score: 4, comment: 'quick fix' });
    expect(h.desk.ticket(1).summary.status).toBe('closed');
    const thanks = h.fake.ephemerals.at(-1);
    expect(thanks).toMatchObject({ user: ALICE, channel: CHANNEL, thread_ts: root, text: t('en', 'common:rating.thanks', { number: 1, score: 4 }) });
  });

  it('Reopen asks for the reason in a modal; the reason becomes a comment', async () => {
    const view = await click(ALICE, 'slack_reopen');
    expect(view.view['callback_id']).toBe('slack_reopen_form');
    await h.inbound.interaction(submission(view, ALICE, { reason_block: { reason_input: text('still smoking') } }));
    expect(await h.drain()).toEqual([]);
    expect(h.desk.ticket(1).summary.status).toBe('open');
    expect(h.desk.ticket(1).comments.map((c) => c.body)).toEqual(['still smoking']);
    expect(h.fake.ephemerals.at(-1)?.text).toBe(t('en', 'common:reopen.done', { number: 1 }));
  });

  it('an empty reason is shown as a form error', async () => {
    const view = await click(ALICE, 'slack_reopen');
    const res = await h.inbound.interaction(submission(view, ALICE, { reason_block: { reason_input: text('  ') } }));
    expect(res.json()).toEqual({ response_action: 'errors', errors: { reason_block: t('en', 'slack:error.reason_required') } });
    expect(h.inbox.events).toHaveLength(0);
  });

  it('the core\'s refusal is told to the person in their language (not their ticket)', async () => {
    const view = await click(OLGA, 'slack_rate');
    await h.inbound.interaction(submission(view, OLGA, { score_block: { score_select: select('5') }, comment_block: { comment_input: text(null) } }));
    expect(await h.drain()).toEqual([]);
    expect(h.desk.ticket(1).summary.status).toBe('solved');
    expect(h.fake.ephemerals.at(-1)).toMatchObject({ user: OLGA, text: t('ru', 'common:error.ticket_not_found') });
  });

  it('rating a ticket that is no longer solved tells why', async () => {
    const first = await click(ALICE, 'slack_rate');
    const second = await click(ALICE, 'slack_rate');
    await h.inbound.interaction(submission(first, ALICE, { score_block: { score_select: select('5') }, comment_block: { comment_input: text(null) } }));
    await h.inbound.interaction(submission(second, ALICE, { score_block: { score_select: select('1') }, comment_block: { comment_input: text(null) } }));
    expect(await h.drain()).toEqual([]);
    expect(h.desk.ticket(1).rating?.score).toBe(5);
    expect(h.fake.ephemerals.at(-1)?.text).toBe(t('en', 'common:error.not_solved'));
  });
});
