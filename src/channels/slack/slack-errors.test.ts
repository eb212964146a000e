import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackFake } from '../../../test/fakes/slack/slack-fake.ts';
import { ChannelSendError } from '../../core/ports/channel-port.ts';
import { SlackApi } from './slack-api.ts';
import { slackFailureOf } from './slack-errors.ts';

describe('slackFailureOf (errors the Web API client really throws, from the Slack fake)', () => {
  const fake = new SlackFake();
  let api: SlackApi;
  beforeAll(async () => {
    await fake.start();
    api = new SlackApi({ botToken: fake.botToken, apiUrl: fake.apiUrl });
  });
  afterAll(async () => {
    await fake.stop();
  });

  /** What a listener's failure looks like after Bolt wrapped it. */
  async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
    const e = await run().then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    return Object.assign(new Error('listener failed'), { code: 'slack_bolt_unknown_error', original: e });
  }

  it('a 429 becomes rate_limited with Slack\'s Retry-After, so the inbox can wait that long', async () => {
    fake.failNext('users.info', 1, { kind: 'rate_limited', retryAfter: 30 });
    const mapped = slackFailureOf(await failureOf(() => api.userInfo('U1')));
    expect(mapped).toBeInstanceOf(ChannelSendError);
    expect(mapped).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
  });

  it('a 5xx is transient and a platform error such as channel_not_found permanent', async () => {
    fake.failNext('users.info', 1, { kind: 'http', status: 503 });
    expect(slackFailureOf(await failureOf(() => api.userInfo('U1')))?.kind).toBe('transient');
    expect(slackFailureOf(await failureOf(() => api.history('C404', { limit: 1 })))).toMatchObject({ kind: 'permanent', message: 'slack: channel_not_found' });
  });

  it('keeps failures that are not Slack answers as they are (null)', () => {
    expect(slackFailureOf(new Error('connection to the database lost'))).toBeNull();
    expect(slackFailureOf('text')).toBeNull();
  });
});
