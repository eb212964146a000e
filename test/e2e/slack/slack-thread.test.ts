import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { ALICE, CHANNEL, KENJI, startSlackHarness, type SlackHarness } from '../../helpers/slack/slack-harness.ts';
import {
  fileShare,
  messageChanged,
  messageDeleted,
  ownBotMessage,
  threadReply,
} from '../../helpers/slack/slack-payloads.ts';

describe('Slack thread sync (service + Bolt against the Slack fake)', () => {
  let h: SlackHarness;
  let root: string;

  beforeEach(async () => {
    h = await startSlackHarness();
    root = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'Printer on fire' }).ts;
    await h.desk.createTicket({
      via: 'slack',
      requester: { email: 'alice@example.com' },
      subject: 'Printer on fire',
      description: 'Printer on fire',
      thread: { platform: 'slack', workspaceId: 'T0001', chatId: CHANNEL, threadRef: root, locale: 'en' },
      sourceKey: `slack:T0001:${CHANNEL}:${root}`,
    });
    await h.deliver();
  });
  afterEach(async () => {
    await h.close();
  });

  function comments() {
    return h.desk.ticket(1).comments;
  }

  it('a person\'s reply in the thread becomes a comment by their linked user, mentions by name', async () => {
    const reply = h.fake.addMessage(CHANNEL, { user: KENJI, text: 'same for me <@U_AUTHOR>', thread_ts: root });
    const res = await h.inbound.event(threadReply({ channel: CHANNEL, user: KENJI, text: reply.text, ts: reply.ts, threadTs: root }));
    expect(res.status).toBe(200);
    expect(await h.drain()).toEqual([]);

    expect(comments()).toHaveLength(1);
    expect(comments()[0]).toMatchObject({ body: 'same for me @alice', externalRef: `slack:T0001:${CHANNEL}:${reply.ts}` });
    // Kenji was unknown: the Slack profile's email linked (and created) his help-center user.
    const kenji = [...h.desk.users.values()].find((u) => u.email === 'kenji@example.jp');
    expect(kenji).toBeDefined();
    expect(comments()[0]!.authorId).toBe(kenji!.id);
    expect(h.desk.links.get(`slack:T0001:${KENJI}`)).toBe(kenji!.id);
  });

  it('files shared in the thread are attached to the comment as links', async () => {
    const ts = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'screenshot of the error', thread_ts: root }).ts;
    await h.inbound.event(fileShare({ channel: CHANNEL, user: ALICE, text: 'screenshot of the error', ts, threadTs: root }));
    expect(await h.drain()).toEqual([]);
    expect(comments()[0]).toMatchObject({
      body: 'screenshot of the error',
      files: [{ name: 'error.png', url: 'https://acme.slack.com/files/U_AUTHOR/F0S43PZDF/error.png' }],
    });
  });

  it('an edit updates the comment (old text kept); a delete marks it deleted', async () => {
    const ts = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'it happens every morning', thread_ts: root }).ts;
    await h.inbound.event(threadReply({ channel: CHANNEL, user: ALICE, text: 'it happens every morning', ts, threadTs: root }));
    await h.inbound.event(
      messageChanged({ channel: CHANNEL, user: ALICE, ts, threadTs: root, text: 'it happens every evening', previousText: 'it happens every morning' }),
    );
    expect(await h.drain()).toEqual([]);
    expect(comments()[0]).toMatchObject({ body: 'it happens every evening', edited: true, history: ['it happens every morning'] });

    await h.inbound.event(messageDeleted({ channel: CHANNEL, user: ALICE, ts, threadTs: root }));
    expect(await h.drain()).toEqual([]);
    expect(comments()[0]!.deleted).toBe(true);
  });

  it('the bot\'s own messages and other bots never come back as comments', async () => {
    const ownPost = h.fake.botReplies(CHANNEL, root)[0]!;
    await h.inbound.event(ownBotMessage({ channel: CHANNEL, ts: ownPost.ts, threadTs: root, text: ownPost.text }));
    const otherBot = threadReply({ channel: CHANNEL, user: 'U_OTHERBOT', text: 'deploy finished', ts: '1700009999.000100', threadTs: root });
    otherBot.event.bot_id = 'B_OTHER';
    await h.inbound.event(otherBot);
    expect(await h.drain()).toEqual([]);
    expect(comments()).toHaveLength(0);
  });

  it('replies in threads without a ticket, and top-level messages, are left alone', async () => {
    const other = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'lunch?' }).ts;
    await h.inbound.event(threadReply({ channel: CHANNEL, user: KENJI, text: 'yes', ts: '1700009998.000100', threadTs: other }));
    const topLevel = threadReply({ channel: CHANNEL, user: KENJI, text: 'hello', ts: '1700009997.000100', threadTs: root });
    delete topLevel.event.thread_ts;
    await h.inbound.event(topLevel);
    expect(await h.drain()).toEqual([]);
    expect(comments()).toHaveLength(0);
    expect(h.fake.callsTo('users.info')).toHaveLength(0);
  });

  it('a Slack retry of an event (same event_id, X-Slack-Retry-Num) is answered 200 and processed once', async () => {
    const ts = h.fake.addMessage(CHANNEL, { user: ALICE, text: 'any news?', thread_ts: root }).ts;
    const event = threadReply({ channel: CHANNEL, user: ALICE, text: 'any news?', ts, threadTs: root });
    expect((await h.inbound.event(event)).status).toBe(200);
    const retry = await h.inbound.event(event, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(h.inbox.events).toHaveLength(1);
    expect(await h.drain()).toEqual([]);
    expect(comments()).toHaveLength(1);
  });

  it('agent replies and status changes reach the thread', async () => {
    h.desk.agentReply(1, 'Dana (Support)', 'Please unplug it.\nThen wait <10> minutes & retry.');
    h.desk.setStatus(1, 'pending');
    await h.deliver();
    const posted = h.fake.botReplies(CHANNEL, root);
    // confirmation, agent reply, status change
    expect(posted).toHaveLength(3);
    const [, reply, status] = posted;
    expect(reply!.text).toContain(t('en', 'common:ticket.agent_reply', { author: 'Dana (Support)', number: 1 }));
    // Quoted line by line with Slack's ">" marker; the agent's own < > & are escaped so they show as typed.
    expect(JSON.stringify(reply!.blocks)).toContain('>Please unplug it.\\n>Then wait &lt;10&gt; minutes &amp; retry.');
    expect(status!.text).toContain(
      t('en', 'common:ticket.status_changed', { number: 1, from: t('en', 'common:status.new'), to: t('en', 'common:status.pending') }),
    );
  });
});
