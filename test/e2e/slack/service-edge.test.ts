/**
 * Slack at the edges, end to end with the real service: signatures and timestamps, what is stored before Slack gets
 * its answer, and Slack answering 429, 5xx, a lost answer or a permanent error, inbound and outbound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { nowSeconds, signedRequest } from '../../fakes/slack/slack-inbound.ts';
import { ALICE, OLGA, SIGNING_SECRET, TEAM, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import { assistCommand, blockAction, fixture, reactionAdded } from '../../helpers/slack/slack-payloads.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: SlackService;

beforeAll(async () => {
  s = await startSlackService();
});
afterAll(async () => {
  await s?.close();
});

const inboundCount = () => s.db.inboundEvent.count();

function deliveriesOf(ticketId: string) {
  return s.db.delivery.findMany({ where: { threadLink: { ticketId } }, orderBy: { id: 'asc' }, include: { outboxEvent: true } });
}

/** chat.postMessage calls into one thread: every attempt Slack saw, refused or not. */
function postsInto(channel: string, root: string) {
  return s.fake.callsTo('chat.postMessage').filter((c) => c.args['channel'] === channel && c.args['thread_ts'] === root);
}

describe('signatures and timestamps (real service)', () => {
  it('a bad signature gets 401 with no body, and nothing is stored, opened or shown', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'help, the printer is on fire' });
    const before = await inboundCount();
    const callsBefore = s.fake.calls.length;

    const forged = await s.inbound.event(reactionAdded({ channel, ts: source.ts, user: ALICE }), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(forged.text).toBe('');
    const unsigned = await s.inbound.event(reactionAdded({ channel, ts: source.ts, user: ALICE }), { unsigned: true });
    expect(unsigned.status).toBe(401);
    const cmd = await s.inbound.command(assistCommand({ channel, user: ALICE, text: 'x', triggerId: s.fake.issueTrigger() }), { secret: 'forged' });
    expect(cmd.status).toBe(401);
    const click = await s.inbound.interaction(
      blockAction({ user: ALICE, channel, actionId: 'slack_rate', value: '1', triggerId: s.fake.issueTrigger(), messageTs: source.ts }),
      { secret: 'forged' },
    );
    expect(click.status).toBe(401);

    expect(await inboundCount()).toBe(before);
    // Not one Web API call was made on behalf of a refused request.
    const madeFor = s.fake.calls.slice(callsBefore).filter((c) => c.method === 'views.open' || JSON.stringify(c.args).includes(channel));
    expect(madeFor).toEqual([]);
  });

  it('an old timestamp (a replay) gets 401 even with a valid signature, and so does one from the future', async () => {
    const before = await inboundCount();
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'replayed' });
    const event = reactionAdded({ channel, ts: source.ts, user: ALICE });
    expect((await s.inbound.event(event, { timestamp: nowSeconds() - 10 * 60 })).status).toBe(401);
    expect((await s.inbound.event(event, { timestamp: nowSeconds() + 10 * 60 })).status).toBe(401);
    expect(await inboundCount()).toBe(before);
    // The same event, signed now, is accepted: only the timestamp was at fault.
    expect((await s.inbound.event(event)).status).toBe(200);
    expect(await inboundCount()).toBe(before + 1);
    await s.inboundDone(event.event_id);
  });

  it('url_verification echoes the challenge; malformed bodies get 400 and store nothing', async () => {
    const res = await s.inbound.event(fixture('url-verification'));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    const before = await inboundCount();
    const notJson = await s.inbound.send(signedRequest(SIGNING_SECRET, '{"type":', 'application/json'));
    expect(notJson.status).toBe(400);
    const noEventId = await s.inbound.event({ type: 'event_callback', team_id: TEAM, event: { type: 'reaction_added' } });
    expect(noEventId.status).toBe(400);
    expect(await inboundCount()).toBe(before);
  });
});

describe('nothing accepted is lost (real service)', () => {
  it('an event is in the inbox when Slack gets its 200; a retry of it is recognised and processed once', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'the scanner jams on every page' });
    const event = reactionAdded({ channel, ts: source.ts, user: OLGA });
    const res = await s.inbound.event(event);
    expect(res.status).toBe(200);
    // Stored before the answer: the row exists the moment the 200 arrives.
    expect(await s.db.inboundEvent.count({ where: { platform: 'slack', externalId: event.event_id } })).toBe(1);
    const retry = await s.inbound.event(event, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    await s.inboundDone(event.event_id);
    expect(await s.db.inboundEvent.count({ where: { platform: 'slack', externalId: event.event_id } })).toBe(1);
    expect(s.fake.ephemerals.filter((e) => e.channel === channel)).toHaveLength(1);
    expect(s.fake.ephemerals.find((e) => e.channel === channel)).toMatchObject({ user: OLGA, text: t('ru', 'slack:reaction.prompt') });
  });

  it('Slack answering 5xx, then 429, while an event is processed: the inbox retries and the person sees one prompt', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'monitor flickers' });
    s.fake.failNext('conversations.history', 1, { kind: 'http', status: 503 }, channel);
    s.fake.failNext('chat.postEphemeral', 1, { kind: 'rate_limited', retryAfter: 1 }, channel);
    const event = reactionAdded({ channel, ts: source.ts, user: ALICE });
    expect((await s.inbound.event(event)).status).toBe(200);
    const row = await s.inboundDone(event.event_id);
    // Three runs: the 503 counts as a failure; the 429 is Slack's throttle, waited out without counting.
    expect(row).toMatchObject({ attempts: 1, lastError: null });
    expect(s.fake.callsTo('chat.postEphemeral').filter((c) => c.args['channel'] === channel)).toHaveLength(2);
    expect(s.fake.ephemerals.filter((e) => e.channel === channel)).toHaveLength(1);
  });
});

describe('Slack throttling inbound work (real service)', () => {
  it('429s while an event is processed are waited out as Slack asks and never park the event, however many', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'keyboard missing keys' });
    // Five refusals: as failures they would park the event as dead; as throttles they only delay it.
    s.fake.failNext('conversations.history', 5, { kind: 'rate_limited', retryAfter: 1 }, channel);
    const event = reactionAdded({ channel, ts: source.ts, user: ALICE });
    await s.inbound.event(event);
    expect(await s.inboundDone(event.event_id)).toMatchObject({ attempts: 0, lastError: null });
    expect(s.fake.callsTo('conversations.history').filter((c) => c.args['channel'] === channel)).toHaveLength(6);
    expect(s.fake.ephemerals.filter((e) => e.channel === channel)).toHaveLength(1);
  });
});

describe('delivering into Slack when Slack misbehaves (real service)', () => {
  it('429 with Retry-After: the delivery waits, is sent once and keeps its place in the thread', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    s.fake.failNext('chat.postMessage', 1, { kind: 'rate_limited', retryAfter: 1 }, channel);
    await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Try the other tray.', public: true });
    await s.api('PATCH', `/tickets/${ticket.number}`, { status: 'pending' });

    const posted = await s.botReplies(channel, root, 4);
    expect(posted.slice(1).map((m) => m.text.split('\n')[0])).toEqual([
      t('en', 'common:ticket.agent_reply', { author: 'Dana (Support)', number: ticket.number }),
      expect.stringContaining(t('en', 'common:status.open')),
      expect.stringContaining(t('en', 'common:status.pending')),
    ]);
    expect(posted.filter((m) => m.text.includes('Try the other tray.'))).toHaveLength(1);
    // Slack saw the refused attempt and the one that went through.
    expect(postsInto(channel, root).filter((c) => String(c.args['text']).includes('Try the other tray.'))).toHaveLength(2);
    await waitFor(async () => (await deliveriesOf(ticket.id)).every((d) => d.status === 'sent'));
    const reply = (await deliveriesOf(ticket.id))[1]!;
    expect(reply).toMatchObject({ status: 'sent', attempts: 2, lastError: null, platformMessageId: posted[1]!.ts });
  });

  it('5xx, then an answer lost after Slack posted: retried with backoff, found in the thread by its key, not doubled', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    s.fake.failNext('chat.postMessage', 1, { kind: 'http', status: 503 }, channel);
    s.fake.failNext('chat.postMessage', 1, { kind: 'lost_answer', status: 502 }, channel);
    const repliesBefore = s.fake.callsTo('conversations.replies').length;
    await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Replace the toner.', public: true });

    await waitFor(async () => (await deliveriesOf(ticket.id))[1]?.status === 'sent', 20_000, 'the reply delivered');
    const posted = s.fake.botReplies(channel, root);
    expect(posted.filter((m) => m.text.includes('Replace the toner.'))).toHaveLength(1);
    const reply = (await deliveriesOf(ticket.id))[1]!;
    // Two sends reached Slack's door (503, then the lost answer); the third drain found the message instead of posting.
    expect(reply).toMatchObject({ status: 'sent', attempts: 2, platformMessageId: posted.find((m) => m.text.includes('Replace the toner.'))!.ts });
    expect(postsInto(channel, root).filter((c) => String(c.args['text']).includes('Replace the toner.'))).toHaveLength(2);
    const lookups = s.fake.callsTo('conversations.replies').slice(repliesBefore).filter((c) => c.args['channel'] === channel);
    // Looked up on each drain that found the delivery `sending`: after the 503 (not there), after the lost answer (there).
    expect(lookups).toHaveLength(2);
    expect(lookups.every((c) => c.args['ts'] === root && c.args['include_all_metadata'] === 'true')).toBe(true);
  });

  it('a channel the bot was removed from: delivery stops at once and the thread link is marked broken', async () => {
    const channel = s.channel();
    const { ticket } = await s.ticketByReaction(channel);
    s.fake.workspace.conversations.get(channel)!.members.delete(s.fake.workspace.botUserId);
    await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Anyone there?', public: true });
    await waitFor(async () => (await s.db.chatThreadLink.findFirst({ where: { ticketId: ticket.id } }))?.status === 'broken', 20_000, 'a broken link');
    const link = await s.db.chatThreadLink.findFirstOrThrow({ where: { ticketId: ticket.id } });
    expect(link.brokenReason).toBe('slack: not_in_channel');
    expect((await deliveriesOf(ticket.id)).map((d) => d.status)).toEqual(['sent', 'failed', 'failed']);
    // One refused attempt, no retries: the answer cannot change by asking again.
    expect(s.fake.callsTo('chat.postMessage').filter((c) => c.args['channel'] === channel && String(c.args['text']).includes('Anyone there?'))).toHaveLength(1);
  });
});
