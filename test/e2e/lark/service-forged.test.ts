/**
 * Forged Lark requests against the real service (audit finding: a forged, unsigned card action rated and closed a
 * customer's ticket while neither LARK_VERIFICATION_TOKEN nor LARK_ENCRYPT_KEY was set). Lark without a way to
 * authenticate its requests does not start at all; with either secret, a card action that cannot prove it came from
 * Lark is refused with 401 and changes nothing.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.ts';
import { signLegacy } from '../../fakes/lark/lark-fake-events.ts';
import { findByName, parseContent } from '../../helpers/lark/lark-flows.ts';
import { eventIdOf, LarkService } from '../../helpers/lark/lark-service.ts';
import { ROOT } from '../../helpers/processes.ts';

type Obj = Record<string, unknown>;
const form = { subject: 'Laptop fan', description: 'the laptop fan is very loud', priority: 'normal', service: 'none', email: 'alice@example.com' };

/** Alice's ticket, solved by an agent; returns it with the rating card and the value of its "5" button. */
async function solvedTicket(s: LarkService) {
  const t = await s.createTicket(s.people.alice, form);
  const solved = await s.api('PATCH', `/tickets/${t.number}`, { status: 'solved' });
  expect(solved.status).toBe(200);
  await s.settled(t.number);
  const prompt = s.botReplies(t.rootId).at(-1)!;
  const rate5 = findByName(parseContent(prompt), 'rate_5')['value'] as Obj;
  return { ...t, prompt, rate5 };
}

async function untouched(s: LarkService, number: number, before: Awaited<ReturnType<LarkService['stored']>>) {
  const ticket = await s.ticket(number);
  expect(ticket.status).toBe('solved');
  expect(ticket.rating).toBeNull();
  expect(await s.stored()).toEqual(before);
}

describe('Lark with neither a verification token nor an encrypt key', () => {
  const credentials = { LARK_APP_ID: 'cli_forged_test', LARK_APP_SECRET: 'app-secret-never-shown' };

  it('is a configuration error naming both variables', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/db', ...credentials });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('LARK_VERIFICATION_TOKEN');
    expect((error as ConfigError).message).toContain('LARK_ENCRYPT_KEY');
    // either secret alone is enough
    expect(() => loadConfig({ ...credentials, LARK_VERIFICATION_TOKEN: 'tok' })).not.toThrow();
    expect(() => loadConfig({ ...credentials, LARK_ENCRYPT_KEY: 'key' })).not.toThrow();
    // blank counts as unset
    expect(() => loadConfig({ ...credentials, LARK_VERIFICATION_TOKEN: '  ', LARK_ENCRYPT_KEY: '' })).toThrow(ConfigError);
  });

  it('stops npm start with one line, before anything listens, without echoing the app secret', () => {
    const { LARK_VERIFICATION_TOKEN: _t, LARK_ENCRYPT_KEY: _k, ...env } = process.env;
    // A database nobody listens on: were the check ever lost, start-up would fail fast here instead of running open.
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, ...credentials, PORT: '0', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('nodedir'));
    expect(lines).toEqual([expect.stringMatching(/^config error: LARK_VERIFICATION_TOKEN or LARK_ENCRYPT_KEY is required/)]);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('app-secret-never-shown');
  }, 200_000);
});

describe('a forged card action on a service with the verification token only', () => {
  let s: LarkService;
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses every forgery of a rating with 401, and only the genuine action closes the ticket', async () => {
    s = await new LarkService().start();
    const t = await solvedTicket(s);
    const before = await s.stored();
    const action = () => s.inbound.cardAction({ from: s.people.alice, cardMessageId: t.prompt.message_id, value: t.rate5, formValue: {}, name: 'rate_5' }).body;

    const guessed = action();
    (guessed['header'] as Obj)['token'] = 'guessed-token';
    expect((await s.send(guessed)).status).toBe(401);
    const tokenless = action();
    delete (tokenless['header'] as Obj)['token'];
    expect((await s.send(tokenless)).status).toBe(401);

    // the legacy card request URL: unsigned, and signed with a guessed token
    const legacy = s.inbound.legacyCardAction({ from: s.people.alice, cardMessageId: t.prompt.message_id, value: t.rate5 }).body;
    expect((await s.send(legacy, {}, s.cardsUrl)).status).toBe(401);
    const raw = JSON.stringify(legacy);
    const sig = { 'x-lark-request-timestamp': '1700000000', 'x-lark-request-nonce': 'n1', 'x-lark-signature': signLegacy('1700000000', 'n1', 'guessed-token', raw) };
    expect((await s.send(legacy, { headers: sig }, s.cardsUrl)).status).toBe(401);
    await untouched(s, t.number, before);

    // The same action from Lark (right token) is what rates it: the forgeries above were refused for their proof only.
    const genuine = action();
    expect((await s.send(genuine)).status).toBe(200);
    await s.processed(eventIdOf(genuine));
    const rated = await s.ticket(t.number);
    expect(rated.status).toBe('closed');
    expect(rated.rating).toMatchObject({ score: 5 });
  }, 120_000);
});

describe('a forged card action on a service with the encrypt key only', () => {
  let s: LarkService;
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses plaintext, unsigned and legacy card actions with 401; the encrypted, signed one rates', async () => {
    s = await new LarkService({ encryptKey: 'forged-test-encrypt-key', verificationToken: null }).start();
    const t = await solvedTicket(s);
    const before = await s.stored();
    const action = () => s.inbound.cardAction({ from: s.people.alice, cardMessageId: t.prompt.message_id, value: t.rate5, formValue: {}, name: 'rate_5' }).body;

    expect((await s.send(action(), { encrypt: false, sign: false })).status).toBe(401);
    expect((await s.send(action(), { encrypt: true, sign: false })).status).toBe(401);
    expect((await s.send(action(), { tamper: 'signature' })).status).toBe(401);
    const legacy = s.inbound.legacyCardAction({ from: s.people.alice, cardMessageId: t.prompt.message_id, value: t.rate5 }).body;
    expect((await s.send(legacy, { encrypt: false, legacySign: true }, s.cardsUrl)).status).toBe(401);
    await untouched(s, t.number, before);

    const genuine = action();
    expect((await s.send(genuine)).status).toBe(200);
    await s.processed(eventIdOf(genuine));
    expect((await s.ticket(t.number)).rating).toMatchObject({ score: 5 });
  }, 120_000);
});
