/** What every API route does with its request before the core sees it: validate with zod, name the actor. */
import type { FastifyRequest } from 'fastify';
import type { ZodType, z } from 'zod';
import type { Actor } from '../../core/tickets/ticket-service.ts';
import { HttpError, zodMessage } from '../errors.ts';

export function parse<T extends ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, 'validation_failed', zodMessage(r.error, where));
  return r.data;
}

/** The authenticated caller (set by the API's onRequest hook). */
export function actorOf(req: FastifyRequest): Actor {
  return { id: req.actor!.id, role: req.actor!.role };
}
