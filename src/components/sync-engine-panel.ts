/**
 * `<sync-engine-panel>`: the reference's SyncEnginePanel. Sync Now; progress (percentage and
 * processed/total); the last result; the queue with failed operations (reason, retry, discard);
 * the conflict list with the unresolved count and the resolution dialog.
 */
import { LitElement, css, html, nothing } from 'lit';
import { NetworkStatusController, type NetworkEnvironment } from '../controllers/network-status-controller.ts';
import { SyncEngineController } from '../controllers/sync-engine-controller.ts';
import { SyncQueueController } from '../controllers/sync-queue-controller.ts';
import { formatDateTime, formatRelative, plural } from '../format.ts';
import type { ConflictRecord, QueuedOperation, ResolutionStrategy, SyncResult } from '../protocol/index.ts';
import { controls } from '../styles/controls.ts';
import { workerClient, type WorkerClient } from '../worker-client.ts';
import './conflict-resolution-dialog.ts';
import type { ConflictResolveDetail, ValueDescriber } from './conflict-resolution-dialog.ts';
import { STRATEGY_LABEL, describeConflict, describeOperation, errorHint, phaseLabel, triggerLabel } from './labels.ts';

export class SyncEnginePanel extends LitElement {
  static override properties = {
    client: { attribute: false },
    networkEnvironment: { attribute: false },
    localWrites: { attribute: false },
    now: { attribute: false },
    describeValue: { attribute: false },
    _activeConflictId: { state: true },
    _resolving: { state: true },
    _resolveError: { state: true },
    _confirmDiscard: { state: true },
    _busyOperation: { state: true },
  };

  declare client: WorkerClient | undefined;
  declare networkEnvironment: NetworkEnvironment | undefined;
  /** This page's writes (EntitiesApi.writes): the pending count follows them at once. */
  declare localWrites: EventTarget | undefined;
  /** Wall clock (ms) for "3 min ago". */
  declare now: () => number;
  declare describeValue: ValueDescriber | null;
  declare _activeConflictId: number | null;
  declare _resolving: boolean;
  declare _resolveError: string | null;
  declare _confirmDiscard: number | null;
  declare _busyOperation: number | null;

  private engine?: SyncEngineController;
  private queue?: SyncQueueController;
  private network?: NetworkStatusController;

  static override styles = [
    controls,
    css`
      :host { display: block; }
      .stack { display: flex; flex-direction: column; gap: var(--sd-space-4); }
      section.card { display: flex; flex-direction: column; gap: var(--sd-space-3); }
      .status-line { color: var(--sd-color-text-muted); margin: 0; }
      .progress { display: flex; flex-direction: column; gap: var(--sd-space-1); }
      .bar { height: 16px; border-radius: 8px; background: var(--sd-color-border-subtle); overflow: hidden; }
      .bar > span { display: block; height: 100%; background: var(--sd-color-primary); transition: width 0.2s ease; }
      @media (prefers-reduced-motion: reduce) { .bar > span { transition: none; } }
      dl.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: var(--sd-space-3); margin: 0; }
      dl.stats div { border: 1px solid var(--sd-color-border-subtle); border-radius: var(--sd-radius); padding: var(--sd-space-2) var(--sd-space-3); }
      dt { font-size: 0.9rem; color: var(--sd-color-text-muted); }
      dd { margin: 0; font-size: 1.35rem; font-weight: 700; }
      dd.small { font-size: 1rem; font-weight: 600; }
      ul.list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: var(--sd-space-2); }
      ul.list > li {
        display: flex; flex-wrap: wrap; align-items: center; gap: var(--sd-space-2) var(--sd-space-3);
        border: 1px solid var(--sd-color-border-subtle); border-radius: var(--sd-radius); padding: var(--sd-space-3);
      }
      li .what { flex: 1 1 260px; min-width: 0; }
      li .what strong { display: block; }
      li .actions { display: flex; gap: var(--sd-space-2); flex-wrap: wrap; }
      li.conflict { border-left: 6px solid var(--sd-color-danger); }
      li.failed { border-left: 6px solid var(--sd-color-danger); }
      li.resolved { border-left: 6px solid var(--sd-color-success); }
      .empty { color: var(--sd-color-text-muted); margin: 0; }
      details summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; font-weight: 600; }
      h2 .count { font-weight: 600; color: var(--sd-color-text-muted); font-size: 1rem; }
    `,
  ];

  constructor() {
    super();
    this.client = undefined;
    this.networkEnvironment = undefined;
    this.localWrites = undefined;
    this.now = () => Date.now();
    this.describeValue = null;
    this._activeConflictId = null;
    this._resolving = false;
    this._resolveError = null;
    this._confirmDiscard = null;
    this._busyOperation = null;
  }

  override connectedCallback(): void {
    if (!this.engine) {
      const client = this.client ?? workerClient();
      this.engine = new SyncEngineController(this, client);
      this.queue = new SyncQueueController(this, client, { trackOperations: true, localWrites: this.localWrites });
      this.network = new NetworkStatusController(this, this.networkEnvironment);
    }
    super.connectedCallback();
  }

  override render() {
    const engine = this.engine;
    const queue = this.queue;
    if (!engine || !queue) return nothing;
    return html`
      <div class="stack">
        ${this.renderHeader(engine)}
        ${this.renderLastResult(engine.lastResult)}
        ${this.renderQueue(queue)}
        ${this.renderConflicts(engine.conflicts)}
      </div>
      <conflict-resolution-dialog
        .conflict=${this.activeConflict}
        .open=${this.activeConflict !== null}
        .busy=${this._resolving}
        .error=${this._resolveError}
        .describeValue=${this.describeValue}
        @conflict-resolve=${this.onResolve}
        @conflict-dialog-close=${this.closeDialog}
      ></conflict-resolution-dialog>
    `;
  }

  private get activeConflict(): ConflictRecord | null {
    return this.engine?.conflicts.find((c) => c.id === this._activeConflictId) ?? null;
  }

  private renderHeader(engine: SyncEngineController) {
    const online = this.network?.isOnline ?? true;
    const progress = engine.progress;
    const pct = Math.round(progress?.percentage ?? 0);
    const status = !online
      ? 'Offline: changes are kept on this tablet and sent when the connection returns.'
      : engine.authRequired
        ? 'Your session expired: sign in to send the changes waiting on this tablet.'
        : `Online (connection ${this.connectionText()}).${engine.lastPulledAt ? ` Last synced ${formatRelative(engine.lastPulledAt, this.now())}.` : ''}`;
    return html`
      <section class="card" aria-labelledby="sync-heading">
        <div class="toolbar">
          <h2 id="sync-heading">Status</h2>
          <span class="spacer"></span>
          ${engine.authRequired ? html`<a class="button" href="/signin">Sign in</a>` : nothing}
          <button class="primary" ?disabled=${!online || engine.isSyncing} @click=${() => void engine.sync()}>
            ${engine.isSyncing ? 'Syncing…' : 'Sync Now'}
          </button>
        </div>
        <p class="status-line" role="status" aria-live="polite">${status}</p>
        ${engine.isSyncing
          ? html`
              <div class="progress">
                <div
                  class="bar"
                  role="progressbar"
                  aria-label="Sync progress"
                  aria-valuemin="0"
                  aria-valuemax="100"
                  aria-valuenow=${pct}
                  aria-valuetext=${progress ? `${pct}%, ${progress.processed} of ${progress.total}` : 'Starting'}
                >
                  <span style="width: ${pct}%"></span>
                </div>
                <span>${progress ? `${phaseLabel(progress.phase)}: ${progress.processed} of ${progress.total} (${pct}%)` : 'Starting…'}</span>
              </div>
            `
          : nothing}
        ${engine.error ? html`<p class="banner error" role="alert">${engine.error}</p>` : nothing}
      </section>
    `;
  }

  private connectionText(): string {
    const network = this.network;
    if (!network) return 'unknown';
    if (network.isTransitioning) return 'reconnecting';
    const rtt = network.rttMs === null ? '' : `, ${Math.round(network.rttMs)} ms`;
    return `${network.connectionQuality}${rtt}`;
  }

  private renderLastResult(result: SyncResult | null) {
    return html`
      <section class="card" aria-labelledby="result-heading">
        <h2 id="result-heading">Last sync</h2>
        ${result
          ? html`
              <dl class="stats">
                <div><dt>Sent</dt><dd data-testid="result-pushed">${result.pushed}</dd></div>
                <div><dt>Received</dt><dd>${result.pulled}</dd></div>
                <div><dt>Failed</dt><dd>${result.failed}</dd></div>
                <div><dt>Conflicts</dt><dd>${result.conflicts}</dd></div>
              </dl>
              <p class="status-line">
                Finished ${formatDateTime(result.finishedAt)} · took ${(result.durationMs / 1000).toFixed(1)} s · started by ${triggerLabel(result.trigger)}
              </p>
              ${result.error ? html`<p class="banner warning">Stopped early: ${result.error.message}</p>` : nothing}
            `
          : html`<p class="empty">No sync has run on this tablet yet.</p>`}
      </section>
    `;
  }

  private renderQueue(queue: SyncQueueController) {
    const stats = queue.stats;
    const failed = queue.failedOperations;
    const waiting = queue.waitingOperations;
    return html`
      <section class="card" aria-labelledby="queue-heading">
        <div class="toolbar">
          <h2 id="queue-heading">Changes on this tablet</h2>
          <span class="spacer"></span>
          <button ?disabled=${stats.completed === 0} @click=${() => void queue.clearCompleted()}>Clear completed</button>
        </div>
        <dl class="stats">
          <div><dt>Pending</dt><dd data-testid="queue-pending">${queue.pendingCount}</dd></div>
          <div><dt>Failed</dt><dd data-testid="queue-failed">${stats.failed}</dd></div>
          <div><dt>Conflicts</dt><dd>${stats.conflicts}</dd></div>
          <div><dt>Completed</dt><dd>${stats.completed}</dd></div>
        </dl>
        ${queue.error ? html`<p class="banner error" role="alert">${queue.error}</p>` : nothing}
        <h3>Failed changes</h3>
        ${failed.length === 0
          ? html`<p class="empty">None.</p>`
          : html`<ul class="list" aria-label="Failed changes">${failed.map((op) => this.renderFailed(op, queue))}</ul>`}
        ${waiting.length > 0
          ? html`
              <details>
                <summary>${plural(waiting.length, 'change')} waiting to be sent</summary>
                <ul class="list">
                  ${waiting.map((op) => html`<li><span class="what">${describeOperation(op)}</span>
                    <span class="badge pending">${op.status === 'in_flight' ? 'Sending' : 'Waiting'}</span></li>`)}
                </ul>
              </details>
            `
          : nothing}
      </section>
    `;
  }

  private renderFailed(op: QueuedOperation, queue: SyncQueueController) {
    const busy = this._busyOperation === op.id;
    const confirming = this._confirmDiscard === op.id;
    const hint = op.lastError ? errorHint(op.lastError.code) : null;
    return html`
      <li class="failed" data-operation-id=${op.id}>
        <span class="what">
          <strong>${describeOperation(op)}</strong>
          ${op.lastError ? html`<span>${op.lastError.message} (${op.lastError.code})</span>` : html`<span>Failed</span>`}
          ${hint ? html`<span class="hint"> ${hint}</span>` : nothing}
          <span class="hint"> · ${plural(op.attempts, 'attempt')}</span>
        </span>
        <span class="actions">
          <button ?disabled=${busy} @click=${() => this.operationAction(op.id, () => queue.retryOperation(op.id))}>Retry</button>
          ${confirming
            ? html`<button class="danger solid" ?disabled=${busy} @click=${() => this.operationAction(op.id, () => queue.removeOperation(op.id))}>Confirm discard</button>
                <button ?disabled=${busy} @click=${() => (this._confirmDiscard = null)}>Keep</button>`
            : html`<button class="danger" ?disabled=${busy} @click=${() => (this._confirmDiscard = op.id)}>Discard</button>`}
        </span>
      </li>
    `;
  }

  private async operationAction(id: number, action: () => Promise<boolean>): Promise<void> {
    this._busyOperation = id;
    await action();
    this._busyOperation = null;
    this._confirmDiscard = null;
  }

  private renderConflicts(conflicts: ConflictRecord[]) {
    const unresolved = conflicts.filter((c) => !c.resolved);
    const resolved = conflicts.filter((c) => c.resolved).slice(-5).reverse();
    return html`
      <section class="card" aria-labelledby="conflicts-heading">
        <h2 id="conflicts-heading">Conflicts <span class="count" data-testid="unresolved-count">(${unresolved.length} unresolved)</span></h2>
        ${unresolved.length === 0
          ? html`<p class="empty">No conflicts waiting for a decision.</p>`
          : html`<ul class="list" aria-label="Unresolved conflicts">
              ${unresolved.map(
                (c) => html`
                  <li class="conflict" data-conflict-id=${c.id}>
                    <span class="what">
                      <strong>${describeConflict(c)}</strong>
                      <span>${c.conflictType === 'deleted' ? 'Deleted on the server' : `Both changed: ${c.affectedFields.join(', ') || 'the record'}`}</span>
                      <span class="hint"> · found ${formatRelative(c.detectedAt, this.now())}</span>
                    </span>
                    <span class="actions"><button class="primary" @click=${() => this.openDialog(c.id)}>Resolve…</button></span>
                  </li>
                `,
              )}
            </ul>`}
        ${resolved.length > 0
          ? html`<details>
              <summary>Recently resolved</summary>
              <ul class="list">
                ${resolved.map(
                  (c) => html`<li class="resolved"><span class="what">${describeConflict(c)}</span>
                    <span class="badge ok">${this.resolutionLabel(c.resolution)}</span></li>`,
                )}
              </ul>
            </details>`
          : nothing}
      </section>
    `;
  }

  private resolutionLabel(resolution: string | null): string {
    return resolution && resolution in STRATEGY_LABEL ? STRATEGY_LABEL[resolution as ResolutionStrategy] : 'Resolved';
  }

  private openDialog(conflictId: number): void {
    this._resolveError = null;
    this._activeConflictId = conflictId;
  }

  private readonly closeDialog = (): void => {
    this._activeConflictId = null;
    this._resolveError = null;
  };

  private readonly onResolve = async (event: CustomEvent<ConflictResolveDetail>): Promise<void> => {
    const engine = this.engine;
    if (!engine) return;
    this._resolving = true;
    this._resolveError = null;
    const ok = await engine.resolveConflict(event.detail.conflictId, event.detail.resolution);
    this._resolving = false;
    if (ok) this.closeDialog();
    else this._resolveError = engine.error ?? 'The resolution could not be applied.';
  };
}

customElements.define('sync-engine-panel', SyncEnginePanel);

declare global {
  interface HTMLElementTagNameMap {
    'sync-engine-panel': SyncEnginePanel;
  }
}
