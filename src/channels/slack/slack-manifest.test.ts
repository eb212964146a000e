/**
 * The Slack app manifest people paste (docs/slack-app-manifest.yaml, shown again in the README) against the code:
 * every URL at the events route, the slash command the code answers, the events and scopes the flows use.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH } from './slack-routes.ts';
import { ASSIST_COMMAND } from './slack-interactions.ts';

const read = (p: string) => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');
const text = read('docs/slack-app-manifest.yaml');
const manifest = parse(text) as {
  features: { slash_commands: { command: string; url: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
};

describe('Slack app manifest', () => {
  it('points the slash command, events and interactivity at the events route of $PUBLIC_URL', () => {
    const url = `$PUBLIC_URL${SLACK_EVENTS_PATH}`;
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: ASSIST_COMMAND, url })]);
    expect(manifest.settings.event_subscriptions.request_url).toBe(url);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: url });
  });

  it('subscribes to the events the flows read and asks for the scopes they use, nothing more', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['reaction_added', 'message.channels', 'message.groups', 'message.im', 'message.mpim']);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      ['chat:write', 'commands', 'reactions:read', 'channels:history', 'groups:history', 'im:history', 'im:write', 'mpim:history', 'files:read', 'files:write', 'users:read', 'users:read.email'].sort(),
    );
    // Each scope says why it is there.
    for (const scope of manifest.oauth_config.scopes.bot) expect(text).toMatch(new RegExp(`- ${scope.replace('.', '\\.')} # \\S`));
  });

  it('the README shows the same manifest', () => {
    const block = /### The Slack app manifest to paste[\s\S]*?```yaml\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
    expect(block).toBe(text);
  });
});
