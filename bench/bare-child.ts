/**
 * The floor for the Slack ack: a bare fastify route that takes the raw body, checks the v0 signature as the
 * service does, and answers 200, in its own process like the service. Prints `READY <url>`. Env: SLACK_SIGNING_SECRET.
 * With DATABASE_URL, also `/slack/events-durable`: the same, answering once the event is inserted into
 * `bench_acks` and committed by a plain `pg` pool (one prepared statement): the floor of an ack that waits for the
 * event to be durable, as the service's does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const secret = process.env.SLACK_SIGNING_SECRET!;
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
const pool = process.env.DATABASE_URL ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 }) : null;
const route = (durable: boolean) => async (req: { headers: Record<string, unknown>; body: unknown }, reply: { code(n: number): { send(b?: string): unknown } }) => {
  const ts = String(req.headers['x-slack-request-timestamp'] ?? '');
  const sig = Buffer.from(String(req.headers['x-slack-signature'] ?? ''));
  const want = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(req.body as Buffer).digest('hex')}`);
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return reply.code(401).send();
  const event = JSON.parse((req.body as Buffer).toString('utf8')) as { event_id?: string };
  if (durable) await pool!.query({ name: 'bench_ack', text: 'INSERT INTO bench_acks (external_id, payload) VALUES ($1, $2::jsonb)', values: [event.event_id ?? null, JSON.stringify(event)] });
  return reply.code(200).send('');
};
app.post('/slack/events', route(false));
if (pool) app.post('/slack/events-durable', route(true));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
