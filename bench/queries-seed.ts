/**
 * The data `npm run bench:queries` measures on, made with generate_series: ROWS users (a third each with English,
 * Russian and Japanese names) in ROWS/100 organizations, 20 agents, ROWS tickets in the three languages (subject
 * and description from small word lists, so common words match tens of thousands of tickets, plus one unique
 * reference per description), their description as the first comment and an agent reply on every other ticket,
 * 80% assigned, tags on one in seven and one in eleven, customers waiting on a sixth, and SLA due times of which
 * about 2% are past.
 */
import type pg from 'pg';

const TOPICS_EN = ['Printer', 'VPN', 'Email', 'Invoice', 'Password', 'Laptop', 'Backup', 'Network', 'Account', 'Database'];
const ISSUES_EN = ['broken', 'slow', 'not working', 'error', 'question', 'request', 'failed', 'missing'];
const TOPICS_RU = ['принтер', 'VPN', 'почта', 'счёт', 'пароль', 'ноутбук', 'бэкап', 'сеть', 'аккаунт', 'база'];
const ISSUES_RU = ['Не работает', 'Медленно работает', 'Ошибка:', 'Вопрос про', 'Запрос:', 'Сломался', 'Пропал', 'Сбой:'];
const TOPICS_JA = ['印刷機', 'VPN', 'メール', '請求書', 'パスワード', 'ノートPC', 'バックアップ', 'ネットワーク', 'アカウント', 'データベース'];
const ISSUES_JA = ['が故障しました', 'が遅いです', 'が動きません', 'でエラーになります', 'について質問です', 'の依頼です', 'が失敗しました', 'が見つかりません'];

const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

export async function seed(sql: pg.Client, rows: number): Promise<void> {
  const orgs = Math.max(1, rows / 100);
  await sql.query(`INSERT INTO organizations (id, name) SELECT gen_random_uuid(), 'Org ' || g FROM generate_series(1, ${orgs}) g`);
  await sql.query(`
    WITH o AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM organizations)
    INSERT INTO users (id, email, email_domain, name, phone, role, organization_id, updated_at)
    SELECT gen_random_uuid(), 'user' || g || '@domain' || (g % 5000) || '.example', 'domain' || (g % 5000) || '.example',
           CASE g % 3 WHEN 0 THEN 'Name' || g || ' Surname' WHEN 1 THEN 'Ольга' || g || ' Иванова' ELSE '佐藤' || g || ' 花子' END,
           '+1 555 ' || lpad(g::text, 7, '0'), 'end_user', o.id, now()
    FROM generate_series(1, ${rows}) g JOIN o ON o.rn = 1 + (g % ${orgs})`);
  await sql.query(`INSERT INTO users (id, email, email_domain, name, role, updated_at)
    SELECT gen_random_uuid(), 'agent' || a || '@support.example', 'support.example', 'Agent ' || a, 'agent', now() FROM generate_series(1, 20) a`);
  await sql.query(`INSERT INTO services (id, name) VALUES (gen_random_uuid(), 'General')`);
  // g % 3 picks the language, g / 3 the topic, g / 30 the issue; g % 6 the status (0-3 unsolved).
  await sql.query(`
    WITH u AS (SELECT id, organization_id, row_number() OVER () AS rn FROM users WHERE role = 'end_user'),
         ag AS (SELECT id, row_number() OVER (ORDER BY email) AS rn FROM users WHERE role = 'agent'),
         s AS (SELECT g, now() - (${rows} - g) * interval '30 seconds' AS created,
                      CASE g % 3
                        WHEN 0 THEN (${arr(TOPICS_EN)})[1 + (g / 3) % 10] || ' ' || (${arr(ISSUES_EN)})[1 + (g / 30) % 8]
                        WHEN 1 THEN (${arr(ISSUES_RU)})[1 + (g / 30) % 8] || ' ' || (${arr(TOPICS_RU)})[1 + (g / 3) % 10]
                        ELSE (${arr(TOPICS_JA)})[1 + (g / 3) % 10] || (${arr(ISSUES_JA)})[1 + (g / 30) % 8] END AS subject
               FROM generate_series(1, ${rows}) g)
    INSERT INTO tickets (id, subject, description, status, priority, visibility, via, requester_id, submitter_id, assignee_id,
                         organization_id, tags, created_at, updated_at, waiting_since, sla_due_at, resolution_due_at)
    SELECT gen_random_uuid(), s.subject || ' #' || s.g,
           s.subject || CASE s.g % 3 WHEN 0 THEN ' since this morning, please help. ' WHEN 1 THEN ' с утра, помогите пожалуйста. ' ELSE '。至急対応してください。' END || 'REF' || s.g,
           (ARRAY['new','open','pending','on_hold','solved','closed'])[1 + (s.g % 6)], (ARRAY['low','normal','high','urgent'])[1 + (s.g / 7) % 4],
           CASE WHEN s.g % 10 = 0 THEN 'private' ELSE 'public' END, 'api', u.id, u.id, CASE WHEN s.g % 5 <> 0 THEN ag.id END,
           u.organization_id, CASE WHEN s.g % 7 = 0 THEN ARRAY['vip'] WHEN s.g % 11 = 0 THEN ARRAY['billing'] ELSE '{}' END,
           s.created, s.created + ((s.g::bigint * 7919) % 86400) * interval '1 second',
           CASE WHEN s.g % 6 IN (0, 1, 3) AND s.g % 2 = 1 THEN now() - (s.g % 100000) * interval '1 minute' END,
           CASE WHEN s.g % 6 < 4 THEN now() + (s.g % 1000) * interval '1 hour' - interval '20 hours' END,
           CASE WHEN s.g % 6 < 4 THEN now() + (s.g % 1000) * interval '1 hour' - interval '20 hours' END
    FROM s JOIN u ON u.rn = 1 + (s.g::bigint * 7919 % ${rows}) LEFT JOIN ag ON ag.rn = 1 + s.g % 20
    -- ticket numbers in creation order, as in life: a topic is spread over time, not bunched by the join's order
    ORDER BY s.g`);
  await sql.query(`INSERT INTO comments (id, ticket_id, author_id, body, public, via, created_at)
    SELECT gen_random_uuid(), id, requester_id, description, visibility = 'public', 'api', created_at FROM tickets`);
  await sql.query(`INSERT INTO comments (id, ticket_id, author_id, body, public, via, created_at)
    SELECT gen_random_uuid(), id, coalesce(assignee_id, requester_id),
           CASE number % 3 WHEN 0 THEN 'Thanks, we are looking into it. Could you restart the device and send the logs?'
                           WHEN 1 THEN 'Спасибо, разбираемся. Перезагрузите устройство и пришлите журнал, пожалуйста.'
                           ELSE 'ありがとうございます。確認中です。再起動してログを送ってください。' END,
           number % 4 <> 0, 'web', created_at + interval '1 hour'
    FROM tickets WHERE number % 2 = 0`);
}
