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
  let out = op;
  if (op.entityType === mapping.entityType && op.entityId === mapping.tempId) {
    out = { ...out, entityId: mapping.realId };
  }
  if (op.data) {
    const data = remapReferences(op.entityType, op.data, mapping);
    if (data !== op.data) out = { ...out, data };
  }
  return out;
}
