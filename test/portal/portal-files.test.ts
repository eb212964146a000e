/**
 * A customer's reply on the help-center page can carry files: streamed into the store by the same multipart hook
 * as the agents' composer, attached to their public comment, served back to them and to agents, never to another
 * customer; a file over ATTACHMENT_MAX_BYTES is a clear 413 page that adds nothing; another customer's ticket is a
 * 404 whose uploads attach nowhere.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, ConsoleClient } from '../console/console-client.ts';
import { multipartForm } from '../helpers/multipart-form.ts';
import { PortalWorld } from './portal-world.ts';

const MAX = 4096;
const w = new PortalWorld();
const CAROL = 'carol.files@customer.example';
const DAVE = 'dave.files@customer.example';
let carol: ConsoleClient;
let dave: ConsoleClient;

beforeAll(async () => {
  await w.start({ ATTACHMENT_MAX_BYTES: String(MAX) });
  await w.customer(CAROL, 'Carol Files');
  await w.customer(DAVE, 'Dave Files');
  carol = w.client();
  await w.signIn(carol, CAROL);
  dave = w.client();
  await w.signIn(dave, DAVE);
}, 60_000);
afterAll(async () => w.stop());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// A PNG signature and IHDR chunk start: enough for the type to be read from the bytes.
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]);
const log = Buffer.from('2026-12-02 printer offline\n'.repeat(20));

async function postReply(c: ConsoleClient, number: number, fields: Record<string, string>, files: { name: string; bytes: Buffer }[]) {
  const m = multipartForm(fields, files);
  return w.svc.app.inject({ method: 'POST', url: `/tickets/${number}/reply`, remoteAddress: c.remoteAddress, headers: { cookie: c.cookieHeader(), 'content-type': m.contentType }, payload: m.body });
}

type ApiComment = { body: string; author: { name: string }; attachments: { id: string; name: string; size: number; url: string }[] };
const comments = async (number: number) => (await api(w.svc.app, 'GET', `/tickets/${number}/comments`)).body.comments as ApiComment[];

describe("a customer's reply with files", () => {
  it('attaches them to their public comment with the same bytes, shown to them and to agents, not to another customer', async () => {
    const number = await w.ticket(CAROL, 'Printer offline', 'The office printer says offline since this morning.');
    const page = await carol.get(`/tickets/${number}`);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toMatch(/<input type="file"[^>]*name="files"/);

    // without the page's form token nothing is accepted
    expect((await postReply(carol, number, { body: 'no token' }, [{ name: 'x.png', bytes: png }])).statusCode).toBe(403);

    const r = await postReply(carol, number, { _csrf: carol.token, body: 'Here is the screen and the log.' }, [{ name: 'screen.png', bytes: png }, { name: 'printer.log', bytes: log }]);
    expect(r.statusCode, r.body.slice(0, 3000)).toBe(303);
    expect(r.headers.location).toBe(`/tickets/${number}?done=reply`);
    const mine = (await comments(number)).find((c) => c.body === 'Here is the screen and the log.')!;
    expect(mine.author.name).toBe('Carol Files');
    expect(mine.attachments.map((a) => [a.name, a.size])).toEqual([['screen.png', png.length], ['printer.log', log.length]]);

    // the requester reads her own file back, byte for byte; an agent too; another customer gets 404
    const path = new URL(mine.attachments[0]!.url).pathname;
    const back = await w.svc.app.inject({ method: 'GET', url: path, remoteAddress: carol.remoteAddress, headers: { cookie: carol.cookieHeader() } });
    expect(back.statusCode).toBe(200);
    expect(sha(back.rawPayload)).toBe(sha(png));
    const byAgent = await w.svc.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${w.agent.token}` } });
    expect(sha(byAgent.rawPayload)).toBe(sha(png));
    const byDave = await w.svc.app.inject({ method: 'GET', url: path, remoteAddress: dave.remoteAddress, headers: { cookie: dave.cookieHeader() } });
    expect(byDave.statusCode).toBe(404);
    // and the ticket page lists the files
    expect((await carol.get(`/tickets/${number}`)).body).toContain('printer.log');
  });

  it("another customer's ticket is a 404 and their uploads attach nowhere", async () => {
    const number = await w.ticket(CAROL, 'Badge reader', 'My badge is not read at the door.');
    await dave.get('/my/tickets');
    const r = await postReply(dave, number, { _csrf: dave.token, body: 'Not mine to write' }, [{ name: 'evil.png', bytes: png }]);
    expect(r.statusCode).toBe(404);
    expect((await comments(number)).map((c) => c.body)).not.toContain('Not mine to write');
  });

  it('a file over the limit is a clear 413 page, keeps what was typed and adds nothing', async () => {
    const number = await w.ticket(CAROL, 'Scanner', 'The scanner makes blank pages.');
    await carol.get(`/tickets/${number}`);
    const r = await postReply(carol, number, { _csrf: carol.token, body: 'A huge scan attached' }, [{ name: 'scan.bin', bytes: Buffer.alloc(MAX + 10, 1) }]);
    expect(r.statusCode).toBe(413);
    expect(r.body).toContain('larger than the size limit');
    expect(r.body).toContain('A huge scan attached');
    expect((await comments(number)).map((c) => c.body)).not.toContain('A huge scan attached');
  });
});
