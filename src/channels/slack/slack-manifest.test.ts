import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLACK_BOT_EVENTS, SLACK_BOT_SCOPES, slackAppManifest } from './slack-manifest.ts';

describe('Slack app manifest', () => {
  it('docs/slack-app-manifest.yaml is the generated manifest for $PUBLIC_URL', () => {
    const file = readFileSync(new URL('../../../docs/slack-app-manifest.yaml', import.meta.url), 'utf8');
    expect(file).toBe(slackAppManifest('$PUBLIC_URL'));
  });

  it('points the slash command, events and interactivity at /slack/events', () => {
    const yaml = slackAppManifest('https://help.example.com/');
    const urls = [...yaml.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => m[1]);
    expect(urls).toEqual(Array(3).fill('https://help.example.com/slack/events'));
    expect(yaml).toContain('- command: /assist');
  });

  it('lists every scope and bot event the flows need', () => {
    const yaml = slackAppManifest('https://x');
    for (const scope of Object.keys(SLACK_BOT_SCOPES)) expect(yaml).toContain(`- ${scope} #`);
    for (const event of SLACK_BOT_EVENTS) expect(yaml).toContain(`- ${event}\n`);
    expect(Object.keys(SLACK_BOT_SCOPES)).toEqual(
      expect.arrayContaining(['chat:write', 'commands', 'reactions:read', 'channels:history', 'users:read', 'users:read.email']),
    );
  });
});
