import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';

describe('logs', () => {
  it('redact credentials in headers, bodies and config', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
    const log = createLogger('info', sink as never);
    log.info({ req: { headers: { authorization: 'Bearer agt_SECRET1', 'x-slack-signature': 'v0=SECRET2', 'x-telegram-bot-api-secret-token': 'SECRET3', cookie: 'sid=SECRET4' } } }, 'request');
    log.info({ config: { botToken: 'xoxb-SECRET5', appSecret: 'SECRET6' }, user: { token: 'SECRET7', password: 'SECRET8' } }, 'config');
    const out = lines.join('');
    expect(out).toContain('[redacted]');
    for (let i = 1; i <= 8; i++) expect(out).not.toContain(`SECRET${i}`);
  });
});
