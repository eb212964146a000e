/**
 * Failures the real service cannot be made to show on demand (a database that refuses one write, a core that fails
 * once after Slack already has the request, Slack unreachable while the service starts), played with the real
 * channel over HTTP, the Slack fake and the real core on the in-memory store. Everything else is proven against the
 * real service in service-*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { ALICE, CHANNEL, startSlackHarness, type SlackHarness } from '../../helpers/slack/slack-harness.ts';
import { assistCommand, reactionAdded, submission, threadReply, ticketFormValues } from '../../helpers/slack/slack-payloads.ts';

describe('Slack channel resilience (the real core in memory, real HTTP and the Slack fake)', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function assist(text: string) {
    const res = await h.inbound.command(assistCommand({ channel: CHANNEL, user: ALICE, text, triggerId: h.fake.issueTrigger() }));
    expect(res.status).toBe(200);
    const view = h.fake.views.at(-1);
    if (!view) throw new Error('no modal opened');
    return view;
  }
  const form = { subject: 'Disk', description: 'the disk is full again' };

  it('a submission whose ticket creation fails after the request was posted posts it once on the retry, and makes one ticket', async () => {
    const view = await assist('the disk is full again');
    const realCreate = h.core.tickets.create.bind(h.core.tickets);
    let failures = 1;
    h.core.tickets.create = async (input) => {
      if (failures-- > 0) throw new Error('database restarting');
      return realCreate(input);
    };
    const before = h.fake.messages(CHANNEL).length;
    await h.inbound.interaction(submission(view, ALICE, ticketFormValues(form)));
    await h.drain();
    const [row] = h.core.peek.inbound();
    expect(row).toMatchObject({ status: 'done', attempts: 1 });
    // The request was found again by the draft in its metadata: one message, one ticket, living in its thread.
    const posted = h.fake.messages(CHANNEL).slice(before);
    expect(posted.filter((m) => m.user === 'UBOT' && (!m.thread_ts || m.thread_ts === m.ts))).toHaveLength(1);
    const [ticket] = h.core.peek.tickets();
    expect(h.core.peek.tickets()).toHaveLength(1);
    expect(h.core.peek.links(ticket!.number).map((l) => [l.chatId, l.threadRef])).toEqual([[CHANNEL, posted[0]!.ts]]);
  });

  it('a submit answers with a form error when the inbox cannot record it, so nothing accepted is lost', async () => {
    const view = await assist('the disk is full again');
    h.failRecords(1);
    const res = await h.inbound.interaction(submission(view, ALICE, ticketFormValues(form)));
    expect(res.json()).toEqual({ response_action: 'errors', errors: { subject_block: t('en', 'common:error.generic') } });
    expect(h.core.peek.inbound()).toHaveLength(0);
    // Submitted again (the modal is still open), it is accepted.
    expect((await h.inbound.interaction(submission(view, ALICE, ticketFormValues(form)))).text).toBe('');
    expect(h.core.peek.inbound()).toHaveLength(1);
  });

  it('an event the inbox cannot record gets 503, so Slack retries it', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'help' });
    h.failRecords(1);
    const event = reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE });
    expect((await h.inbound.event(event)).status).toBe(503);
    expect(h.core.peek.inbound()).toHaveLength(0);
    expect((await h.inbound.event(event, { retryNum: 1, retryReason: 'http_error' })).status).toBe(200);
    expect(h.core.peek.inbound()).toHaveLength(1);
  });

  it('a stored payload that is not a Slack payload means nothing, and is not retried forever', async () => {
    for (const payload of ['garbage', null, { type: 'event_callback' }, { type: 'view_submission', view: 1 }])
      expect(await h.module.adapter.parse!({ id: 'x', platform: 'slack', externalId: 'Ev-bad', payload, receivedAt: new Date() })).toEqual([]);
  });

  it('Slack unreachable at start: the service stays up, forms still open, events wait for the retry', async () => {
    await h.close();
    // auth.test fails at start and once more for the first event; a form needs no bot identity.
    h = await startSlackHarness({ failAuthTests: 2 });
    const cmd = await h.inbound.command(assistCommand({ channel: CHANNEL, user: ALICE, text: 'x', triggerId: h.fake.issueTrigger() }));
    expect(cmd.status).toBe(200);
    expect(h.fake.views).toHaveLength(1);

    // A person's message needs the bot's own id (its own messages never come back): it waits for auth.test.
    h.fake.workspace.resolveChannel(ALICE);
    const ts = h.fake.addMessage('D_AUTHOR', { user: ALICE, text: 'hello?' }).ts;
    const hello = threadReply({ channel: 'D_AUTHOR', user: ALICE, text: 'hello?', ts, threadTs: ts });
    delete hello.event.thread_ts;
    hello.event.channel_type = 'im';
    await h.inbound.event(hello);
    await h.drain();
    expect(h.core.peek.inbound().map((r) => [r.status, r.attempts])).toEqual([['done', 1]]);
    expect(h.fake.messages('D_AUTHOR').at(-1)).toMatchObject({ user: 'UBOT', text: t('en', 'slack:help', { emoji: 'ticket' }) });
    expect(h.fake.callsTo('auth.test')).toHaveLength(3);
  });
});
