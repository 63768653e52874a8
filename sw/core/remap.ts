/**
 * Temp-id → real-id rewriting (pure). When the server answers a create with its real id, every
 * place that still holds the temp id must change: the record's own key, references in other
 * records (an appointment's petId), and queued operations (their entityId and their data).
 */
import { REFERENCE_FIELDS, type EntityType } from '../../src/protocol/index.ts';
import type { StoredOperation } from '../db/schema.ts';
import type { Row } from './rebase.ts';

export interface IdMapping {
  entityType: EntityType;
  tempId: string;
  realId: number;
}

/** The reference fields of `entityType` that point at records of `target`. */
export function referenceFieldsTo(entityType: EntityType, target: EntityType): string[] {
  return REFERENCE_FIELDS[entityType].filter((r) => r.target === target).map((r) => r.field);
}

/** Rewrites reference fields holding the temp id; returns the same object when nothing changed. */
export function remapReferences<T extends Row>(entityType: EntityType, row: T, mapping: IdMapping): T {
  let out: T = row;
  for (const field of referenceFieldsTo(entityType, mapping.entityType)) {
    if (row[field] === mapping.tempId) {
      if (out === row) out = { ...row };
      (out as Row)[field] = mapping.realId;
    }
  }
  return out;
}

/** Rewrites a queued operation: its own id (same entity type) and references in its data. */
export function remapOperation(op: StoredOperation, mapping: IdMapping): StoredOperation {
  return remapWithLookup(op, new Map([[mapping.tempId, mapping]]));
}

/**
 * Rewrites many rows for many mappings at once: one map lookup per id-holding field, instead of
 * one pass per mapping (a batch of 100 creates against a queue of 10,000 rows would otherwise
 * cost a million comparisons). Unchanged rows are returned as they are.
 */
export function remapOperations(ops: readonly StoredOperation[], mappings: readonly IdMapping[]): StoredOperation[] {
  if (mappings.length === 0) return [...ops];
  const byTempId = new Map(mappings.map((m) => [m.tempId, m]));
  return ops.map((op) => remapWithLookup(op, byTempId));
}

export function remapWithLookup(op: StoredOperation, byTempId: ReadonlyMap<string, IdMapping>): StoredOperation {
  let out = op;
  const own = typeof op.entityId === 'string' ? byTempId.get(op.entityId) : undefined;
  if (own && own.entityType === op.entityType) out = { ...out, entityId: own.realId };
  if (op.data) {
    let data: Row | null = null;
    for (const { field, target } of REFERENCE_FIELDS[op.entityType]) {
      const value = op.data[field];
      const mapping = typeof value === 'string' ? byTempId.get(value) : undefined;
      if (mapping && mapping.entityType === target) {
        data ??= { ...op.data };
        data[field] = mapping.realId;
      }
    }
    if (data) out = { ...out, data };
  }
  return out;
}
