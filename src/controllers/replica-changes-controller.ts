/**
 * Tells a screen when the worker's replica changed under it (a push answer, a pull, a resolved
 * conflict), so it re-fetches. Bursts of events are folded into one reload. A record created on
 * this device keeps answering at its temp id after the server gave it its id, so a screen needs
 * no id change, only the reload.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EntityType, WorkerEvent } from '../protocol/index.ts';
import type { WorkerClient } from '../worker-client.ts';

export interface ReplicaChangesOptions {
  entityTypes: readonly EntityType[];
  /** Called once per burst of relevant changes. */
  onChange: () => void;
  /** Fold events arriving within this window into one reload. */
  debounceMs?: number;
}

export class ReplicaChangesController implements ReactiveController {
  private unsubscribe: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly client: WorkerClient,
    private readonly options: ReplicaChangesOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.client.subscribe((event) => this.onEvent(event));
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private onEvent(event: WorkerEvent): void {
    const watched = (type: EntityType) => this.options.entityTypes.includes(type);
    if (event.type === 'DATA_CHANGED' && event.entityTypes.some(watched)) {
      this.schedule();
    } else if (event.type === 'CONFLICT_ADDED' || event.type === 'CONFLICT_RESOLVED') {
      // The `_conflict` flag of a record changed.
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.options.onChange();
    }, this.options.debounceMs ?? 50);
  }
}
