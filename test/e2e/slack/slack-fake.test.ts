import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackFake } from '../../fakes/slack/slack-fake.ts';

/** The fake must refuse what Slack refuses, or the channel's tests prove nothing. */
describe('SlackFake strictness', () => {
  let fake: SlackFake;
  beforeEach(async () => {
    fake = new SlackFake({ emailScope: false });
    await fake.start();
    fake.addUser({ id: 'U1', locale: 'ja-JP', email: 'u1@example.com' });
    fake.addChannel({ id: 'C1', members: ['U1'] });
  });
  afterEach(async () => {
    await fake.stop();
  });

  async function call(method: string, args: Record<string, string>, opts: { token?: string | null; contentType?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/x-www-form-urlencoded' };
    const token = opts.token === undefined ? fake.botToken : opts.token;
    if (token) headers['authorization'] = `Bearer ${token}`;
    const res = await fetch(`${fake.apiUrl}${method}`, { method: 'POST', headers, body: new URLSearchParams(args).toString() });
    return (await res.json()) as Record<string, any>;
  }

  it('refuses a missing or wrong token', async () => {
    expect(await call('auth.test', {}, { token: null })).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('auth.test', {}, { token: 'xoxb-nope' })).toEqual({ ok: false, error: 'invalid_auth' });
    expect((await call('auth.test', {})).user_id).toBe('UBOT');
  });

  it('refuses a body that is neither form nor JSON', async () => {
    expect(await call('chat.postMessage', { channel: 'C1', text: 'x' }, { contentType: 'text/plain' })).toEqual({
      ok: false,
      error: 'invalid_form_data',
    });
  });

  it('takes a user id only where Slack does: chat.postMessage posts to the app\'s direct chat, histories refuse it', async () => {
    const posted = await call('chat.postMessage', { channel: 'U1', text: 'hello' });
    expect(posted).toMatchObject({ ok: true, channel: 'D1' });
    expect((await call('conversations.history', { channel: 'U1' })).error).toBe('channel_not_found');
    expect((await call('chat.getPermalink', { channel: 'U1', message_ts: posted.ts })).error).toBe('channel_not_found');
    expect(await call('conversations.open', { users: 'U1' })).toEqual({ ok: true, channel: { id: 'D1', is_im: true, user: 'U1' } });
    expect((await call('conversations.history', { channel: 'D1' })).messages.map((m: { ts: string }) => m.ts)).toEqual([posted.ts]);
    expect((await call('conversations.open', { users: 'U404' })).error).toBe('user_not_found');
  });

  it('refuses missing or unknown channels, missing text, bad threads', async () => {
    expect((await call('chat.postMessage', { text: 'x' })).error).toBe('channel_not_found');
    expect((await call('chat.postMessage', { channel: 'C404', text: 'x' })).error).toBe('channel_not_found');
    expect((await call('chat.postMessage', { channel: 'C1' })).error).toBe('no_text');
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x', thread_ts: '1.000001' })).error).toBe('thread_not_found');
    const root = fake.addMessage('C1', { user: 'U1', text: 'root' }).ts;
    const reply = fake.addMessage('C1', { user: 'U1', text: 'reply', thread_ts: root }).ts;
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x', thread_ts: reply })).error).toBe('cannot_reply_to_message');
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x', thread_ts: root })).ok).toBe(true);
  });

  it('refuses more than 50 blocks and more than 40,000 characters', async () => {
    const blocks = JSON.stringify(Array.from({ length: 51 }, () => ({ type: 'divider' })));
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x', blocks })).error).toBe('invalid_blocks');
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x'.repeat(40_001) })).error).toBe('msg_too_long');
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x'.repeat(40_000) })).ok).toBe(true);
  });

  it('refuses to update or delete a message the bot did not post', async () => {
    const ts = fake.addMessage('C1', { user: 'U1', text: 'mine' }).ts;
    expect((await call('chat.update', { channel: 'C1', ts, text: 'edited' })).error).toBe('cant_update_message');
    expect((await call('chat.delete', { channel: 'C1', ts })).error).toBe('cant_delete_message');
    expect((await call('chat.update', { channel: 'C1', ts: '9.000009', text: 'x' })).error).toBe('message_not_found');
  });

  it('accepts a trigger id once, and never an unknown or expired one', async () => {
    const view = JSON.stringify({ type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [] });
    const trigger = fake.issueTrigger();
    expect((await call('views.open', { trigger_id: trigger, view })).ok).toBe(true);
    expect((await call('views.open', { trigger_id: trigger, view })).error).toBe('expired_trigger_id');
    expect((await call('views.open', { trigger_id: 'made.up', view })).error).toBe('invalid_trigger_id');
    const expired = fake.issueTrigger();
    fake.expireTrigger(expired);
    expect((await call('views.open', { trigger_id: expired, view })).error).toBe('expired_trigger_id');
    const tooLong = JSON.stringify({ type: 'modal', title: { type: 'plain_text', text: 'x'.repeat(25) }, blocks: [] });
    expect((await call('views.open', { trigger_id: fake.issueTrigger(), view: tooLong })).error).toBe('invalid_arguments');
  });

  it('users.info shows locale only with include_locale and email only with the email scope', async () => {
    const plain = await call('users.info', { user: 'U1' });
    expect(plain.user.locale).toBeUndefined();
    expect(plain.user.profile.email).toBeUndefined();
    fake.emailScope = true;
    const full = await call('users.info', { user: 'U1', include_locale: 'true' });
    expect(full.user).toMatchObject({ locale: 'ja-JP', profile: { email: 'u1@example.com' } });
    expect((await call('users.info', { user: 'U404' })).error).toBe('user_not_found');
  });

  it('conversations.history lists top-level messages only, newest first; replies are in conversations.replies', async () => {
    const a = fake.addMessage('C1', { user: 'U1', text: 'a' }).ts;
    fake.addMessage('C1', { user: 'U1', text: 'a-reply', thread_ts: a });
    const b = fake.addMessage('C1', { user: 'U1', text: 'b' }).ts;
    const history = await call('conversations.history', { channel: 'C1' });
    expect(history.messages.map((m: { ts: string }) => m.ts)).toEqual([b, a]);
    const replies = await call('conversations.replies', { channel: 'C1', ts: a });
    expect(replies.messages.map((m: { text: string }) => m.text)).toEqual(['a', 'a-reply']);
    expect((await call('conversations.history', { channel: 'C1', latest: a, inclusive: 'true', limit: '1' })).messages[0].ts).toBe(a);
  });

  it('answers scripted faults: 429 with Retry-After, HTTP 500, ok:false', async () => {
    fake.failNext('chat.postMessage', 1, { kind: 'rate_limited', retryAfter: 12 });
    fake.failNext('chat.postMessage', 1, { kind: 'http', status: 500 });
    fake.failNext('chat.postMessage', 2, { kind: 'error', error: 'fatal_error' });
    const send = () =>
      fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${fake.botToken}` },
        body: 'channel=C1&text=x',
      });
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('12');
    expect((await send()).status).toBe(500);
    expect(await (await send()).json()).toEqual({ ok: false, error: 'fatal_error' });
    expect(await (await send()).json()).toEqual({ ok: false, error: 'fatal_error' });
    expect(((await (await send()).json()) as { ok: boolean }).ok).toBe(true);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(5);
  });
});
