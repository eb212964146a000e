import { describe, expect, it } from 'vitest';
import { escapedChunks, escapeMrkdwn, firstLine, mentionedUsers, slackToPlain, truncate } from './slack-text.ts';

describe('slack text helpers', () => {
  it('escapes only &, < and >', () => {
    expect(escapeMrkdwn('a < b && c > d *bold*')).toBe('a &lt; b &amp;&amp; c &gt; d *bold*');
  });

  it('turns Slack markup into what a person reads', () => {
    const names = new Map([['U024BE7LH', 'alice']]);
    expect(
      slackToPlain('hi <@U024BE7LH> and <@U999|bob> in <#C123|support>, see <https://x.io/a?b=1|the doc> or <https://y.io> &lt;3 <!here>', names),
    ).toBe('hi @alice and @bob in #support, see the doc or https://y.io <3 @here');
  });

  it('lists mentioned users once each', () => {
    expect(mentionedUsers('<@U1> <@U2|b> <@U1>')).toEqual(['U1', 'U2']);
  });

  it('splits escaped text at line breaks without cutting an entity', () => {
    const chunks = escapedChunks('aaaa\n&&&&', 8);
    expect(chunks).toEqual(['aaaa', '&amp;', '&amp;', '&amp;', '&amp;']);
    for (const c of escapedChunks('x&'.repeat(500), 50)) {
      expect(c.length).toBeLessThanOrEqual(50);
      expect(c.endsWith('&amp') || c.endsWith('&am') || c.endsWith('&a')).toBe(false);
    }
  });

  it('picks the first non-empty line as a subject and marks truncation', () => {
    expect(firstLine('\n  Printer on fire  \nmore', 100)).toBe('Printer on fire');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('日本語のテキスト', 3)).toBe('日本…');
  });
});
