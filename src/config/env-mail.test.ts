/** The variables of the help center's mail and of the client address behind a proxy. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from './env.ts';

const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e instanceof ConfigError ? e.message : String(e);
  }
  return null;
};

describe('SMTP_URL and EMAIL_FROM', () => {
  it('default: no mail, and the sender is support@ the host of PUBLIC_URL', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://help.example.com:8443/' });
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.EMAIL_FROM).toBe('support@help.example.com');
    expect(loadConfig({ PORT: '4000' }).EMAIL_FROM).toBe('support@localhost');
  });

  it('takes smtp:// and smtps:// URLs, with or without credentials, and an explicit sender', () => {
    for (const url of ['smtp://mail.example.com:587', 'smtps://user:p%40ss@mail.example.com:465', 'smtp://127.0.0.1:2525']) expect(loadConfig({ SMTP_URL: url }).SMTP_URL).toBe(url);
    expect(loadConfig({ EMAIL_FROM: 'help@acme.example' }).EMAIL_FROM).toBe('help@acme.example');
  });

  it('refuses malformed values naming the variable, never printing an SMTP password', () => {
    expect(fails({ SMTP_URL: 'http://mail.example.com' })).toMatch(/^SMTP_URL must be smtp:\/\//);
    expect(fails({ SMTP_URL: 'smtp://user:hunter2@' })).not.toContain('hunter2');
    expect(fails({ EMAIL_FROM: 'not an address' })).toBe('EMAIL_FROM must be an email address, e.g. support@help.example.com (got "not an address")');
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default and reads true/false, a hop count, or addresses and CIDR ranges', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1,fd00::/8')).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'proxy.example.com', '10.0.0.1/8/1', ',']) expect(fails({ TRUST_PROXY: bad }), bad).toMatch(/^TRUST_PROXY must be true, false, a hop count/);
  });
});
