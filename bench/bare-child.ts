/**
 * The floor for the Slack ack: a bare fastify route that takes the raw body, checks the v0 signature as the
 * service does, and answers 200, in its own process like the service. Prints `READY <url>`. Env: SLACK_SIGNING_SECRET.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const secret = process.env.SLACK_SIGNING_SECRET!;
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/slack/events', async (req, reply) => {
  const ts = String(req.headers['x-slack-request-timestamp'] ?? '');
  const sig = Buffer.from(String(req.headers['x-slack-signature'] ?? ''));
  const want = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(req.body as Buffer).digest('hex')}`);
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return reply.code(401).send();
  JSON.parse((req.body as Buffer).toString('utf8'));
  return reply.code(200).send('');
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
