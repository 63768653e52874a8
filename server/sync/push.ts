/**
 * `POST /api/sync/push` without HTTP: one write transaction for the whole batch (fast: one
 * commit); each operation atomic on its own (see BatchIsolation in apply.ts): a failed one leaves
 * no trace and never fails the others. Operations apply in order, so a create's temp id is known
 * to the operations after it in the same batch.
 */
import {
  PushOperationSchema,
  REFERENCE_FIELDS,
  describeIssues,
  isEntityType,
  isTempId,
  isWellFormedText,
  type PushOperation,
  type PushResponse,
  type PushResult,
} from '../../src/protocol/index.ts';
import type { SyncLog } from '../store/sync-log.ts';
import { BatchAbort, type Actor, type Applier, type BatchIsolation } from './apply.ts';
import { canonicalOperation } from './canonical.ts';
import { bookingLockKeys } from './double-booking.ts';
import type { EntityModels } from '../store/entities.ts';
import type { Fields } from '../store/wire.ts';
import type { Resolver } from './references.ts';

export interface PushDeps {
  log: SyncLog;
  models: EntityModels;
  applier: Applier;
  resolver: Resolver;
}

/**
 * `inspect` checks an operation before anything walks it (nesting depth, lone surrogates: see
 * http/json-body.ts); a problem fails that operation alone with VALIDATION.
 */
export async function pushOperations(
  { log, models, applier, resolver }: PushDeps,
  actor: Actor,
  operations: readonly unknown[],
  now: number,
  inspect?: (raw: unknown) => string | null,
): Promise<PushResponse> {
  const parsed = operations.map((raw) => {
    const problem = inspect?.(raw);
    if (problem) return malformed(raw, problem);
    const quick = canonicalOperation(raw);
    if (quick) return quick;
    const result = PushOperationSchema.safeParse(raw);
    return result.success ? result.data : malformed(raw, describeIssues(result.error.issues));
  });
  const run = (isolation: BatchIsolation): Promise<PushResult[]> =>
    log.writeTransaction(async () => {
      const ops = parsed.filter(isOperation);
      // The booking locks the batch will want, all at once and in order: two batches booking the
      // same pets take turns instead of deadlocking (PostgreSQL; nothing on SQLite).
      if (models.appointments.locksBookings) {
        await models.appointments.lockBookings(
          ops.flatMap((op) => (op.entityType === 'appointments' && op.data ? bookingLockKeys(op.data as Fields) : [])),
        );
      }
      // No reference cache with savepoints: a rolled-back savepoint could leave it out of date.
      if (isolation === 'none') {
        resolver.rememberInTransaction();
        // After the locks: what it reads is as fresh as this transaction can know it.
        await log.prefetch(
          actor.practiceId,
          ops.map((op) => op.opId),
          tempIdsNamed(ops),
        );
      }
      const results: PushResult[] = [];
      // In order, one at a time: a create's temp id is known to the operations after it.
      // A malformed operation already has its (failed) result.
      for (const op of parsed)
        results.push('success' in op ? op : await applier.applyInBatch(actor, op, now, isolation));
      return results;
    });
  let results: PushResult[];
  try {
    results = await run('none');
  } catch (err) {
    if (!(err instanceof BatchAbort)) throw err;
    // Rolled back whole; again, each operation in its savepoint, so only the bad one fails.
    results = await run('savepoint');
  }
  return summarise(results, now);
}

const isOperation = (op: PushOperation | PushResult): op is PushOperation => !('success' in op);

/**
 * The temp ids the batch's operations may ask the temp-id map about: their own (tempId,
 * entityId) and those in reference fields. Any other look-up still works, one statement each.
 */
function tempIdsNamed(ops: readonly PushOperation[]): string[] {
  const temps = new Set<string>();
  for (const op of ops) {
    if (isTempId(op.tempId)) temps.add(op.tempId);
    if (isTempId(op.entityId)) temps.add(op.entityId);
    const data = op.data;
    if (!data || !isEntityType(op.entityType)) continue;
    for (const { field } of REFERENCE_FIELDS[op.entityType]) {
      const value = data[field];
      if (isTempId(value)) temps.add(value);
    }
  }
  return [...temps];
}

export function summarise(results: PushResult[], now: number): PushResponse {
  let processed = 0;
  let failed = 0;
  let conflicts = 0;
  for (const r of results) {
    if (r.success) processed++;
    else if (r.conflict) conflicts++;
    else failed++;
  }
  // `success` says the batch was processed; each operation's fate is in its result.
  return { success: true, processed, failed, conflicts, results, timestamp: now };
}

/**
 * A result for an operation that is not even shaped like one; echoes what ids it has (short,
 * well-formed text only).
 */
function malformed(raw: unknown, why: string): PushResult {
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const id = obj.id;
  const echo = (value: unknown, max: number): string =>
    typeof value === 'string' && value.length <= max && isWellFormedText(value) ? value : '';
  return {
    ...(typeof id === 'number' && Number.isInteger(id) ? { operationId: id } : {}),
    opId: echo(obj.opId, 100),
    success: false,
    entityType: echo(obj.entityType, 50),
    error: { code: 'VALIDATION', message: `Malformed operation: ${why}` },
  };
}
