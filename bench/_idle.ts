import { loadConfig } from '/work/main/src/config/env.ts';
import { startService } from '/work/main/src/service.ts';
import pino from 'pino';
const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://bench.test', LOG_LEVEL: 'silent', ADMIN_TOKEN: 'bench-admin-token-0123456789' });
const s = await startService(config, { logger: pino({ level: 'silent' }) });
setTimeout(async () => { const m = process.memoryUsage(); console.log(JSON.stringify({ rss: Math.round(m.rss/1048576), heap: Math.round(m.heapUsed/1048576), ext: Math.round(m.external/1048576) })); await s.stop(); process.exit(0); }, 3000);
