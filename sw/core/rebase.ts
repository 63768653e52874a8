/**
 * Pure functions that compute what a record looks like locally: the server's state with the
 * user's pending operations applied on top, in queue order ("rebase").
 */
import { SERVER_OWNED_FIELDS } from '../../src/protocol/index.ts';

export type Row = Record<string, unknown>;

export interface LocalChange {
  operation: 'create' | 'update' | 'delete';
  data: Row | null;
  timestamp: number;
}

/**
 * Applies pending changes to a server record (null when the server has never seen it).
 * A create gives the full record; an update overlays its fields; a delete sets `deletedAt`.
 * Returns null when there is nothing (an update of a record we do not have).
 */
export function applyChanges(server: Row | null, changes: readonly LocalChange[]): Row | null {
  let current: Row | null = server ? { ...server } : null;
  for (const change of changes) {
    switch (change.operation) {
      case 'create':
        current = { ...(current ?? {}), ...(change.data ?? {}) };
        break;
      case 'update':
        if (current)
          current = { ...current, ...(change.data ?? {}), updatedAt: new Date(change.timestamp).toISOString() };
        break;
      case 'delete':
        if (current) current = { ...current, deletedAt: new Date(change.timestamp).toISOString() };
        break;
    }
  }
  return current;
}

/** Fields of `patch` whose value differs from `current` (deep compare by JSON, as the reference does). */
export function changedFields(current: Row, patch: Row): Row {
  const changed: Row = {};
  for (const [key, value] of Object.entries(patch)) {
    if (SERVER_OWNED_FIELDS.has(key)) continue;
    if (JSON.stringify(current[key]) !== JSON.stringify(value)) changed[key] = value;
  }
  return changed;
}
