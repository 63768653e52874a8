/**
 * The reference's `useSyncEngine` hook as a Lit reactive controller: the worker's sync state and
 * conflicts, kept current from its broadcast events.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConflictRecord, Resolution, SyncProgress, SyncResult, WorkerEvent } from '../protocol/index.ts';
import type { WorkerClient } from '../worker-client.ts';
import { serialized } from './serial.ts';

export class SyncEngineController implements ReactiveController {
  isSyncing = false;
  /** `{phase, processed, total, percentage}` while a sync runs, null otherwise. */
  progress: SyncProgress | null = null;
  lastResult: SyncResult | null = null;
  /** The last run that sent or received something, or stopped on an error ("Last sync"). */
  lastActivity: SyncResult | null = null;
  conflicts: ConflictRecord[] = [];
  /** The server answered 401 during a sync: work is kept, the user must sign in again. */
  authRequired = false;
  lastPulledAt: number | null = null;
  /** The last request to the worker that failed, as a sentence (null when fine). */
  error: string | null = null;
  /** The worker's state has been asked once (answered or failed): the fields above are not just defaults. */
  loaded = false;
  /** Worker events heard so far, by type: a state answer asked for before one of them is older than it. */
  private readonly heard = new Map<WorkerEvent['type'], number>();

  private unsubscribe: (() => void) | null = null;
  readonly refreshConflicts: () => Promise<void>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: WorkerClient,
  ) {
    this.refreshConflicts = serialized(() => this.loadConflicts());
    host.addController(this);
  }

  get unresolvedConflicts(): ConflictRecord[] {
    return this.conflicts.filter((c) => !c.resolved);
  }

  hostConnected(): void {
    this.unsubscribe = this.client.subscribe((event) => this.onEvent(event));
    void this.refreshState();
    void this.refreshConflicts();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** "Sync Now". Resolves with the result, or null when the worker could not be asked. */
  async sync(): Promise<SyncResult | null> {
    this.isSyncing = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      const result = await this.client.send({ type: 'SYNC_NOW' });
      this.applyResult(result);
      return result;
    } catch (error) {
      this.isSyncing = false;
      this.fail(error);
      return null;
    } finally {
      this.host.requestUpdate();
    }
  }

  /** Applies a resolution; true when the worker accepted it. */
  async resolveConflict(conflictId: number, resolution: Resolution): Promise<boolean> {
    this.error = null;
    try {
      await this.client.send({ type: 'RESOLVE_CONFLICT', conflictId, resolution });
      this.markResolved(conflictId, resolution.strategy);
      await this.refreshConflicts();
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      this.host.requestUpdate();
    }
  }

  async refreshState(): Promise<void> {
    try {
      const before = new Map(this.heard);
      const state = await this.client.send({ type: 'GET_STATE' });
      // Events that came while the answer was on its way are newer than it: a late "not syncing"
      // must not hide the run they announced, nor an older result replace the one they brought.
      const since = (...types: WorkerEvent['type'][]) =>
        types.some((t) => (this.heard.get(t) ?? 0) !== (before.get(t) ?? 0));
      if (!since('SYNC_STARTED', 'SYNC_PROGRESS', 'SYNC_RESULT')) {
        this.isSyncing = state.isSyncing;
        this.progress = state.progress;
      }
      if (!since('SYNC_RESULT')) {
        this.lastResult = state.lastResult;
        this.lastActivity = state.lastActivity;
        this.lastPulledAt = state.lastPulledAt;
      } else if (state.lastActivity && state.lastActivity.finishedAt > (this.lastActivity?.finishedAt ?? -Infinity)) {
        // The result heard meanwhile is newer, but a run that found nothing carries no activity:
        // the answer's last activity still stands (else the Sync tab says nothing was ever sent).
        this.lastActivity = state.lastActivity;
      }
      if (!since('AUTH_REQUIRED', 'SYNC_RESULT')) this.authRequired = state.authRequired;
    } catch (error) {
      this.fail(error);
    }
    this.loaded = true;
    this.host.requestUpdate();
  }

  private async loadConflicts(): Promise<void> {
    try {
      this.conflicts = await this.client.send({ type: 'GET_CONFLICTS' });
    } catch (error) {
      this.fail(error);
    }
    this.host.requestUpdate();
  }

  private onEvent(event: WorkerEvent): void {
    this.heard.set(event.type, (this.heard.get(event.type) ?? 0) + 1);
    switch (event.type) {
      case 'SYNC_STARTED':
        this.isSyncing = true;
        this.progress = null;
        break;
      case 'SYNC_PROGRESS':
        this.isSyncing = true;
        this.progress = event.progress;
        break;
      case 'SYNC_RESULT':
        this.applyResult(event.result);
        break;
      case 'CONFLICT_ADDED':
        this.conflicts = [...this.conflicts.filter((c) => c.id !== event.conflict.id), event.conflict];
        break;
      case 'CONFLICT_RESOLVED':
        this.markResolved(event.conflictId, null);
        void this.refreshConflicts();
        break;
      case 'AUTH_REQUIRED':
        this.authRequired = true;
        break;
      default:
        return;
    }
    this.host.requestUpdate();
  }

  private applyResult(result: SyncResult): void {
    this.isSyncing = false;
    this.progress = null;
    this.lastResult = result;
    if (didSomething(result)) this.lastActivity = result;
    // "Unauthenticated" is also a run before the worker heard of the session (first start): the
    // worker's own flag (AUTH_REQUIRED, GET_STATE) says whether the server refused it.
    if (result.error?.code === 'UNAUTHENTICATED') void this.refreshState();
    else if (!result.error) {
      this.authRequired = false;
      this.lastPulledAt = result.finishedAt;
    }
  }

  private markResolved(conflictId: number, resolution: string | null): void {
    this.conflicts = this.conflicts.map((c) =>
      c.id === conflictId ? { ...c, resolved: true, resolution: c.resolution ?? resolution } : c,
    );
  }

  private fail(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
  }
}

/** The worker's rule for SyncState.lastActivity: a run that sent or received something, or stopped on an error. */
export function didSomething(result: SyncResult): boolean {
  return result.error !== null || result.pushed + result.failed + result.conflicts + result.pulled > 0;
}
