import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../src/infra/logger.ts';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
  return { log: createLogger('info', sink as never), out: () => lines.join('') };
}

describe('logs', () => {
  it('redact credentials in headers, bodies and config', () => {
    const { log, out } = capture();
    log.info({ req: { headers: { authorization: 'Bearer agt_SECRET1', 'x-slack-signature': 'v0=SECRET2', 'x-telegram-bot-api-secret-token': 'SECRET3', cookie: 'sid=SECRET4' } } }, 'request');
    log.info({ config: { botToken: 'xoxb-SECRET5', appSecret: 'SECRET6' }, user: { token: 'SECRET7', password: 'SECRET8' } }, 'config');
    expect(out()).toContain('[redacted]');
    for (let i = 1; i <= 8; i++) expect(out()).not.toContain(`SECRET${i}`);
  });

  it('keep a logged URL but not the one-time token in it', () => {
    const { log, out } = capture();
    log.info({ req: { method: 'GET', url: '/invite/SECRET1' } }, 'incoming request');
    log.info({ url: '/tickets?token=SECRET2&status=open' }, 'own line');
    log.child({ req: { url: '/login/link/SECRET3' } }).info('bound');
    const text = out();
    for (let i = 1; i <= 3; i++) expect(text).not.toContain(`SECRET${i}`);
    expect(text).toContain('"url":"/invite/[redacted]"');
    expect(text).toContain('"url":"/tickets?token=[redacted]&status=open"');
    expect(text).toContain('"url":"/login/link/[redacted]"');
  });
});

describe('redactUrl', () => {
  it('replaces the segment after /invite/ and /login/link/, keeping the rest of the path', () => {
    expect(redactUrl('/invite/abc_DEF-123')).toBe('/invite/[redacted]');
    expect(redactUrl('/invite/abc/accept')).toBe('/invite/[redacted]/accept');
    expect(redactUrl('/login/link/tok?next=%2Fmy%2Ftickets')).toBe('/login/link/[redacted]?next=%2Fmy%2Ftickets');
    expect(redactUrl('https://help.example.com/INVITE/abc')).toBe('https://help.example.com/INVITE/[redacted]');
    expect(redactUrl('/invite/')).toBe('/invite/');
  });

  it('replaces the values of secret query parameters, whatever their case or position', () => {
    expect(redactUrl('/x?token=a&code=b&key=c&secret=d&signature=e')).toBe('/x?token=[redacted]&code=[redacted]&key=[redacted]&secret=[redacted]&signature=[redacted]');
    expect(redactUrl('/x?a=1&Access_Token=t&api_key=k&b=2')).toBe('/x?a=1&Access_Token=[redacted]&api_key=[redacted]&b=2');
    expect(redactUrl('/x?%74oken=t')).toBe('/x?%74oken=[redacted]'); // an encoded name is still the name
  });

  it('redacts a link carried in another link (the sign-in page\'s next=)', () => {
    const out = redactUrl(`/login?next=${encodeURIComponent('/invite/SECRET?x=1')}`);
    expect(out).not.toContain('SECRET');
    expect(decodeURIComponent(out)).toBe('/login?next=/invite/[redacted]?x=1');
    expect(redactUrl(`/login?next=${encodeURIComponent('/tickets/12?token=SECRET')}`)).not.toContain('SECRET');
    expect(redactUrl(`/x?return=${encodeURIComponent('https://help.example.com/login/link/SECRET')}`)).not.toContain('SECRET');
  });

  it('leaves ordinary URLs exactly as they were', () => {
    for (const url of ['/tickets/12', '/tickets?status=open,new&limit=5&cursor=eyJ9', '/login?next=%2Ftickets%2F3', '/lark/events', '/api/v1/users?query=ann%20smith', '/?a', '/x?=1&&b=']) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
