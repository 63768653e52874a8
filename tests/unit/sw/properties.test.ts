/**
 * Property-based tests (fast-check) of the worker's pure decisions: queue compaction, batch
 * selection, rebase and conflict resolution. Each property runs on RUNS random cases
 * (FC_RUNS raises it; a failure prints the seed and the shrunk case to replay).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesce, isHeld, recordKey } from '../../../sw/core/coalesce.ts';
import { BatchPlanner } from '../../../sw/core/batch-plan.ts';
import { applyChanges, type LocalChange, type Row } from '../../../sw/core/rebase.ts';
import { fieldsNeedingChoice, resolveConflict, ResolutionError } from '../../../sw/core/resolve.ts';
import type { StoredOperation } from '../../../sw/db/schema.ts';
import { op } from './core/fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 200);
const FIELDS = ['title', 'notes', 'status', 'durationMinutes'] as const;

/** Queue row `id`: an update of appointment 1 at base version 1, queued at time `id`. */
function row(id: number, fields: Partial<StoredOperation>): StoredOperation {
  return op({ id, opId: `op-${id}`, operation: 'update', entityId: 1, baseVersion: 1, timestamp: id, ...fields });
}

// ------------------------------------------------------------------ compaction

/**
 * One user action: on an existing record (by index), or a create; `sentBefore` marks every queued row as sent first.
 */
const action = fc.record({
  target: fc.nat({ max: 4 }),
  kind: fc.constantFrom('create', 'update', 'update', 'update', 'delete'),
  field: fc.constantFrom(...FIELDS),
  value: fc.string({ maxLength: 6 }),
  sentBefore: fc.boolean(),
});

type Model = Map<string, Row>;

/** The server as a model: operations applied in order. */
function applyTo(model: Model, op: Pick<StoredOperation, 'operation' | 'entityId' | 'data'>): void {
  const key = String(op.entityId);
  if (op.operation === 'create') model.set(key, { ...(op.data ?? {}) });
  else if (op.operation === 'update') {
    const current = model.get(key);
    if (current) model.set(key, { ...current, ...(op.data ?? {}) });
  } else model.delete(key);
}

describe('queue compaction (coalesce)', () => {
  it('sending the compacted queue leaves the server as sending every operation would', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const queue: StoredOperation[] = [];
        const everyOperation: Pick<StoredOperation, 'operation' | 'entityId' | 'data'>[] = [];
        const live: string[] = [];
        let nextId = 1;
        let created = 0;
        for (const a of actions) {
          if (a.sentBefore) for (const q of queue) q.attempts = Math.max(q.attempts, 1);
          const target = live[a.target % Math.max(1, live.length)];
          const kind = !target || a.kind === 'create' ? 'create' : a.kind;
          const entityId = kind === 'create' ? `temp_appt_${created++}` : target!;
          const data =
            kind === 'create'
              ? { title: 'new', [a.field]: a.value }
              : kind === 'update'
                ? { [a.field]: a.value }
                : null;
          const next = row(0, { operation: kind, entityId, tempId: kind === 'create' ? entityId : null, data });
          everyOperation.push(next);
          if (kind === 'create') live.push(entityId);
          if (kind === 'delete') live.splice(live.indexOf(entityId), 1);

          const rowsOfRecord = queue.filter((q) => recordKey(q) === recordKey(next));
          const decision = coalesce(rowsOfRecord, next, new Set());
          if (decision.kind === 'add') queue.push({ ...next, id: nextId++ });
          else if (decision.kind === 'merge') queue[queue.findIndex((q) => q.id === decision.row.id)] = decision.row;
          else
            queue.splice(
              queue.findIndex((q) => q.id === decision.removed),
              1,
            );
        }
        const direct: Model = new Map();
        for (const op of everyOperation) applyTo(direct, op);
        const compacted: Model = new Map();
        for (const op of queue) applyTo(compacted, op);
        expect(compacted).toEqual(direct);
        // Compaction never grows the queue, and never changes a row that was sent.
        expect(queue.length).toBeLessThanOrEqual(everyOperation.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('a row that was sent, is in flight or is held never takes a later change', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('create', 'update'),
        fc.record({
          attempts: fc.nat({ max: 2 }),
          inFlight: fc.boolean(),
          status: fc.constantFrom('pending', 'conflict', 'failed'),
          retryable: fc.boolean(),
        }),
        fc.constantFrom('update', 'delete'),
        (first, state, nextKind) => {
          const sent = row(1, {
            operation: first,
            attempts: state.attempts,
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc 7 needs it
            status: state.status as StoredOperation['status'],
            retryable: state.retryable,
          });
          const decision = coalesce(
            [sent],
            row(0, { operation: nextKind, data: nextKind === 'update' ? { notes: 'x' } : null }),
            new Set(state.inFlight ? [1] : []),
          );
          const untouched = state.attempts > 0 || state.inFlight || state.status !== 'pending';
          if (untouched) expect(decision).toEqual({ kind: 'add' });
          else expect(decision.kind).not.toBe('add');
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------ batch plan

describe('batch plan', () => {
  const queueArb = fc.array(
    fc.record({
      record: fc.nat({ max: 6 }),
      held: fc.constantFrom(null, 'conflict', 'rejected'),
      foreign: fc.boolean(),
    }),
    { minLength: 0, maxLength: 60 },
  );

  it("every sendable row goes exactly once, in its record's order, one row per record per batch, nothing behind a held row or a row it may not send", () => {
    fc.assert(
      fc.property(queueArb, fc.integer({ min: 1, max: 12 }), (spec, size) => {
        // Rows go in queue order, so a held row (conflict, rejection) is the first row of its record
        // left in the queue; later rows of the record queue up behind it.
        const seen = new Set<string>();
        const queue = spec.map((s, i) => {
          const first = !seen.has(`${s.record}`);
          seen.add(`${s.record}`);
          const held = first ? s.held : null;
          return row(i + 1, {
            entityId: s.record,
            practiceId: s.foreign ? 2 : 1,
            status: held === 'conflict' ? 'conflict' : held === 'rejected' ? 'failed' : 'pending',
            retryable: held !== 'rejected',
          });
        });
        const planner = new BatchPlanner((op) => op.practiceId === 1);
        const remaining = new Map(queue.map((q) => [q.id, q]));
        const sent: StoredOperation[] = [];
        for (let round = 0; round < queue.length + 2; round++) {
          const pick = planner.begin(size);
          for (const id of planner.deferredIds()) pick.offerDeferred(id, remaining.get(id));
          for (const op of queue) if (op.id > planner.cursor && remaining.has(op.id) && !pick.offerFresh(op)) break;
          const batch = pick.rows();
          expect(batch.length).toBeLessThanOrEqual(size);
          expect(new Set(batch.map(recordKey)).size).toBe(batch.length);
          for (const op of batch) remaining.delete(op.id);
          sent.push(...batch);
          planner.settle(batch, new Map(batch.map((op) => [op.id, 'acknowledged' as const])));
          if (batch.length === 0 && planner.deferredIds().length === 0) break;
        }
        // What should go: rows this session may send, before the first held row of their record and
        // before the first row of their record it may not send (a record's changes reach the server in order).
        const expected: number[] = [];
        const stopped = new Set<string>();
        for (const op of queue) {
          if (op.practiceId !== 1) {
            stopped.add(recordKey(op));
            continue;
          }
          if (isHeld(op)) stopped.add(recordKey(op));
          if (!stopped.has(recordKey(op))) expected.push(op.id);
        }
        expect(sent.map((op) => op.id).sort((a, b) => a - b)).toEqual(expected);
        for (const key of new Set(sent.map(recordKey))) {
          const ids = sent.filter((op) => recordKey(op) === key).map((op) => op.id);
          expect(ids).toEqual([...ids].sort((a, b) => a - b));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------ rebase

const fieldValues = fc.dictionary(
  fc.constantFrom(...FIELDS),
  fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null)),
  { maxKeys: 4 },
);

describe('rebase (applyChanges)', () => {
  it("never loses a local field: each field shows its last local value, the rest the server's", () => {
    fc.assert(
      fc.property(fieldValues, fc.array(fieldValues, { maxLength: 8 }), (server, updates) => {
        const base: Row = { id: 7, version: 3, ...server };
        const changes: LocalChange[] = updates.map((data, i) => ({
          operation: 'update',
          data,
          timestamp: 1_700_000_000_000 + i,
        }));
        const out = applyChanges(base, changes)!;
        const lastLocal: Row = Object.assign({}, ...updates);
        for (const field of FIELDS) {
          expect(out[field]).toEqual(field in lastLocal ? lastLocal[field] : base[field]);
        }
        expect(out).toMatchObject({ id: 7, version: 3 });
      }),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------ resolve and merge

const conflictArb = fc
  .record({
    server: fieldValues,
    local: fieldValues,
    deleted: fc.boolean(),
    serverVersion: fc.integer({ min: 2, max: 50 }),
  })
  .filter(({ local }) => Object.keys(local).length > 0)
  .map(({ server, local, deleted, serverVersion }) => ({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the TypeScript 7 compiler needs it
    conflictType: (deleted ? 'deleted' : 'version') as 'deleted' | 'version',
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the TypeScript 7 compiler needs it
    localData: local as Row,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the TypeScript 7 compiler needs it
    serverData: { id: 9, version: serverVersion, updatedAt: '2026-11-25T10:00:00.000Z', ...server } as Row,
    affectedFields: Object.keys(local).filter((f) => f in server),
    serverVersion,
    localTimestamp: Date.parse('2026-11-25T11:00:00.000Z'),
  }));

/** The record the server ends with after an outcome. */
function after(
  conflict: { conflictType: string; serverData: Row },
  outcome: ReturnType<typeof resolveConflict>,
): Row | null {
  if (outcome.kind === 'discard') return conflict.conflictType === 'deleted' ? null : conflict.serverData;
  if (outcome.kind === 'update') return { ...conflict.serverData, ...outcome.data };
  if (outcome.kind === 'recreate') return outcome.data;
  return null;
}

describe('conflict resolution', () => {
  it("server wins keeps the server's record; client wins ends with every local field", () => {
    fc.assert(
      fc.property(conflictArb, (conflict) => {
        expect(resolveConflict(conflict, { strategy: 'server_wins' })).toEqual({ kind: 'discard', winner: 'server' });
        const outcome = resolveConflict(conflict, { strategy: 'client_wins' });
        if (outcome.kind === 'update') expect(outcome.baseVersion).toBe(conflict.serverVersion);
        expect(after(conflict, outcome)).toMatchObject(conflict.localData);
      }),
      { numRuns: RUNS },
    );
  });

  it('merge asks exactly for the fields both sides set differently; with choices it keeps every field only the device changed', () => {
    fc.assert(
      fc.property(conflictArb, fc.boolean(), (conflict, preferLocal) => {
        const needed = fieldsNeedingChoice(conflict);
        let refused: unknown = null;
        try {
          resolveConflict(conflict, { strategy: 'merge' });
        } catch (err) {
          refused = err;
        }
        if (needed.length > 0) expect(refused).toMatchObject({ code: 'CHOICE_REQUIRED' });
        else expect(refused).toBeNull();
        expect(refused === null || refused instanceof ResolutionError).toBe(true);

        const fields = Object.fromEntries(
          needed.map((f) => [f, { source: preferLocal ? 'local' : 'server' } as const]),
        );
        const result = after(conflict, resolveConflict(conflict, { strategy: 'merge', fields }))!;
        for (const [field, value] of Object.entries(conflict.localData)) {
          const chosen = needed.includes(field) && !preferLocal ? conflict.serverData[field] : value;
          expect(result[field]).toEqual(chosen);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
