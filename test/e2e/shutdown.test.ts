/**
 * Stopping the real process: a keep-alive connection whose request is in flight at SIGTERM gets its answer and
 * does not hold the exit for the keep-alive timeout; a client dripping its body is cut off by the request timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitedWithin, startServiceProcess, type ServiceProcess } from '../helpers/processes.ts';
import { RawConnection } from '../helpers/raw-http.ts';
import { createTestDatabase } from '../helpers/test-db.ts';
import { waitFor } from '../helpers/wait.ts';

const ADMIN = 'shutdown-admin-token-0123456789';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await database?.drop();
});

const ticketBody = JSON.stringify({ subject: 'Sent while stopping', description: 'The body arrives after SIGTERM', requesterEmail: 'late@example.com' });
const postHead = (length: number) =>
  `POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: Bearer ${ADMIN}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('graceful stop with connections open', () => {
  it('answers the request in flight at SIGTERM, closes its keep-alive connection, and exits', async () => {
    const svc = await startServiceProcess({ DATABASE_URL: database.url, ADMIN_TOKEN: ADMIN });
    running.push(svc);
    const conn = await RawConnection.open(svc.port);
    // A kept-alive connection that has served one request already...
    conn.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect((await conn.response())?.status).toBe(200);
    // ...and a second request half sent when the signal arrives.
    conn.write(postHead(Buffer.byteLength(ticketBody)) + ticketBody.slice(0, 20));
    await new Promise((r) => setTimeout(r, 300));
    svc.child.kill('SIGTERM');
    await waitFor(() => svc.output().includes('"msg":"shutting down"'), 30_000, 'the shutdown to begin');
    conn.write(ticketBody.slice(20));

    const answer = await conn.response();
    expect(answer?.status).toBe(201);
    expect(JSON.parse(answer!.body).ticket.subject).toBe('Sent while stopping');
    // The client is told not to reuse the connection, and the server closes it rather than keeping it alive.
    expect(answer?.headers['connection']).toBe('close');
    await conn.closedByServer();
    // The keep-alive timeout is 72 s: an exit within this generous bound shows the connection did not hold it.
    expect(await exitedWithin(svc.child, 40_000)).toBe(0);
    expect(svc.output()).toContain('"msg":"stopped"');
  }, 240_000);

  it('cuts off a client that drips its body byte by byte once the request timeout passes', async () => {
    const svc = await startServiceProcess({ DATABASE_URL: database.url, ADMIN_TOKEN: ADMIN, HTTP_REQUEST_TIMEOUT_MS: '2000' });
    running.push(svc);
    const conn = await RawConnection.open(svc.port);
    const length = 400;
    conn.write(postHead(length));
    // One byte every 250 ms would take 100 s to finish the body; the service must not wait for it.
    let sent = 0;
    const drip = setInterval(() => {
      if (conn.closed || sent >= length) return clearInterval(drip);
      conn.write(' ');
      sent += 1;
    }, 250);
    const answer = await Promise.race([conn.response(), new Promise<'still open'>((r) => setTimeout(() => r('still open'), 60_000))]);
    clearInterval(drip);
    expect(answer).not.toBe('still open');
    expect(sent).toBeLessThan(length);
    expect((answer as { status: number } | null)?.status).toBe(408);
    await conn.closedByServer();
    // The service itself is unharmed and still stops cleanly.
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    svc.child.kill('SIGTERM');
    expect(await exitedWithin(svc.child, 60_000)).toBe(0);
  }, 240_000);
});
