/**
 * `<offline-indicator>`: the reference's OfflineIndicator. Fixed at the top, at the end of the line (top right
 * in left-to-right text); shows online/offline, the pending and conflict counts, progress while syncing,
 * "Sync Now" when online with pending work, and "Sign in to sync" when the session expired. Hidden when online
 * with nothing to report.
 *
 * A visually hidden `aria-live` region always stays in the DOM (also while the card is hidden), so
 * screen readers hear "Offline", "Syncing", "All changes synced" as they happen.
 */
import { css, html, nothing } from 'lit';
import { NetworkStatusController } from '../controllers/network-status-controller.ts';
import { SyncEngineController } from '../controllers/sync-engine-controller.ts';
import { SyncQueueController } from '../controllers/sync-queue-controller.ts';
import { plural } from '../format.ts';
import { controls } from '../styles/controls.ts';
import { ServiceElement } from '../service-element.ts';
import type { AppServices } from '../services.ts';
import { phaseLabel } from './labels.ts';

/** One value for what the card shows (not five booleans). */
export type IndicatorState = 'hidden' | 'offline' | 'syncing' | 'auth' | 'attention' | 'pending';

export interface IndicatorInputs {
  online: boolean;
  syncing: boolean;
  authRequired: boolean;
  pending: number;
  /** The person's changes that wait for another change first: not synced, and nothing Sync Now would send. */
  waiting: number;
  failed: number;
  conflicts: number;
}

/**
 * A sync with nothing of ours to send (a background pull) stays out of sight unless it takes
 * longer than this: a card flashing in and out on every app start would move the header for
 * nothing. The live region still announces it.
 */
export const QUIET_SYNC_MS = 1500;

export function indicatorState(i: IndicatorInputs): IndicatorState {
  if (!i.online) return 'offline';
  if (i.syncing) return 'syncing';
  if (i.authRequired) return 'auth';
  if (i.conflicts > 0 || i.failed > 0) return 'attention';
  if (i.pending > 0 || i.waiting > 0) return 'pending';
  return 'hidden';
}

/** Its worker client, network environment and this page's writes (the pending count follows them): `services`. */
export class OfflineIndicator extends ServiceElement {
  static override properties = { onSyncTab: { type: Boolean, attribute: 'on-sync-tab' } };

  /**
   * The Sync tab is the page showing: no "Review" or "Details" link to it (a link to the page one
   * is on). The app sets it from its route.
   */
  declare onSyncTab: boolean;

  private engine?: SyncEngineController;
  private queue?: SyncQueueController;
  private network?: NetworkStatusController;
  /**
   * The current sync was seen (false when none runs), and whether it has run past QUIET_SYNC_MS: the
   * timer says so itself (a timer can fire a millisecond before Date.now() shows the delay passed,
   * and a comparison with the clock then hid a slow pull until the next update, possibly for good).
   */
  private syncSeen = false;
  private quietOver = false;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.onSyncTab = false;
  }

  static override styles = [
    controls,
    css`
      :host {
        position: fixed;
        top: var(--sd-indicator-top, 12px);
        inset-inline-end: var(--sd-indicator-right, 12px);
        z-index: 30;
        max-width: calc(100vw - 24px);
      }
      .card {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: var(--sd-space-2) var(--sd-space-3);
        padding-block: var(--sd-space-1);
        padding-inline: var(--sd-space-3) var(--sd-space-2);
        min-height: 52px;
        border: 2px solid var(--sd-color-border);
        font-size: 0.95rem;
      }
      .card[data-state='offline'] {
        border-color: var(--sd-color-warning-border);
        background: var(--sd-color-warning-soft);
      }
      .card[data-state='auth'],
      .card[data-state='attention'] {
        border-color: var(--sd-color-danger);
      }
      .card[hidden] {
        display: none;
      }
      /* Green only means "all synced" (the card is hidden then): waiting work is amber, sending blue. */
      .dot {
        width: 14px;
        height: 14px;
        border-radius: 50%;
        flex: none;
        background: var(--sd-color-success);
      }
      [data-state='offline'] .dot,
      [data-state='pending'] .dot {
        background: var(--sd-color-warning-border);
      }
      [data-state='auth'] .dot,
      [data-state='attention'] .dot {
        background: var(--sd-color-danger);
      }
      [data-state='syncing'] .dot {
        background: var(--sd-color-info);
        animation: pulse 1s ease-in-out infinite alternate;
      }
      @keyframes pulse {
        from {
          opacity: 1;
        }
        to {
          opacity: 0.35;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        [data-state='syncing'] .dot {
          animation: none;
        }
      }
      .title {
        font-weight: 700;
      }
      .chip {
        font-weight: 600;
      }
      progress {
        width: 120px;
        height: 12px;
        accent-color: var(--sd-color-primary);
      }
      a.button {
        min-height: 44px;
      }
      button {
        min-height: 44px;
      }
    `,
  ];

  protected setup({ client, entities, network }: AppServices): void {
    this.engine = new SyncEngineController(this, client);
    this.queue = new SyncQueueController(this, client, { localWrites: entities.writes });
    this.network = new NetworkStatusController(this, network);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.clearQuietTimer();
    this.syncSeen = false;
    this.quietOver = false;
  }

  /** The current state, for the app's layout and for tests. */
  get state(): IndicatorState {
    return indicatorState(this.inputs());
  }

  override willUpdate(): void {
    const syncing = this.engine?.isSyncing ?? false;
    if (!syncing) {
      this.syncSeen = false;
      this.quietOver = false;
      this.clearQuietTimer();
    } else if (!this.syncSeen) {
      this.syncSeen = true;
      this.quietTimer = setTimeout(() => {
        this.quietTimer = null;
        this.quietOver = true;
        this.requestUpdate();
      }, QUIET_SYNC_MS);
    }
  }

  private clearQuietTimer(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** Syncing, and worth showing: sending our changes, or a pull that is taking a while. */
  private get visiblySyncing(): boolean {
    const engine = this.engine;
    if (!engine?.isSyncing) return false;
    const queue = this.queue;
    const ours =
      (queue?.pendingCount ?? 0) +
        (queue?.ownFailedCount ?? 0) +
        (queue?.stats.conflicts ?? 0) -
        (queue?.conflictsOfOthers ?? 0) >
      0;
    if (ours || engine.progress?.phase === 'push') return true;
    return this.quietOver;
  }

  private inputs(): IndicatorInputs {
    const engine = this.engine;
    const queue = this.queue;
    // Another person's held or failed changes are not counted: only they may act on them (the Sync
    // tab lists them as theirs, and the sign-in screen tells them). A new conflict is always the
    // signed-in person's (only their rows are pushed), so the event that announces it counts at once.
    const conflicts = Math.max(engine?.unresolvedConflicts.length ?? 0, queue?.stats.conflicts ?? 0);
    return {
      online: this.network?.isOnline ?? true,
      syncing: this.visiblySyncing,
      authRequired: engine?.authRequired ?? false,
      pending: queue?.pendingCount ?? 0,
      waiting: queue?.waitingCount ?? 0,
      failed: queue?.ownFailedCount ?? 0,
      conflicts: Math.max(0, conflicts - (queue?.conflictsOfOthers ?? 0)),
    };
  }

  override render() {
    const i = this.inputs();
    const state = indicatorState(i);
    const progress = this.engine?.progress ?? null;
    return html`
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        ${this.announcement(state, i)}
      </div>
      <div class="card" data-state=${state} ?hidden=${state === 'hidden'} role="group" aria-label="Sync status">
        <span class="dot" aria-hidden="true"></span>
        ${
          state === 'offline' || state === 'syncing' || state === 'auth'
            ? html`<span class="title">${this.headline(state, i)}</span>`
            : nothing /* the chips say it; the live region still announces the headline */
        }
        ${i.pending > 0 ? html`<span class="chip badge pending" data-testid="pending-count">${i.pending} pending</span>` : nothing}
        ${i.waiting > 0 ? html`<span class="chip badge pending" data-testid="waiting-count">${i.waiting} waiting</span>` : nothing}
        ${i.conflicts > 0 ? html`<span class="chip badge conflict" data-testid="conflict-count">${plural(i.conflicts, 'conflict')}</span>` : nothing}
        ${i.failed > 0 ? html`<span class="chip badge conflict">${i.failed} failed</span>` : nothing}
        ${
          state === 'syncing'
            ? html`<progress max="100" value=${progress?.percentage ?? 0} aria-label="Sync progress"></progress>
                <span>${progress ? `${Math.round(progress.percentage)}%` : ''}</span>`
            : nothing
        }
        ${this.action(state, i)}
      </div>
    `;
  }

  private headline(state: IndicatorState, i: IndicatorInputs): string {
    switch (state) {
      case 'offline':
        return 'Offline';
      case 'syncing': {
        const progress = this.engine?.progress;
        return progress ? `${phaseLabel(progress.phase)}…` : 'Syncing…';
      }
      case 'auth':
        return 'Sign in to sync';
      case 'attention':
        return i.conflicts > 0 ? 'Needs a decision' : 'Some changes failed';
      case 'pending':
        return 'Not synced';
      case 'hidden':
        return 'All changes synced';
    }
  }

  private announcement(state: IndicatorState, i: IndicatorInputs): string {
    const parts = [this.headline(state, i)];
    if (i.pending > 0) parts.push(`${i.pending} pending`);
    if (i.waiting > 0) parts.push(`${i.waiting} waiting for another change`);
    if (i.conflicts > 0) parts.push(plural(i.conflicts, 'conflict'));
    if (i.failed > 0) parts.push(`${i.failed} failed`);
    return parts.join(', ');
  }

  private action(state: IndicatorState, i: IndicatorInputs) {
    if (state === 'auth') return html`<a class="button primary" href="/signin">Sign in</a>`;
    const canSync = (state === 'pending' || state === 'attention') && i.pending > 0;
    // Only changes that wait for another one: nothing to send now; the Sync tab says what they wait for.
    const onlyWaiting = state === 'pending' && i.pending === 0;
    const toSyncTab = this.onSyncTab ? null : state === 'attention' ? 'Review' : onlyWaiting ? 'Details' : null;
    return html`
      ${canSync ? html`<button class="primary" @click=${() => void this.engine?.sync()}>Sync Now</button>` : nothing}
      ${toSyncTab ? html`<a class="button" href="/sync">${toSyncTab}</a>` : nothing}
    `;
  }
}

customElements.define('offline-indicator', OfflineIndicator);

declare global {
  interface HTMLElementTagNameMap {
    'offline-indicator': OfflineIndicator;
  }
}
