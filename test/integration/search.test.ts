/**
 * Ticket search in English, Russian and Japanese, through the real service and its API, on three clusters:
 * the external PostgreSQL (DATABASE_URL), a fresh embedded one (initialised with C.UTF-8), and an embedded one
 * initialised the old way, with the C locale, where PostgreSQL's own lower('Ольга') stays 'Ольга'.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/db/embedded-postgres.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { ADMIN_TOKEN, auth } from '../helpers/service.ts';
import { createPrisma } from '../../src/infra/db/prisma.ts';
import { listTicketSql } from '../../src/infra/repos/ticket-list-sql.ts';
import { planSearch, type SearchPlan } from '../../src/infra/repos/ticket-search-sql.ts';

interface Cluster {
  name: string;
  /** a superuser URL of the server; a database is made in it for the test */
  admin: () => Promise<{ url: string; stop?: () => Promise<void> }>;
  /** what lower() of the server itself does to Cyrillic: the reason the search must not rely on it */
  nativeLowerFolds: boolean;
}

async function embedded(flags?: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tb-search-pg-'));
  let e: EmbeddedDatabase;
  try {
    e = await startEmbeddedPostgres(dir, { database: 'postgres', initdbFlags: flags });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: e.url,
    stop: async () => {
      await e.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const clusters: Cluster[] = [
  { name: 'the external PostgreSQL (DATABASE_URL)', admin: async () => ({ url: inject('adminDatabaseUrl') }), nativeLowerFolds: true },
  { name: 'a new embedded PostgreSQL', admin: () => embedded(), nativeLowerFolds: true },
  { name: 'an embedded PostgreSQL made with the C locale', admin: () => embedded(['--encoding=UTF8', '--locale=C']), nativeLowerFolds: false },
];

for (const cluster of clusters) {
  describe(`search on ${cluster.name}`, () => {
    let svc: RunningService;
    let stopServer: (() => Promise<void>) | undefined;
    let dropDb: () => Promise<void> = async () => {};
    let token = '';
    const no: Record<string, number> = {};

    async function call(method: string, url: string, body?: unknown) {
      const res = await svc.app.inject({
        method: method as 'GET',
        url: `/api/v1${url}`,
        headers: { ...auth(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.statusCode, body: JSON.parse(res.body) };
    }
    const found = async (q: string) => {
      const r = await call('GET', `/tickets?query=${encodeURIComponent(q)}`);
      expect(r.status, q).toBe(200);
      return (r.body.tickets as { number: number }[]).map((t) => t.number).sort((a, b) => a - b);
    };

    beforeAll(async () => {
      const server = await cluster.admin();
      stopServer = server.stop;
      const name = `tb_search_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      const lowered = await c.query<{ folds: boolean }>(`SELECT lower('ОЛЬГА') = 'ольга' AS folds`);
      expect(lowered.rows[0]!.folds, 'the cluster is what this case is about').toBe(cluster.nativeLowerFolds);
      await c.end();
      dropDb = async () => {
        const d = new pg.Client({ connectionString: server.url });
        await d.connect();
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await d.end();
      };
      const u = new URL(server.url);
      u.pathname = `/${name}`;
      const config = loadConfig({ DATABASE_URL: u.toString(), ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.test', LOG_LEVEL: 'silent' });
      svc = await startService(config, { logger: pino({ level: 'silent' }), listen: false, worker: false });
      const agent = await svc.app.inject({
        method: 'POST',
        url: '/api/v1/agents',
        headers: { ...auth(ADMIN_TOKEN), 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'search.agent@support.example', name: 'Search Agent' }),
      });
      token = JSON.parse(agent.body).token;

      const users: [string, string, string, string][] = [
        ['carol', 'carol@customer.example', 'Carol Smith', 'Acme Corp'],
        ['olga', 'olga@bigcorp.example', 'Ольга Иванова', 'ООО Ромашка'],
        ['hanako', 'hanako@example.jp', '佐藤 花子', '株式会社サンプル'],
        ['dmitry', 'dmitry@other.example', 'Dmitry Petrov', 'Other Ltd'],
      ];
      for (const [, email, name, organization] of users) expect((await call('POST', '/users', { email, name, organization })).status).toBe(201);
      const ticket = async (key: string, requesterEmail: string, subject: string, description: string) => {
        const r = await call('POST', '/tickets', { subject, description, requesterEmail });
        expect(r.status).toBe(201);
        no[key] = r.body.ticket.number;
      };
      await ticket('en', 'carol@customer.example', 'Printer on floor 3 is broken', 'The office printer stopped printing this morning.');
      await ticket('ru', 'olga@bigcorp.example', 'Не работает VPN', 'С утра не подключается VPN у всего отдела.');
      await ticket('ja', 'hanako@example.jp', '印刷機が故障しました', '三階の印刷機が動きません。至急対応してください。');
      await ticket('other', 'dmitry@other.example', 'Password reset', 'Cannot log in to the portal since Monday.');
      expect((await call('POST', `/tickets/${no.ru}/comments`, { body: 'Проверили шлюз, ЖДЁМ ответа провайдера.', public: false })).status).toBe(201);
      expect((await call('POST', `/tickets/${no.ja}/comments`, { body: 'トナーを交換しましたが、まだエラーが出ます。', public: true })).status).toBe(201);
    }, 120_000);

    afterAll(async () => {
      await svc?.stop();
      await dropDb();
      await stopServer?.();
    }, 60_000);

    it('finds English words in any case, by prefix, in the subject, the description and the requester', async () => {
      expect(await found('printer')).toEqual([no.en]);
      expect(await found('PRINTER')).toEqual([no.en]);
      expect(await found('print')).toEqual([no.en]);
      expect(await found('morning')).toEqual([no.en]); // the description
      expect(await found('carol')).toEqual([no.en]); // the requester's name
      expect(await found('customer.example')).toEqual([no.en]); // their email's domain
      expect(await found('ACME')).toEqual([no.en]); // their organization
      expect(await found('printer broken')).toEqual([no.en]);
      expect(await found('printer portal')).toEqual([]); // every word must match
    });

    it('finds Russian words in any case, by prefix, in comments, the requester and the organization', async () => {
      expect(await found('ольга')).toEqual([no.ru]);
      expect(await found('ОЛЬГА')).toEqual([no.ru]);
      expect(await found('иванов')).toEqual([no.ru]);
      expect(await found('ивановна')).toEqual([]); // a prefix of the query is not enough
      expect(await found('ПОДКЛЮЧАЕТСЯ')).toEqual([no.ru]); // the description
      expect(await found('шлюз')).toEqual([no.ru]); // an internal note
      expect(await found('ждём')).toEqual([no.ru]); // written ЖДЁМ
      expect(await found('ромашка')).toEqual([no.ru]);
      expect(await found('не работает')).toEqual([no.ru]);
      expect(await found('ＶＰＮ')).toEqual([no.ru]); // full-width letters
    });

    it('finds Japanese words inside unspaced text, one character included', async () => {
      expect(await found('故障')).toEqual([no.ja]);
      expect(await found('印刷機')).toEqual([no.ja]);
      expect(await found('故')).toEqual([no.ja]);
      expect(await found('至急')).toEqual([no.ja]); // the description
      expect(await found('トナー')).toEqual([no.ja]); // a comment
      expect(await found('エラー')).toEqual([no.ja]);
      expect(await found('花子')).toEqual([no.ja]); // the requester
      expect(await found('サンプル')).toEqual([no.ja]); // the organization
      expect(await found('印刷 エラー')).toEqual([no.ja]);
      expect(await found('機故')).toEqual([]); // not a substring
    });

    it('finds a ticket by its number and answers punctuation with nothing', async () => {
      expect(await found(`#${no.other}`)).toEqual([no.other]);
      expect(await found('!!!')).toEqual([]);
    });

    it('finds the same tickets whether it starts from a rare word or walks the queue checking each ticket', async () => {
      // At this size every word is rare; the walk is what a million tickets and only common words get.
      const db = createPrisma(svc.databaseUrl, 2);
      try {
        const run = async (plan: SearchPlan) => (await db.$queryRaw<{ number: number }[]>(listTicketSql({}, { limit: 50, cursor: null }, plan).query)).map((r) => r.number).sort((a, b) => a - b);
        for (const query of ['printer', 'PRINTER broken', 'ольга', 'шлюз ждём', '故', 'エラー 印刷', 'acme', `#${no.other}`, 'printer portal']) {
          const planned = await planSearch(db, query, false);
          expect(planned.kind, query).not.toBe('scan');
          const words = planned.kind === 'candidates' ? [planned.rare, ...planned.others] : [];
          const number = planned.kind === 'candidates' || planned.kind === 'number' ? planned.number : null;
          const walked = words.length ? await run({ kind: 'scan', words, number }) : await run(planned);
          expect(walked, query).toEqual(await run(planned));
          expect(walked, query).toEqual(await found(query));
        }
      } finally {
        await db.$disconnect();
      }
    });

    it('finds requesters by the first letters of a Cyrillic or Japanese name, in any case', async () => {
      for (const q of ['ольг', 'ОЛЬГ', 'ооо ром']) {
        const r = await call('GET', `/users?query=${encodeURIComponent(q)}`);
        expect(r.body.users.map((x: { email: string }) => x.email), q).toEqual(['olga@bigcorp.example']);
      }
      const r = await call('GET', `/users?query=${encodeURIComponent('佐藤')}`);
      expect(r.body.users.map((x: { email: string }) => x.email)).toEqual(['hanako@example.jp']);
    });
  });
}
