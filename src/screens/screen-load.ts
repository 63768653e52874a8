/**
 * A screen's loading state: @lit/task's `Task` (it runs when its arguments change and on `run()`, for a
 * replica change or "Try again"; a run that a newer one superseded is aborted and its result never
 * lands) plus one habit of these screens: while a re-run for the same list or record is pending, the
 * last outcome stays on screen instead of "Loading…" (a sync landing must not blank what the user reads).
 */
import { Task, TaskStatus, type TaskConfig } from '@lit/task';
import type { ReactiveControllerHost } from 'lit';

export interface LoadRenderers<T, R> {
  pending: () => R;
  complete: (value: T) => R;
  error: (error: unknown) => R;
}

export class ScreenLoad<A extends readonly unknown[], T extends object> {
  private readonly task: Task<A, T>;
  /** An outcome (value or error) of the current list or record has been shown. */
  private settled = false;

  constructor(host: ReactiveControllerHost, config: TaskConfig<A, T>) {
    this.task = new Task(host, {
      ...config,
      onComplete: (value) => {
        this.settled = true;
        config.onComplete?.(value);
      },
      onError: (error) => {
        this.settled = true;
        config.onError?.(error);
      },
    });
  }

  /** Loads again now; a run still pending is superseded. */
  run(): Promise<void> {
    return this.task.run();
  }

  /** The screen moved to another record: show "Loading…" until that one is read. */
  forget(): void {
    this.settled = false;
  }

  render<R>(renderers: LoadRenderers<T, R>): R {
    const { status, value, error } = this.task;
    const showLast = status === TaskStatus.PENDING && this.settled;
    if (status === TaskStatus.COMPLETE || (showLast && value !== undefined)) return renderers.complete(value as T);
    if (status === TaskStatus.ERROR || showLast) return renderers.error(error);
    return renderers.pending();
  }
}
