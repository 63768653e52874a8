/**
 * zod schemas as Fastify route schemas: `schema: { body, querystring, params }` are zod types,
 * parsed (and transformed) before the handler runs, typed in the handler through
 * ZodTypeProvider. A failure is a RequestValidationError (see errors.ts for its answer).
 * Query strings are checked for lone surrogates too (`%ED%A0%80` stays undecoded, but a
 * `\uD800` could arrive through other parsers): no text path skips the check.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { z } from 'zod';
import { isWellFormedText } from '../../src/protocol/index.ts';
import { RequestValidationError } from './errors.ts';

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

function malformedQueryKey(query: unknown): string | null {
  if (typeof query !== 'object' || query === null) return null;
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    if (!isWellFormedText(key) || values.some((v) => typeof v === 'string' && !isWellFormedText(v))) return key;
  }
  return null;
}

export function useZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const zod = schema as unknown as z.ZodType;
    return (data: unknown) => {
      if (httpPart === 'querystring') {
        const key = malformedQueryKey(data);
        if (key !== null) {
          return {
            error: new RequestValidationError(httpPart, [
              { path: [key], message: 'contains a character that cannot be stored' },
            ]),
          };
        }
      }
      const result = zod.safeParse(data);
      return result.success
        ? { value: result.data }
        : { error: new RequestValidationError(httpPart ?? 'request', result.error.issues) };
    };
  });
}

/** The Fastify instance routes are registered on, with zod schemas typing their requests. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
