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
 * - each row is offered once per run (the cursor only moves forward; a deferred row is taken once).
 */
import type { StoredOperation } from '../db/schema.ts';
import { isHeld, recordKey } from './coalesce.ts';

export type BatchOutcome = 'acknowledged' | 'conflict' | 'failed' | 'pending';

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

  /**
   * `accepts`: rows this session may send (another person's work waits for their session). A row
   * it refuses holds the later rows of its record, so a record's changes still go in order.
   */
  constructor(private readonly accepts: (op: StoredOperation) => boolean) {}

  /** Rows waiting behind an earlier row of their record, in queue order (the caller re-reads them). */
  deferredIds(): number[] {
    return [...this.deferred].sort((a, b) => a - b);
  }

  /** Starts choosing a batch of at most `size` rows: offer the deferred rows first, then fresh ones. */
  begin(size: number): BatchPick {
    return new BatchPick(this, size);
  }

  /** @internal What to do with one row offered to a batch. */
  classify(op: StoredOperation, inBatch: ReadonlySet<string>): 'take' | 'defer' | 'drop' {
    const key = recordKey(op);
    const stoppedAt = this.stoppedAt.get(key);
    if (stoppedAt !== undefined && op.id >= stoppedAt) return 'drop';
    if (!this.accepts(op) || isHeld(op)) {
      this.stop(key, op.id);
      return 'drop';
    }
    if (this.busy.has(key) || inBatch.has(key)) return 'defer';
    return 'take';
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
      if (outcomes.get(op.id) !== 'acknowledged') this.stop(key, op.id);
    }
  }

  private stop(key: string, id: number): void {
    const earlier = this.stoppedAt.get(key);
    if (earlier === undefined || id < earlier) this.stoppedAt.set(key, id);
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
