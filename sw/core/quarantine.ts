/**
 * Pulled records that fail the entity schema (pure). One bad record must never stop a pull: it is
 * set aside with the reason, the rest of the page is stored, and the cursor moves on. A later valid
 * version of the same record takes its place and clears the entry.
 */
import type { EntityType, PullChange, QuarantinedRecord } from '../../src/protocol/index.ts';

/** At most this many entries are kept (newest first); older ones are dropped. */
export const QUARANTINE_LIMIT = 200;
const RAW_LIMIT = 2000;

export function quarantineKey(entry: Pick<QuarantinedRecord, 'entityType' | 'id'>): string {
  return `${entry.entityType}:${entry.id}`;
}

export function quarantined(change: PullChange, reason: string, receivedAt: number): QuarantinedRecord {
  let raw: string;
  try {
    raw = JSON.stringify(change.data);
  } catch {
    raw = String(change.data);
  }
  return {
    entityType: change.entityType,
    id: change.id,
    version: change.version,
    reason,
    raw: raw.slice(0, RAW_LIMIT),
    receivedAt,
  };
}

/**
 * The quarantine after a pull page: entries for records that arrived valid are cleared, new bad
 * ones replace older entries of the same record, newest first, capped.
 */
export function updateQuarantine(
  current: readonly QuarantinedRecord[],
  added: readonly QuarantinedRecord[],
  accepted: Iterable<{ entityType: EntityType; id: number }>,
): QuarantinedRecord[] {
  const cleared = new Set<string>();
  for (const record of accepted) cleared.add(quarantineKey(record));
  for (const entry of added) cleared.add(quarantineKey(entry));
  const kept = current.filter((entry) => !cleared.has(quarantineKey(entry)));
  return [...[...added].reverse(), ...kept].slice(0, QUARANTINE_LIMIT);
}
