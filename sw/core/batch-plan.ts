/**
 * Which queue rows go in each push batch of one sync run (pure).
 *
 * The queue is read in id order, a window at a time, so a run needs memory for what is in flight,
 * not for the whole queue. Rules:
 * - at most one row per record is in flight: a later row of a record waits ("deferred") until the
 *   server acknowledged the earlier one and its base version moved on (two rows of one record on
 *   the same base version would look to the server like a conflict with ourselves);
 * - a row held by a conflict or a rejection holds every later row of its record, and so does a
 *   row this session may not send (another person's, sent when they sign in);
 * - a row that failed or conflicted in this run holds its record's later rows until the next run;
 * - a row naming a record created on this device (a temp id in a reference field: a booking's new
 *   pet) is held, with the later rows of its own record, when that record's create does not go in
 *   this run: another person's, held, or failed or conflicted earlier in the run. The server would
 *   answer PET_NOT_FOUND / REFERENCE_NOT_FOUND, which needs a person, though nothing is wrong. It
 *   may go in the same batch as the create (the server applies a batch in order) or in the batch
 *   after it, sent before the create's answer is known; if the create then fails, the server
 *   refuses the row too, stores nothing, and `refusedForUnsentCreates` names it: it stays pending;
 * - each row is offered once per run (the cursor only moves forward; a deferred row is taken once).
 */
import { REFERENCE_FIELDS, isTempId, type PushResult, type SyncErrorCode } from '../../src/protocol/index.ts';
import type { StoredOperation } from '../db/schema.ts';
import { isHeld, recordKey } from './coalesce.ts';

export type BatchOutcome = 'acknowledged' | 'conflict' | 'failed' | 'pending';

/** Why a run leaves a row in the queue. */
export type Hold =
  /** Another person's row (or another practice's): it goes when they sign in here. */
  | { kind: 'author' }
  /** Held itself: a conflict or a rejection waiting for a decision, or it failed in this run. */
  | { kind: 'held' }
  /** Behind row `by`, an earlier row of its own record that does not go. */
  | { kind: 'record'; by: number }
  /** Its `field` names a record created on this device whose create (row `by`) does not go. */
  | { kind: 'reference'; by: number; field: string };

/** The person a session sends as: rows of anyone else wait for their own session on this tablet. */
export interface Sender {
  id: number;
  practiceId: number;
  tenantId: string;
}

/** The rows `sender` may send: their own, in their practice. */
export function sentBy(sender: Sender | null): (op: StoredOperation) => boolean {
  if (!sender) return () => false;
  return (op) => op.userId === sender.id && op.practiceId === sender.practiceId && op.tenantId === sender.tenantId;
}

/** What the server answers an operation naming a record it does not have. */
const REFERENCE_REFUSALS: ReadonlySet<SyncErrorCode> = new Set<SyncErrorCode>(['PET_NOT_FOUND', 'REFERENCE_NOT_FOUND']);

/** Record keys of the records created on this device that `op` names in its reference fields. */
function referencedNewRecords(op: StoredOperation): { field: string; key: string }[] {
  const data = op.data;
  if (!data) return [];
  const named: { field: string; key: string }[] = [];
  for (const { field, target } of REFERENCE_FIELDS[op.entityType]) {
    const value = data[field];
    if (isTempId(value)) named.push({ field, key: recordKey({ entityType: target, entityId: value }) });
  }
  return named;
}

export class BatchPlanner {
  /** Highest queue id looked at; fresh rows are read after it. */
  cursor = 0;
  private readonly deferred = new Set<number>();
  /** Records with a row in flight. */
  private readonly busy = new Set<string>();
  /**
   * Per record, the first row that holds the rest (failed or conflicted in this run, held, or not
   * this session's): rows after it wait; rows before it may still go.
   */
  private readonly stoppedAt = new Map<string, number>();
  /** Records created on this device whose create does not go in this run (by record key: its row). */
  private readonly unsentCreates = new Map<string, number>();
  /** Rows left in the queue, and why. */
  private readonly held = new Map<number, Hold>();

  /**
   * `accepts`: rows this session may send (another person's work waits for their session). A row
   * it refuses holds the later rows of its record, so a record's changes still go in order.
   */
  constructor(private readonly accepts: (op: StoredOperation) => boolean) {}

  /** Rows waiting behind an earlier row of their record, in queue order (the caller re-reads them). */
  deferredIds(): number[] {
    return [...this.deferred].sort((a, b) => a - b);
  }

  /** The rows this run leaves in the queue so far, and why (by queue id). */
  holds(): ReadonlyMap<number, Hold> {
    return this.held;
  }

  /** Starts choosing a batch of at most `size` rows: offer the deferred rows first, then fresh ones. */
  begin(size: number): BatchPick {
    return new BatchPick(this, size);
  }

  /** @internal What to do with one row offered to a batch (`inBatch`: records with a row in it). */
  classify(op: StoredOperation, inBatch: ReadonlySet<string>): 'take' | 'defer' | 'drop' {
    const key = recordKey(op);
    // Another person's row goes in their session, whatever else it waits for.
    if (!this.accepts(op)) return this.hold(op, key, { kind: 'author' });
    const stoppedAt = this.stoppedAt.get(key);
    if (stoppedAt !== undefined && op.id >= stoppedAt)
      return this.hold(op, key, op.id === stoppedAt ? { kind: 'held' } : { kind: 'record', by: stoppedAt });
    if (isHeld(op)) return this.hold(op, key, { kind: 'held' });
    const unsent = this.unsentReference(op);
    if (unsent) return this.hold(op, key, unsent);
    if (this.busy.has(key) || inBatch.has(key)) return 'defer';
    return 'take';
  }

  /** The first new record `op` names whose create does not go in this run, if any. */
  private unsentReference(op: StoredOperation): Hold | null {
    for (const { field, key } of referencedNewRecords(op)) {
      const by = this.unsentCreates.get(key);
      if (by !== undefined) return { kind: 'reference', by, field };
    }
    return null;
  }

  /**
   * Rows of an answered batch that the server refused only because a new record they name was
   * not created: its create was refused or held earlier in the same batch, or in an earlier batch
   * of this run (this one was chosen and sent before that answer was known). A refused operation
   * leaves no trace on the server, so these stay pending (not failed) and wait for that create
   * like rows held before sending. Call before `settle`, with the batch's results.
   */
  refusedForUnsentCreates(
    rows: readonly StoredOperation[],
    results: readonly Pick<PushResult, 'opId' | 'success' | 'error'>[],
  ): Set<number> {
    const refused = new Set<number>();
    // Most batches have no such refusal: then nothing more is looked at.
    const refusedOps = new Set(
      results.flatMap((r) => (!r.success && r.error && REFERENCE_REFUSALS.has(r.error.code) ? [r.opId] : [])),
    );
    if (refusedOps.size === 0) return refused;
    const acknowledged = new Set(results.flatMap((r) => (r.success ? [r.opId] : [])));
    const notCreated = new Set<string>();
    for (const op of rows) {
      if (acknowledged.has(op.opId)) continue;
      if (
        refusedOps.has(op.opId) &&
        referencedNewRecords(op).some(({ key }) => notCreated.has(key) || this.unsentCreates.has(key))
      )
        refused.add(op.id);
      if (op.operation === 'create') notCreated.add(recordKey(op));
    }
    return refused;
  }

  /** @internal */
  defer(id: number, deferred: boolean): void {
    if (deferred) this.deferred.add(id);
    else this.deferred.delete(id);
  }

  /** @internal */
  markBusy(rows: readonly StoredOperation[]): void {
    for (const op of rows) this.busy.add(recordKey(op));
  }

  /** The batch's answer was applied: acknowledged records are free; the others wait for the next run. */
  settle(rows: readonly StoredOperation[], outcomes: ReadonlyMap<number, BatchOutcome>): void {
    for (const op of rows) {
      const key = recordKey(op);
      this.busy.delete(key);
      if (outcomes.get(op.id) !== 'acknowledged') this.hold(op, key, { kind: 'held' });
    }
  }

  /** Leaves `op` in the queue, holding the later rows of its record (and rows naming it, for a create). */
  private hold(op: StoredOperation, key: string, why: Hold): 'drop' {
    const earlier = this.stoppedAt.get(key);
    if (earlier === undefined || op.id < earlier) this.stoppedAt.set(key, op.id);
    if (op.operation === 'create' && !this.unsentCreates.has(key)) this.unsentCreates.set(key, op.id);
    this.held.set(op.id, why);
    return 'drop';
  }
}

export class BatchPick {
  private readonly picked: StoredOperation[] = [];
  private readonly inBatch = new Set<string>();

  constructor(
    private readonly planner: BatchPlanner,
    private readonly size: number,
  ) {}

  get full(): boolean {
    return this.picked.length >= this.size;
  }

  /** A deferred row as it is now (undefined: it left the queue meanwhile). */
  offerDeferred(id: number, op: StoredOperation | undefined): void {
    if (this.full) return;
    if (!op) {
      this.planner.defer(id, false);
      return;
    }
    const decision = this.planner.classify(op, this.inBatch);
    this.planner.defer(id, decision === 'defer');
    if (decision === 'take') this.take(op);
  }

  /** A row after the cursor, in queue order. Returns false when the batch is full (the row is not consumed). */
  offerFresh(op: StoredOperation): boolean {
    if (this.full) return false;
    this.planner.cursor = Math.max(this.planner.cursor, op.id);
    const decision = this.planner.classify(op, this.inBatch);
    if (decision === 'defer') this.planner.defer(op.id, true);
    if (decision === 'take') this.take(op);
    return true;
  }

  /** The chosen rows, in queue order; their records count as in flight from now on. */
  rows(): StoredOperation[] {
    const rows = [...this.picked].sort((a, b) => a.id - b.id);
    this.planner.markBusy(rows);
    return rows;
  }

  private take(op: StoredOperation): void {
    this.picked.push(op);
    this.inBatch.add(recordKey(op));
  }
}

export interface BatchSizePolicy {
  /** Operations per push when the queue is short. */
  batchSize: number;
  /** Upper bound (the server accepts at most 1,000 operations per push). */
  maxBatchSize: number;
}

/**
 * Batches grow with the queue: a quarter of what is queued, between `batchSize` and
 * `maxBatchSize`. A long queue goes in few round trips, and still in at least four batches so
 * that sending one overlaps storing the answer to the previous one.
 */
export function pushBatchSize(queued: number, policy: BatchSizePolicy): number {
  return Math.max(policy.batchSize, Math.min(policy.maxBatchSize, Math.ceil(queued / 4)));
}

/**
 * What a run would leave in the queue now, and why (by queue id): every row offered once, in
 * queue order, to one unbounded batch. For the Sync tab and the counts; a row that would only wait
 * for a row sent before it in the same run (deferred) is not held.
 */
export function plannedHolds(
  rows: readonly StoredOperation[],
  accepts: (op: StoredOperation) => boolean,
): ReadonlyMap<number, Hold> {
  const planner = new BatchPlanner(accepts);
  const pick = planner.begin(Number.POSITIVE_INFINITY);
  for (const op of [...rows].sort((a, b) => a.id - b.id)) pick.offerFresh(op);
  return planner.holds();
}
