/** JSON text that came from outside (a request body, a form field, a modal's metadata), read against a schema. */
import type { z } from 'zod';

/** The JSON text as the schema reads it; null when it is not JSON or does not fit. */
export function parseJson<T>(schema: z.ZodType<T>, raw: string | null | undefined): T | null {
  try {
    const r = schema.safeParse(JSON.parse(raw ?? ''));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
