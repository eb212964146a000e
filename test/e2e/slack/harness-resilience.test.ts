/**
 * Failures the real service cannot be made to show on demand (a database that refuses one write, Slack unreachable
 * while the service starts), played with the in-memory desk and inbox around the real channel, Bolt and the Slack
 * fake over HTTP. Everything else is proven against the real service in service-*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { ALICE, CHANNEL, startSlackHarness, type SlackHarness } from '../../helpers/slack/slack-harness.ts';
import { assistCommand, reactionAdded, submission, ticketFormValues } from '../../helpers/slack/slack-payloads.ts';

describe('Slack channel resilience (in-memory core, real HTTP, Bolt and the Slack fake)', () => {
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

  it('a submission whose ticket creation fails after the request was posted posts it once on the retry, and makes one ticket', async () => {
    const view = await assist('the disk is full again');
    const realCreate = h.desk.createTicket.bind(h.desk);
    let failures = 1;
    h.desk.createTicket = async (input) => {
      if (failures-- > 0) throw new Error('database restarting');
      return realCreate(input);
    };
    const before = h.fake.messages(CHANNEL).length;
    await h.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'the disk is full again', email: 'alice@example.com' })));

    expect(await h.drain()).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    // The posted request was remembered (dialog state) across the failed attempt: one message, one ticket.
    expect(h.fake.messages(CHANNEL).slice(before)).toHaveLength(1);
    expect(h.desk.tickets).toHaveLength(1);
    expect(h.desk.dialog.size).toBe(0);
  });

  it('a submit answers with a form error when the inbox cannot record it, so nothing accepted is lost', async () => {
    const view = await assist('the disk is full again');
    h.inbox.failNextRecords = 1;
    const res = await h.inbound.interaction(
      submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'the disk is full again', email: 'alice@example.com' })),
    );
    expect(res.json()).toEqual({ response_action: 'errors', errors: { subject_block: t('en', 'common:error.generic') } });
    expect(h.inbox.events).toHaveLength(0);
    // Submitted again (the modal is still open), it is accepted.
    expect((await h.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'the disk is full again', email: 'alice@example.com' })))).text).toBe('');
    expect(h.inbox.events).toHaveLength(1);
  });

  it('an event the inbox cannot record gets 503, so Slack retries it', async () => {
    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'help' });
    h.inbox.failNextRecords = 1;
    const event = reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE });
    const res = await h.inbound.event(event);
    expect(res.status).toBe(503);
    expect(h.inbox.events).toHaveLength(0);
    expect((await h.inbound.event(event, { retryNum: 1, retryReason: 'http_error' })).status).toBe(200);
    expect(h.inbox.events).toHaveLength(1);
  });

  it('a stored payload that is not an object is skipped, not retried forever', async () => {
    await expect(
      h.module.adapter.processInbound!({ id: 'x', platform: 'slack', externalId: 'Ev-bad', payload: 'garbage', receivedAt: new Date() }),
    ).resolves.toBeUndefined();
  });

  it('Slack unreachable at start: the service stays up, forms still open, events wait for the retry', async () => {
    await h.close();
    // auth.test fails at start, again for the command, and once more for the first event.
    h = await startSlackHarness({ failAuthTests: 3 });
    const cmd = await h.inbound.command(assistCommand({ channel: CHANNEL, user: ALICE, text: 'x', triggerId: h.fake.issueTrigger() }));
    expect(cmd.status).toBe(200);
    expect(h.fake.views).toHaveLength(1);

    const source = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'help' });
    await h.inbound.event(reactionAdded({ channel: CHANNEL, ts: source.ts, user: ALICE }));
    expect(await h.drain()).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    expect(h.fake.ephemerals).toHaveLength(1);
    expect(h.fake.callsTo('auth.test')).toHaveLength(4);
  });
});
