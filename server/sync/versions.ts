/**
 * A record as it was at an earlier version (pure): the current record with the revisions after
 * that version undone, newest first. The op log stores results without their record (it is most
 * of their size); a replayed operation gets its record back from here, exactly as first returned.
 */
import type { Revision } from '../store/sync-log.ts';
import { iso, type WireRecord } from '../store/wire.ts';

/** `revisions`: those with version >= `version`, newest first (the one that made `version` gives its updatedAt). */
export function recordAt(current: WireRecord, version: number, revisions: readonly Revision[]): WireRecord {
  if (version >= current.version) return current;
  const record: WireRecord = { ...current };
  for (const revision of revisions) {
    if (revision.version > version) Object.assign(record, revision.previous);
  }
  record.version = version;
  const made = revisions.find((r) => r.version === version);
  record.updatedAt = made ? iso(made.changedAt) : String(current.createdAt);
  return record;
}
