/**
 * Memory while a 20 MB file streams through the service, in one process: the service (listening on loopback, the
 * default PostgreSQL store) and the test platform. Phases: a customer's file fetched by the worker from the
 * platform into the store; an agent's upload over HTTP; its delivery to the platform through postFiles; its
 * download over HTTP. Peak RSS (sampled every 10 ms) is printed beside the idle RSS measured just before, in the
 * same run; the platform's copy of the customer's file is allocated before the idle figure, so it is not counted.
 *
 * Env: DATABASE_URL (an admin connection; a fresh database is made and dropped), BENCH_FILE_MB (20),
 * ATTACHMENT_STORE (postgres) and DATA_DIR for the disk store.
 * Run: npx tsx bench/attachments.ts   (or: node --expose-gc --import tsx bench/attachments.ts, to settle idle first)
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/env.ts';
import { createPrisma } from '../src/infra/db/prisma.ts';
import { startService } from '../src/service.ts';
import { createTestChannel, TEST_SECRET } from '../test/helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../test/helpers/test-channel/test-platform.ts';
import { threadTicket } from '../test/helpers/service.ts';

const MB = 1024 * 1024;
const size = Math.round(Number(process.env.BENCH_FILE_MB ?? '20') * MB) - 1;
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL (an admin connection to PostgreSQL)');

const rss = () => process.memoryUsage().rss;
const mib = (b: number) => `${(b / MB).toFixed(1)} MiB`;

async function settle(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
  return rss();
}

/** Runs `fn` while sampling RSS; returns the peak. */
async function peakDuring(fn: () => Promise<void>): Promise<{ peak: number; ms: number }> {
  let peak = rss();
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 10);
  const t0 = Date.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { peak: Math.max(peak, rss()), ms: Date.now() - t0 };
}

/** The file's bytes, made as they are sent (never held whole): a deterministic stream and its sha256. */
const block = randomBytes(64 * 1024);
function* fileChunks(): Generator<Buffer> {
  for (let sent = 0; sent < size; sent += block.length) yield sent + block.length <= size ? block : block.subarray(0, size - sent);
}
const expectedSha = (() => {
  const h = createHash('sha256');
  for (const c of fileChunks()) h.update(c);
  return h.digest('hex');
})();

const name = `bench_files_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

const platform = new TestPlatform();
await platform.start();
const config = loadConfig({
  ...(process.env.ATTACHMENT_STORE ? { ATTACHMENT_STORE: process.env.ATTACHMENT_STORE } : {}),
  ...(process.env.DATA_DIR ? { DATA_DIR: process.env.DATA_DIR } : {}),
  ATTACHMENT_MAX_BYTES: String(Math.max(size + 1, 20 * MB)),
  DATABASE_URL: dbUrl,
  PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.bench', ADMIN_TOKEN: 'bench-admin-token-0123456789', LOG_LEVEL: 'silent' });
const svc = await startService(config, { logger: pino({ level: 'silent' }), channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)], pollIntervalMs: 100 });
const db = createPrisma(dbUrl);
const results: { phase: string; idle: number; peak: number; ms: number }[] = [];
try {
  const agent = await (await fetch(`${svc.url}/api/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${config.ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@support.example', name: 'Bench' }) })).json() as { token: string };
  const { ticket } = await threadTicket(svc, { via: 'test', requester: { email: 'cust@example.com' }, subject: 'Files', description: 'Big files', thread: { platform: 'test', workspaceId: 'w', chatId: 'C1', threadRef: 't1', locale: 'en' } });
  // The platform's copy of the customer's file: allocated before the idle figure.
  platform.files.set('big', { bytes: Buffer.concat([...fileChunks()]), contentType: 'application/octet-stream', chunked: true });

  // 1. Inbound: the worker fetches the customer's file and streams it into the store.
  let idle = await settle();
  let r = await peakDuring(async () => {
    const ev = { id: 'e1', chatId: 'C1', threadRef: 't1', user: 'u1', email: 'cust@example.com', text: 'the dump', files: [{ id: 'big', name: 'dump.bin' }] };
    await fetch(`${svc.url}/test/events`, { method: 'POST', headers: { 'x-test-secret': TEST_SECRET, 'content-type': 'application/json' }, body: JSON.stringify(ev) });
    for (;;) {
      const a = await db.attachment.findFirst({ where: { ticketId: ticket.id, platformFileId: 'big' } });
      if (a && a.state !== 'pending') {
        if (a.sha256 !== expectedSha) throw new Error(`inbound: ${a.state} ${a.sha256}`);
        break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  results.push({ phase: 'chat file fetched into the store', idle, ...r });
  platform.files.clear();

  // 2. Upload over HTTP, streamed.
  idle = await settle();
  let uploadId = '';
  r = await peakDuring(async () => {
    const res = await fetch(`${svc.url}/api/v1/uploads?filename=big.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/octet-stream' },
      body: ReadableStream.from(fileChunks()),
      duplex: 'half',
    } as RequestInit);
    const j = (await res.json()) as { upload?: { id: string; size: number } };
    if (res.status !== 201 || j.upload?.size !== size) throw new Error(`upload: ${res.status} ${JSON.stringify(j)}`);
    uploadId = j.upload.id;
  });
  results.push({ phase: 'upload (POST /api/v1/uploads)', idle, ...r });

  // 3. Delivery: the drain hands it to postFiles, which streams it to the platform.
  idle = await settle();
  r = await peakDuring(async () => {
    const res = await fetch(`${svc.url}/api/v1/tickets/${ticket.number}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'here it is', public: true, attachmentIds: [uploadId] }),
    });
    if (res.status !== 201) throw new Error(`comment: ${res.status}`);
    while (!platform.uploads.some((u) => u.name === 'big.bin')) await new Promise((res2) => setTimeout(res2, 50));
    if (platform.uploads.find((u) => u.name === 'big.bin')!.sha256 !== expectedSha) throw new Error('delivered bytes differ');
  });
  results.push({ phase: 'delivery to the chat (postFiles)', idle, ...r });

  // 4. Download over HTTP, streamed.
  idle = await settle();
  r = await peakDuring(async () => {
    const res = await fetch(`${svc.url}/attachments/${uploadId}/big.bin`, { headers: { authorization: `Bearer ${agent.token}` } });
    const h = createHash('sha256');
    for await (const c of res.body!) h.update(c);
    if (res.status !== 200 || h.digest('hex') !== expectedSha) throw new Error(`download: ${res.status}`);
  });
  results.push({ phase: 'download (GET /attachments/<id>/<name>)', idle, ...r });
} finally {
  await db.$disconnect();
  await svc.stop();
  await platform.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

console.log(`\nA ${mib(size)} file through the service (store: ${config.ATTACHMENT_STORE}), RSS of the one process:\n`);
console.log('| phase | idle RSS | peak RSS | peak - idle | time |');
console.log('| --- | --- | --- | --- | --- |');
for (const x of results) console.log(`| ${x.phase} | ${mib(x.idle)} | ${mib(x.peak)} | ${mib(x.peak - x.idle)} | ${(x.ms / 1000).toFixed(1)} s |`);
