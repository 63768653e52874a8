/**
 * The protocol's writable field schemas (src/protocol/entities.ts) as the forms use them: the
 * message for a value ("Title is limited to 200 characters"), and the length an input may hold.
 * The forms check with the very schemas the worker and the server check with, so what a screen
 * accepts is what sync accepts, in the same words.
 */
import { z } from 'zod';

/** The first message the schema has for the value, or undefined when it passes. */
export function fieldError(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** The longest text the schema accepts (for `maxlength`), looking through nullable and pipes. */
export function maxLengthOf(schema: z.ZodType): number | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof z.ZodString) return current.maxLength ?? undefined;
    if (current instanceof z.ZodNullable || current instanceof z.ZodOptional) current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else return undefined;
  }
  return undefined;
}

/** "120 of 5,000 characters": the counter under a long text field. */
export function lengthCounter(length: number, max: number): string {
  return `${length.toLocaleString('en-US')} of ${max.toLocaleString('en-US')} characters`;
}
