/**
 * Field schemas for what people type, shared by the page, the worker and the server, with messages
 * written for people ("Name is limited to 200 characters"). Every text refuses lone UTF-16
 * surrogates: they cannot be stored as UTF-8 and would come back as replacement characters.
 * Date-times must land, once in UTC, in a plausible year: `9999-12-31T23:59:59-23:59` is a valid
 * ISO string whose UTC year is 10000, which no client could read back.
 */
import { z } from 'zod';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

export interface TextFieldOptions {
  /** Required (after trimming) unless 0. Default 1. */
  min?: number;
  max: number;
}

/** A trimmed text field: "Name is required", "Name is limited to 200 characters". */
export function textField(label: string, { min = 1, max }: TextFieldOptions) {
  return z
    .string({ error: `${label} must be text` })
    .trim()
    .min(min, { error: min <= 1 ? `${label} is required` : `${label} needs at least ${min} characters` })
    .max(max, { error: `${label} is limited to ${max.toLocaleString('en-US')} characters` })
    .refine(isWellFormedText, {
      error: `${label} contains a character that cannot be stored (a broken emoji or symbol)`,
    });
}

/** Free text that may be empty or long (notes): not trimmed, so line breaks and spacing stay. */
export function longTextField(label: string, max: number) {
  return z
    .string({ error: `${label} must be text` })
    .max(max, { error: `${label} is limited to ${max.toLocaleString('en-US')} characters` })
    .refine(isWellFormedText, {
      error: `${label} contains a character that cannot be stored (a broken emoji or symbol)`,
    });
}

/** Years a visit or a birth date can plausibly fall in. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

/** An ISO date-time with an offset whose UTC instant falls within MIN_YEAR..MAX_YEAR. */
export function dateTimeField(label: string) {
  return z.iso.datetime({ offset: true, error: `${label} must be a date and time` }).refine(
    (value) => {
      const year = new Date(value).getUTCFullYear();
      return year >= MIN_YEAR && year <= MAX_YEAR;
    },
    { error: `${label} must be between the years ${MIN_YEAR} and ${MAX_YEAR}` },
  );
}

/** A calendar date `YYYY-MM-DD` within MIN_YEAR..MAX_YEAR. */
export function dateField(label: string) {
  return z.iso.date({ error: `${label} must be a date (YYYY-MM-DD)` }).refine(
    (value) => {
      const year = Number(value.slice(0, 4));
      return year >= MIN_YEAR && year <= MAX_YEAR;
    },
    { error: `${label} must be between the years ${MIN_YEAR} and ${MAX_YEAR}` },
  );
}

/** `path: message` lines of a zod error, as people read them (the label is already in the message). */
export function describeValidation(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => issue.message)
    .join('; ');
}
