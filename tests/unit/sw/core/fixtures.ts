/** Rows and conflicts shared by the worker's tests. */
import type { NewOperation, StoredOperation } from '../../../../sw/db/schema.ts';

let nextId = 1;
export function op(
  partial: Partial<StoredOperation> & Pick<StoredOperation, 'operation' | 'entityId'>,
): StoredOperation {
  const id = nextId++;
  return {
    id,
    opId: `op-${id}`,
    entityType: 'appointments',
    tempId: null,
    data: {},
    baseVersion: null,
    timestamp: 1000 + id,
    userId: 1,
    practiceId: 1,
    tenantId: 'smartvet',
    status: 'pending',
    attempts: 0,
    lastError: null,
    retryable: true,
    ...partial,
  };
}

export function change(partial: Partial<NewOperation> & Pick<NewOperation, 'operation' | 'entityId'>): NewOperation {
  const { id: _id, ...rest } = op(partial);
  return rest;
}

export const serverData = {
  id: 5,
  title: 'Vaccination',
  notes: 'server note',
  durationMinutes: '30',
  status: 'confirmed',
  version: 4,
  updatedAt: '2026-11-25T10:00:00.000Z',
};
export const conflict = {
  conflictType: 'version' as const,
  localData: { title: 'Checkup', notes: 'local note', durationMinutes: '45' },
  serverData,
  affectedFields: ['title', 'notes'],
  serverVersion: 4,
  localTimestamp: Date.parse('2026-11-25T09:00:00.000Z'),
};
