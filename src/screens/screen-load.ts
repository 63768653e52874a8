/**
 * A screen's loading state: @lit/task's `Task` (it runs when its arguments change and on `run()`, for a
 * replica change or "Try again"; a run that a newer one superseded is aborted and its result never
 * lands) plus one habit of these screens: while a re-run for the same list or record is pending, the
 * last outcome stays on screen instead of "Loading…" (a sync landing must not blank what the user reads).
 */
import { Task, TaskStatus, type TaskConfig } from '@lit/task';
import { html, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiError, describeError } from '../api/http.ts';

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

/** A read that failed: why, and "Try again". */
export function loadFailed(message: string | null, retry: () => unknown): TemplateResult {
  return html`<div class="banner error" role="alert">
    <p>${message}</p>
    <button @click=${() => void retry()}>Try again</button>
  </div>`;
}

/** Where a record screen sends the user when the record is not on this tablet (404). */
export interface MissingRecord {
  message: string;
  href: string;
  label: string;
}

/** A record screen's "Loading…" and its failures: not on this tablet, with a way back; else why, with "Try again". */
export function recordLoadStates(
  retry: () => unknown,
  missing: MissingRecord,
): Pick<LoadRenderers<never, TemplateResult>, 'pending' | 'error'> {
  return {
    pending: () => html`<p role="status">Loading…</p>`,
    error: (error) =>
      error instanceof ApiError && error.status === 404
        ? html`<div class="banner warning" role="alert">
            <p>${missing.message}</p>
            <a class="button" href=${missing.href}>${missing.label}</a>
          </div>`
        : loadFailed(describeError(error), retry),
  };
}
