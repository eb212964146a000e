/**
 * Routes declare their zod schemas once; the same schemas validate requests and generate the OpenAPI document
 * (zod 4's own JSON Schema output), so the document cannot drift from what the API accepts.
 */
import { z, type ZodType } from 'zod';

export interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string; // OpenAPI style: /tickets/{number}
  summary: string;
  /** self: the admin, or the agent the path names. */
  role: 'agent' | 'admin' | 'self';
  body?: ZodType;
  query?: ZodType;
  responses: Record<number, string>;
}

const ROLE_TEXT: Record<RouteDoc['role'], string> = {
  admin: 'Requires the admin token.',
  agent: 'Requires an agent token or the admin token.',
  self: 'Requires the admin token, or a token of the agent the path names.',
};

export function buildOpenApi(routes: RouteDoc[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = {
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
  };
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? (z.toJSONSchema(r.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] }) : null;
    const queryParams = query?.properties
      ? Object.entries(query.properties).map(([name, schema]) => ({ name, in: 'query', required: query.required?.includes(name) ?? false, schema }))
      : [];
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      description: ROLE_TEXT[r.role],
      security: [{ bearer: [] }],
      parameters: [...params, ...queryParams],
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } } }
        : {}),
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([status, description]) => [
          status,
          Number(status) >= 400 ? { description, content: { 'application/json': { schema: errorSchema } } } : { description },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Help-center API', version: '1.0.0' },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
