/**
 * Typing is never lost by leaving a form. A screen that takes typing says whether it holds unsaved
 * changes (`hasUnsavedChanges`, compared with what it loaded) and fires a composed `unsaved-changes`
 * event whenever that answer flips; the app holds the one guard: it asks before an in-app link or the
 * back button leaves such a screen, and keeps the browser's `beforeunload` prompt armed only while
 * one does (a reload or closing the tab).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export const UNSAVED_CHANGES_EVENT = 'unsaved-changes';

/** A screen whose typing may be unsaved. */
export interface UnsavedChangesSource {
  /** Whether the form differs from what it loaded (or last saved). Synchronous: asked at the moment of leaving. */
  hasUnsavedChanges(): boolean;
  /** What the form edits, for the question: "What you typed in this booking is not saved." */
  readonly unsavedChangesNoun: string;
  /** The save the form is running (from Save to its answer), or null: leaving then waits for it. */
  saveInProgress(): Promise<void> | null;
}

/**
 * A form's save, known while it runs. A tap away during a save is neither the "Leave without
 * saving?" question (the typing is being saved) nor a leave that drops it (a failed save keeps the
 * form and says why): the app waits for the answer.
 */
export class SaveTracker {
  private running: Promise<void> | null = null;

  get current(): Promise<void> | null {
    return this.running;
  }

  /** Runs `save` (which reports its own failure on the form) and knows of it until it settles. */
  async run(save: () => Promise<void>): Promise<void> {
    const running = save();
    this.running = running;
    try {
      await running;
    } finally {
      if (this.running === running) this.running = null;
    }
  }
}

/** Fires `unsaved-changes` on its host after an update that flipped `hasUnsavedChanges()`. */
export class UnsavedChangesReporter implements ReactiveController {
  private reported = false;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement & UnsavedChangesSource) {
    host.addController(this);
  }

  hostConnected(): void {
    this.reported = false;
    this.hostUpdated();
  }

  hostUpdated(): void {
    const unsaved = this.host.hasUnsavedChanges();
    if (unsaved === this.reported) return;
    this.reported = unsaved;
    this.host.dispatchEvent(new Event(UNSAVED_CHANGES_EVENT, { bubbles: true, composed: true }));
  }
}

/** Whether two drafts (forms as plain values) hold the same values. */
export function sameDraft(a: object, b: object): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => left[key] === right[key]);
}

function isSource(target: unknown): target is Element & UnsavedChangesSource {
  return target instanceof Element && typeof (target as Partial<UnsavedChangesSource>).hasUnsavedChanges === 'function';
}

/** The app's side: which shown screens hold unsaved changes, and the `beforeunload` prompt while one does. */
export class UnsavedChangesGuard {
  private readonly sources = new Set<Element & UnsavedChangesSource>();
  private armed = false;

  constructor(private readonly win: Pick<Window, 'addEventListener' | 'removeEventListener'>) {}

  /** The handler for `unsaved-changes` events reaching the app. */
  readonly onEvent = (event: Event): void => {
    const source = event.composedPath()[0];
    if (isSource(source)) this.sources.add(source);
    this.refresh();
  };

  /** The first shown screen with unsaved changes, asked now (a save just made counts at once). */
  unsaved(): (Element & UnsavedChangesSource) | null {
    for (const source of this.sources) {
      if (!source.isConnected) this.sources.delete(source);
      else if (source.hasUnsavedChanges()) return source;
    }
    return null;
  }

  /** Arms or disarms `beforeunload` (after an event, and after the app showed another screen). */
  refresh(): void {
    const unsaved = this.unsaved() !== null;
    if (unsaved === this.armed) return;
    this.armed = unsaved;
    if (unsaved) this.win.addEventListener('beforeunload', this.onBeforeUnload);
    else this.win.removeEventListener('beforeunload', this.onBeforeUnload);
  }

  stop(): void {
    this.sources.clear();
    this.refresh();
  }

  private readonly onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (this.unsaved() === null) return;
    // The browser's own "Leave site?" prompt (Chromium 119+, Firefox).
    event.preventDefault();
  };
}
