/**
 * The reference's `useSyncQueue` hook as a Lit reactive controller: queue counters from the worker's
 * QUEUE_STATS broadcasts, and (when asked for) the operations themselves.
 *
 * There is no `addOperation()`: in this app writes go through the REST surface and the worker queues
 * them in the same IndexedDB transaction as the replica write.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LOCAL_WRITE_EVENT } from '../api/entities.ts';
import type { PageMessage, QueuedOperation, QueueStats, WorkerEvent } from '../protocol/index.ts';
import type { WorkerClient } from '../worker-client.ts';
import { serialized } from './serial.ts';

export const EMPTY_STATS: QueueStats = { pending: 0, inFlight: 0, failed: 0, conflicts: 0, completed: 0 };

export interface SyncQueueOptions {
  /** Keep `operations` loaded (the sync panel); the indicator only needs the counters. */
  trackOperations?: boolean;
  /** Fires `local-write` when this page wrote through the REST surface (EntitiesApi.writes). */
  localWrites?: EventTarget | undefined;
}

type OperationMessage = Extract<PageMessage, { type: 'RETRY_OPERATION' | 'DISCARD_OPERATION' }>['type'];

export class SyncQueueController implements ReactiveController {
  stats: QueueStats = EMPTY_STATS;
  operations: QueuedOperation[] = [];
  /** Whether the first answer from the worker arrived. */
  loaded = false;
  error: string | null = null;

  private unsubscribe: (() => void) | null = null;
  /**
   * While a push runs, counters arrive a few times a second but progress after every batch: the
   * pending count follows the progress between two counters (operations answered since the last
   * counters left the queue or became failed/conflict).
   */
  private pushProcessed = 0;
  private pushProcessedAtStats = 0;
  private readonly trackOperations: boolean;
  private readonly localWrites: EventTarget | undefined;
  readonly refresh: () => Promise<void>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: WorkerClient,
    options: SyncQueueOptions = {},
  ) {
    this.trackOperations = options.trackOperations ?? false;
    this.localWrites = options.localWrites;
    this.refresh = serialized(() => this.load());
    host.addController(this);
  }

  /**
   * Operations waiting to reach the server (queued or being sent): the "pending" the user sees.
   * Changes that wait for another person to sign in are not counted: no sync of this session
   * sends them (the Sync tab lists them, "Waiting for <name> to sign in"); nor are the person's
   * changes that wait for another change first (`waitingCount`).
   */
  get pendingCount(): number {
    const answeredSinceStats = Math.max(0, this.pushProcessed - this.pushProcessedAtStats);
    const sendable = this.stats.pending - (this.stats.waitingForOthers ?? 0) - this.waitingCount;
    return Math.max(0, sendable + this.stats.inFlight - answeredSinceStats);
  }

  /**
   * The person's changes that a sync does not send yet because they wait for another change (a
   * booking of a pet someone else registered here and did not send): not synced, and not work a
   * Sync Now would do; the Sync tab says what each waits for.
   */
  get waitingCount(): number {
    return this.stats.waitingForChanges ?? 0;
  }

  /**
   * Failed changes the person signed in may retry or discard. Another person's failed or held
   * changes are theirs to decide (src/protocol/ownership.ts): the Sync tab lists them as theirs,
   * and nothing asks this person to act on them.
   */
  get ownFailedCount(): number {
    return Math.max(0, this.stats.failed - (this.stats.failedOfOthers ?? 0));
  }

  /** Held changes (conflicts) made by other people on this tablet: only their author may resolve them. */
  get conflictsOfOthers(): number {
    return this.stats.conflictsOfOthers ?? 0;
  }

  get failedOperations(): QueuedOperation[] {
    return this.operations.filter((op) => op.status === 'failed');
  }

  get conflictOperations(): QueuedOperation[] {
    return this.operations.filter((op) => op.status === 'conflict');
  }

  get waitingOperations(): QueuedOperation[] {
    return this.operations.filter((op) => op.status === 'pending' || op.status === 'in_flight');
  }

  hostConnected(): void {
    this.unsubscribe = this.client.subscribe((event) => this.onEvent(event));
    this.localWrites?.addEventListener(LOCAL_WRITE_EVENT, this.onLocalWrite);
    void this.refresh();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.localWrites?.removeEventListener(LOCAL_WRITE_EVENT, this.onLocalWrite);
  }

  private readonly onLocalWrite = (): void => void this.refresh();

  /** Discards a queued operation (the worker undoes its local change). */
  removeOperation(operationId: number): Promise<boolean> {
    return this.operationRequest('DISCARD_OPERATION', operationId);
  }

  retryOperation(operationId: number): Promise<boolean> {
    return this.operationRequest('RETRY_OPERATION', operationId);
  }

  async clearCompleted(): Promise<void> {
    await this.statsRequest(() => this.client.send({ type: 'CLEAR_COMPLETED' }));
  }

  async clearFailed(): Promise<void> {
    await this.statsRequest(() => this.client.send({ type: 'CLEAR_FAILED' }));
  }

  private async operationRequest(type: OperationMessage, operationId: number): Promise<boolean> {
    return this.statsRequest(() => this.client.send({ type, operationId }));
  }

  private async statsRequest(request: () => Promise<QueueStats>): Promise<boolean> {
    this.error = null;
    try {
      this.setStats(await request());
      if (this.trackOperations) await this.refresh();
      return true;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      this.host.requestUpdate();
    }
  }

  private async load(): Promise<void> {
    try {
      const state = await this.client.send({ type: 'GET_STATE' });
      this.setStats(state.stats);
      if (this.trackOperations) this.operations = await this.client.send({ type: 'GET_OPERATIONS' });
      this.loaded = true;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.host.requestUpdate();
  }

  private setStats(stats: QueueStats): void {
    this.stats = stats;
    this.pushProcessedAtStats = this.pushProcessed;
  }

  private onEvent(event: WorkerEvent): void {
    if (event.type === 'SYNC_STARTED') {
      this.pushProcessed = 0;
      this.pushProcessedAtStats = 0;
    } else if (event.type === 'SYNC_PROGRESS' && event.progress.phase === 'push') {
      this.pushProcessed = event.progress.processed;
      this.host.requestUpdate();
      return;
    }
    if (event.type === 'QUEUE_STATS') {
      this.setStats(event.stats);
      this.loaded = true;
      this.host.requestUpdate();
      if (this.trackOperations) void this.refresh();
      return;
    }
    if (this.trackOperations && (event.type === 'SYNC_RESULT' || event.type === 'CONFLICT_ADDED')) {
      void this.refresh();
    }
  }
}
