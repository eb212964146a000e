/** The console's one stylesheet and one script, served from memory; no CDN, nothing from outside. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const DIR = path.join(import.meta.dirname, 'assets');
const ASSETS: Record<string, { body: string; type: string }> = {
  'console.css': { body: readFileSync(path.join(DIR, 'console.css'), 'utf8'), type: 'text/css; charset=utf-8' },
  'console.js': { body: readFileSync(path.join(DIR, 'console.js'), 'utf8'), type: 'text/javascript; charset=utf-8' },
};

/** Changes whenever an asset does, so pages can let browsers cache assets for good. */
export const ASSET_VERSION = createHash('sha256')
  .update(Object.values(ASSETS).map((a) => a.body).join('\n'))
  .digest('hex')
  .slice(0, 12);

export function assetRoutes(app: FastifyInstance): void {
  app.get('/console/assets/:file', { config: { audience: 'public' } }, async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) return reply.code(404).type('text/plain').send('not found');
    const versioned = (req.query as { v?: string }).v === ASSET_VERSION;
    return reply
      .type(asset.type)
      .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(asset.body);
  });
}
