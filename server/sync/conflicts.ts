/**
 * Field-level conflict decisions (pure: no database, no clock).
 *
 * An update or delete names the version the client last saw (`baseVersion`). The revisions
 * undo log gives, for every later version, the fields it changed and their previous values, so
 * we can rebuild the row as the client saw it ("base") and know what the server changed since.
 *
 * update: the client's changes are its fields that differ from the base (a full record works:
 *         unchanged fields are not changes). A change to a field the server also changed since
 *         the base, to a different value, is a conflict; otherwise the changes merge onto the
 *         current row. No base version → last write wins.
 * delete: a conflict when the server changed the row since the base version (the user would
 *         delete edits they never saw); deleting a deleted row is a no-op success.
 * A base version newer than the server's is a conflict too (the server never had it).
 */
import type { Revision } from '../store/sync-log.ts';
import type { Fields, WireRecord } from '../store/wire.ts';

export type UpdateDecision =
  | { kind: 'apply'; changes: Fields }
  | { kind: 'conflict'; conflictType: 'version' | 'deleted'; affectedFields: string[] };

export type DeleteDecision = { kind: 'delete' } | { kind: 'noop' } | { kind: 'conflict'; affectedFields: string[] };

export interface ServerHistory {
  /** The row as of the base version (writable and derived fields). */
  base: Fields;
  /** Fields changed by the server after the base version. */
  changed: Set<string>;
}

/**
 * Rebuilds the row at `baseVersion` from the current row and the revisions after it (newest
 * first). If revisions are missing (older data), every field counts as changed: a false conflict
 * is safe, a silent overwrite is not.
 */
export function rebuildHistory(
  current: WireRecord,
  fields: readonly string[],
  baseVersion: number,
  revisionsNewestFirst: readonly Revision[],
): ServerHistory {
  const base: Fields = {};
  for (const field of fields) base[field] = current[field] ?? null;
  const changed = new Set<string>();
  const expected = current.version - baseVersion;
  if (revisionsNewestFirst.length < expected) {
    for (const field of fields) changed.add(field);
    return { base, changed };
  }
  for (const revision of revisionsNewestFirst) {
    for (const [field, value] of Object.entries(revision.previous)) {
      changed.add(field);
      if (field in base) base[field] = value;
    }
  }
  return { base, changed };
}

/** Fields of `values` whose value differs from `reference`, in `fields` order. */
function differing(fields: readonly string[], values: Fields, reference: Fields): string[] {
  return fields.filter((f) => f in values && values[f] !== (reference[f] ?? null));
}

export function decideUpdate(input: {
  current: WireRecord;
  fields: readonly string[];
  local: Fields;
  baseVersion: number | undefined;
  history: ServerHistory | null;
}): UpdateDecision {
  const { current, fields, local, baseVersion, history } = input;
  const toWrite = differing(fields, local, current);
  if (current.deletedAt !== null) return { kind: 'conflict', conflictType: 'deleted', affectedFields: toWrite };
  if (baseVersion === undefined || baseVersion === current.version)
    return { kind: 'apply', changes: pick(local, toWrite) };
  if (baseVersion > current.version || !history)
    return { kind: 'conflict', conflictType: 'version', affectedFields: toWrite };

  const localChanges = new Set(differing(fields, local, history.base));
  const changes = toWrite.filter((f) => localChanges.has(f));
  const affectedFields = changes.filter((f) => history.changed.has(f));
  if (affectedFields.length > 0) return { kind: 'conflict', conflictType: 'version', affectedFields };
  return { kind: 'apply', changes: pick(local, changes) };
}

export function decideDelete(input: {
  current: WireRecord;
  fields: readonly string[];
  baseVersion: number | undefined;
  history: ServerHistory | null;
}): DeleteDecision {
  const { current, fields, baseVersion, history } = input;
  if (current.deletedAt !== null) return { kind: 'noop' };
  if (baseVersion === undefined || baseVersion === current.version) return { kind: 'delete' };
  if (baseVersion > current.version || !history) return { kind: 'conflict', affectedFields: [] };
  return { kind: 'conflict', affectedFields: fields.filter((f) => history.changed.has(f)) };
}

function pick(values: Fields, keys: readonly string[]): Fields {
  const out: Fields = {};
  for (const key of keys) out[key] = values[key] ?? null;
  return out;
}
