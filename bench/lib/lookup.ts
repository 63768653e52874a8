/**
 * Look-ups the bench expects to succeed (the demo data's pets and accounts, a server's answer):
 * a clear error naming what is missing, where a `!` would only move the failure to a `TypeError`
 * further on.
 */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}

/** Item `i` of `items`, counting round from the start again (devices share accounts, pets, servers). */
export function roundRobin<T>(items: readonly T[], i: number, what: string): T {
  return required(items[i % items.length], what);
}
