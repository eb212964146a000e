import { describe, expect, it } from 'vitest';
import { escapedChunks, escapeMrkdwn, mentionedUsers, slackToPlain, truncate, visibleText } from './slack-text.ts';

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

  it('marks truncation', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('日本語のテキスト', 3)).toBe('日本…');
  });

  it('shows a shared message\'s text with its own, and leaves link previews out', () => {
    const shared = { shared: true, author: 'lev', text: 'the &lt;b&gt; tag <@U1>' };
    const preview = { shared: false, author: 'jadel', text: 'asdf' };
    expect(visibleText({ text: '', attachments: [shared] }, new Map([['U1', 'ann']]))).toBe('lev: the <b> tag @ann');
    expect(visibleText({ text: 'look <https://x.io|here>', attachments: [shared, preview] })).toBe('look here\nlev: the <b> tag @U1');
    expect(visibleText({ text: '<https://x.io>', attachments: [preview] })).toBe('https://x.io');
  });
});
