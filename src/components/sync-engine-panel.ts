/**
 * `<sync-engine-panel>`: the reference's SyncEnginePanel. Sync Now; progress (percentage and
 * processed/total); the last sync that did something; the changes waiting on this tablet (what,
 * which record, when, by whom) with failed ones to retry or discard; records the tablet could not
 * read; the conflict list with the resolution dialog (loaded when there is a conflict to resolve).
 */
import { css, html, nothing } from 'lit';
import { NetworkStatusController } from '../controllers/network-status-controller.ts';
import { QuarantineController } from '../controllers/quarantine-controller.ts';
import { SyncEngineController } from '../controllers/sync-engine-controller.ts';
import { SyncQueueController } from '../controllers/sync-queue-controller.ts';
import { formatDateTime, formatRelative, plural } from '../format.ts';
import type { ConflictRecord, EntityId, EntityType, QueuedOperation, SyncResult } from '../protocol/index.ts';
import { controls } from '../styles/controls.ts';
import { ServiceElement } from '../service-element.ts';
import type { AppServices } from '../services.ts';
import { confirmGroup, focusSafeChoice } from './confirm.ts';
import type { ConflictMoveDetail, ConflictResolveDetail, ValueDescriber } from './conflict-resolution-dialog.ts';
import './disclosure-section.ts';
import { conflictSummary, describeConflict, phaseLabel, resolutionLabel, triggerLabel } from './labels.ts';
import { routePath } from '../router.ts';
import { operationRow, theirsNote, type OperationNames } from './operation-row.ts';
import { quarantineSection } from './quarantine-section.ts';

/** Names of records and people for the change list; the owner reads them from the replica. */
export interface PanelNames {
  /** A record's name (appointment title, pet or client name), or null when unknown. */
  record(entityType: EntityType, id: EntityId): Promise<string | null>;
  /** A staff member's name by user id. */
  person(userId: number): string | null;
  /**
   * Who a change waits for: the name of its author when that is not the person signed in (it is
   * sent only once they sign in here again), else null.
   */
  waitsFor?(userId: number | null): string | null;
  /**
   * Whether the person signed in may resolve, retry or discard a change of `userId` (the protocol's
   * rule, src/protocol/ownership.ts). Without it: when the change does not wait for someone else.
   */
  mayDecide?(userId: number | null): boolean;
}

/** Waiting changes listed one by one; beyond this, a count (the queue can hold thousands). */
const LISTED_WAITING = 50;

/**
 * The empty "Waiting to be sent" list in words. It says every change reached the server only when
 * none is held either: a failed change or one held by a conflict has not reached it.
 */
export function nothingWaiting(failed: number, conflicts: number): string {
  const held = failed + conflicts;
  if (held === 0) return 'Nothing is waiting: every change made here reached the server.';
  const which = [
    conflicts > 0 ? `${plural(conflicts, 'conflict')} (see Conflicts)` : '',
    failed > 0 ? `${plural(failed, 'failed change')} (above)` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return `Nothing else is waiting to be sent. Not on the server yet: ${which}, until ${held === 1 ? 'it is' : 'they are'} dealt with.`;
}

export class SyncEnginePanel extends ServiceElement {
  static override properties = {
    describeValue: { attribute: false },
    names: { attribute: false },
    _activeConflictId: { state: true },
    _resolving: { state: true },
    _resolveError: { state: true },
    _confirm: { state: true },
    _busyOperation: { state: true },
    _dialogReady: { state: true },
  };

  declare describeValue: ValueDescriber | null;
  declare names: PanelNames | null;
  declare _activeConflictId: number | null;
  declare _resolving: boolean;
  declare _resolveError: string | null;
  /** The confirmation showing: discarding one failed change (its id) or all of them. */
  declare _confirm: number | 'all-failed' | null;
  declare _busyOperation: number | 'all-failed' | null;
  declare _dialogReady: boolean;

  private engine?: SyncEngineController;
  private queue?: SyncQueueController;
  private quarantine?: QuarantineController;
  private network?: NetworkStatusController;
  /** Record names looked up for operations that do not carry one (`entityType:id` → name). */
  private readonly recordNames = new Map<string, string | null>();
  private dialogImport: Promise<unknown> | null = null;

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .stack {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-4);
      }
      section.card {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-3);
      }
      .status-line {
        color: var(--sd-color-text-muted);
        margin: 0;
      }
      /* Room kept for text that arrives after the first paint, so the tab does not shift as it loads. */
      .status-line.slot {
        min-height: 1lh;
      }
      @media (max-width: 600px) {
        .status-line.wraps {
          min-height: 2lh;
        }
      }
      .progress {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-1);
      }
      /* The bar keeps its place between runs: a background run starting as the tab opens moved the page. */
      .progress.idle {
        visibility: hidden;
      }
      .bar {
        height: 16px;
        border-radius: 8px;
        background: var(--sd-color-border-subtle);
        overflow: hidden;
      }
      .bar > span {
        display: block;
        height: 100%;
        background: var(--sd-color-primary);
        transition: width 0.2s ease;
      }
      @media (prefers-reduced-motion: reduce) {
        .bar > span {
          transition: none;
        }
      }
      dl.stats {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
        gap: var(--sd-space-3);
        margin: 0;
      }
      dl.stats div {
        border: 1px solid var(--sd-color-border-subtle);
        border-radius: var(--sd-radius);
        padding: var(--sd-space-2) var(--sd-space-3);
      }
      dt {
        font-size: 0.9rem;
        color: var(--sd-color-text-muted);
      }
      dd {
        margin: 0;
        font-size: 1.35rem;
        font-weight: 700;
      }
      dd.note {
        font-size: 0.9rem;
        font-weight: 400;
        color: var(--sd-color-text-muted);
      }
      ul.list {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-2);
      }
      ul.list > li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--sd-space-2) var(--sd-space-3);
        border: 1px solid var(--sd-color-border-subtle);
        border-radius: var(--sd-radius);
        padding: var(--sd-space-3);
        border-inline-start-width: 6px;
      }
      li .what {
        flex: 1 1 260px;
        min-width: 0;
        display: flex;
        flex-direction: column;
        gap: 2px;
      }
      li .what .detail {
        overflow-wrap: anywhere;
      }
      li .theirs {
        max-width: 32ch;
      }
      li .actions {
        display: flex;
        gap: var(--sd-space-2);
        flex-wrap: wrap;
        align-items: center;
      }
      ul.list > li.conflict,
      ul.list > li.failed {
        border-inline-start-color: var(--sd-color-danger);
      }
      ul.list > li.pending,
      ul.list > li.in_flight,
      ul.list > li.quarantined {
        border-inline-start-color: var(--sd-color-warning-border);
      }
      /* Another person's held or failed change waits for them: amber, as waiting work, not red. */
      ul.list > li.theirs {
        border-inline-start-color: var(--sd-color-warning-border);
      }
      ul.list > li.resolved {
        border-inline-start-color: var(--sd-color-success);
      }
      pre.raw {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font-size: 0.85rem;
        margin: 0;
        padding: var(--sd-space-2);
        background: var(--sd-color-bg);
        border-radius: var(--sd-radius);
        user-select: all;
      }
      .empty {
        color: var(--sd-color-text-muted);
        margin: 0;
      }
      h2 .count,
      h3 .count {
        font-weight: 600;
        color: var(--sd-color-text-muted);
        font-size: 1rem;
      }
    `,
  ];

  constructor() {
    super();
    this.describeValue = null;
    this.names = null;
    this._activeConflictId = null;
    this._resolving = false;
    this._resolveError = null;
    this._confirm = null;
    this._busyOperation = null;
    this._dialogReady = false;
  }

  /** The worker client, the network environment and this page's writes (the pending count follows them). */
  protected setup({ client, entities, network }: AppServices): void {
    this.engine = new SyncEngineController(this, client);
    this.queue = new SyncQueueController(this, client, { trackOperations: true, localWrites: entities.writes });
    this.quarantine = new QuarantineController(this, client);
    this.network = new NetworkStatusController(this, network);
  }

  /** Wall clock (ms) for "3 min ago". */
  private now(): number {
    return this.services ? this.services.now() : Date.now();
  }

  override render() {
    const engine = this.engine;
    const queue = this.queue;
    if (!engine || !queue) return nothing;
    return html`
      <div class="stack">
        ${this.renderHeader(engine)} ${this.renderLastSync(engine)} ${this.renderQueue(queue)}
        ${this.renderConflicts(engine.conflicts)}
        ${this.quarantine ? quarantineSection(this.quarantine.records, this.quarantine.error) : nothing}
      </div>
      ${
        this._dialogReady
          ? html`<conflict-resolution-dialog
              .conflict=${this.activeConflict}
              .open=${this.activeConflict !== null}
              .busy=${this._resolving}
              .error=${this._resolveError}
              .describeValue=${this.describeValue}
              .localAuthor=${this.localAuthor(this.activeConflict)}
              .heldFor=${this.activeConflict ? this.heldFor(this.activeConflict) : null}
              @conflict-resolve=${this.onResolve}
              @conflict-move=${this.onMove}
              @conflict-dialog-close=${this.closeDialog}
            ></conflict-resolution-dialog>`
          : nothing
      }
    `;
  }

  private get activeConflict(): ConflictRecord | null {
    return this.engine?.conflicts.find((c) => c.id === this._activeConflictId) ?? null;
  }

  /** Who made the held change: the user of the conflict's queued operation. */
  private localAuthor(conflict: ConflictRecord | null): string | null {
    const op = conflict ? this.queue?.operations.find((o) => o.id === conflict.operationId) : undefined;
    return op?.userId === null || op?.userId === undefined ? null : (this.names?.person(op.userId) ?? null);
  }

  /**
   * The author's name when the conflict's held change is someone else's (only they may resolve it),
   * else null. A conflict whose row is not listed yet counts as resolvable: the worker checks again.
   */
  private heldFor(conflict: ConflictRecord): string | null {
    const op = this.queue?.operations.find((o) => o.id === conflict.operationId);
    if (!op) return null;
    const names = this.operationNames([]);
    if (names.mayDecide(op.userId)) return null;
    return names.waitsFor(op.userId) ?? names.person(op.userId) ?? 'the person who made it';
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
        <p class="status-line wraps" role="status" aria-live="polite">${status}</p>
        <div class="progress ${engine.isSyncing ? '' : 'idle'}" aria-hidden=${engine.isSyncing ? 'false' : 'true'}>
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
          <span
            >${progress ? `${phaseLabel(progress.phase)}: ${progress.processed} of ${progress.total} (${pct}%)` : 'Starting…'}</span
          >
        </div>
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

  /**
   * The last run that did something; a later run that found nothing is only mentioned. Until the
   * worker's state is read, the figures' places are kept (dashes), so nothing below moves when they come.
   */
  private renderLastSync(engine: SyncEngineController) {
    const activity = engine.lastActivity;
    const latest = engine.lastResult;
    const quietSince = latest && activity && latest.finishedAt > activity.finishedAt ? latest : null;
    const figures = (run: SyncResult | null) =>
      statsList([
        { label: 'Sent', value: run?.pushed, testId: 'result-pushed' },
        { label: 'Received', value: run?.pulled, testId: 'result-pulled' },
        { label: 'Failed', value: run?.failed },
        { label: 'Conflicts', value: run?.conflicts },
      ]);
    // In the heading, not the line below: it does not wrap, so nothing moves when it arrives.
    const whose = engine.loaded && activity ? this.whoseSync(activity.userId) : '';
    let body;
    if (!engine.loaded) {
      body = html`${figures(null)}
        <p class="status-line wraps">Reading the last sync…</p>
        <p class="status-line slot"></p>`;
    } else if (activity) {
      body = html`
        ${figures(activity)}
        <p class="status-line wraps" data-testid="result-when">
          Finished ${formatDateTime(activity.finishedAt)} · took ${(activity.durationMs / 1000).toFixed(1)} s · started
          by ${triggerLabel(activity.trigger)}
        </p>
        ${activity.error ? html`<p class="banner warning">Stopped early: ${activity.error.message}</p>` : nothing}
        <p class="status-line slot">
          ${quietSince ? `Checked again ${formatRelative(quietSince.finishedAt, this.now())}: nothing new.` : nothing}
        </p>
      `;
    } else {
      body = html`<p class="empty">Nothing has been sent or received on this tablet yet.</p>`;
    }
    return html`
      <section class="card" aria-labelledby="result-heading">
        <h2 id="result-heading">
          Last sync${whose ? html` <span class="count" data-testid="result-whose">(${whose})</span>` : nothing}
        </h2>
        ${body}
      </section>
    `;
  }

  /**
   * Who a device-level record was made by, seen from the person signed in: themselves, or someone
   * else by name. Null when not known (nobody was signed in, a record stored before the worker
   * kept it, or no names to tell people apart).
   */
  private who(userId: number | null | undefined): { you: boolean; name: string } | null {
    const names = this.names;
    if (userId === null || userId === undefined || !names?.waitsFor) return null;
    const other = names.waitsFor(userId);
    return other === null
      ? { you: true, name: names.person(userId) ?? 'you' }
      : { you: false, name: names.person(userId) ?? other };
  }

  /** "yours" or "Maya Chen’s, not yours": the tablet's last sync sent one person's changes. */
  private whoseSync(userId: number | null | undefined): string {
    const who = this.who(userId);
    if (!who) return '';
    return who.you ? 'yours' : `${who.name}’s, not yours`;
  }

  private renderQueue(queue: SyncQueueController) {
    const stats = queue.stats;
    const failed = queue.failedOperations;
    const waiting = queue.waitingOperations;
    const names = this.operationNames(queue.operations);
    // "Discard all failed" drops only the signed-in person's: another person's wait for them.
    const discardable = failed.filter((op) => names.waitsFor(op.userId) === null);
    return html`
      <section class="card" aria-labelledby="queue-heading">
        <div class="toolbar">
          <h2 id="queue-heading">Changes on this tablet</h2>
          <span class="spacer"></span>
          <button ?disabled=${stats.completed === 0} @click=${() => void queue.clearCompleted()}>
            Clear completed
          </button>
        </div>
        ${statsList([
          {
            label: 'Pending',
            value: queue.pendingCount,
            testId: 'queue-pending',
            note: pendingLeftOut(othersCounts(waiting, names, stats.waitingForOthers ?? 0), queue.waitingCount),
          },
          {
            label: 'Failed',
            value: stats.failed,
            testId: 'queue-failed',
            note: ofOthers(othersCounts(failed, names, stats.failedOfOthers ?? 0)),
          },
          {
            label: 'Conflicts',
            value: stats.conflicts,
            testId: 'queue-conflicts',
            note: ofOthers(othersCounts(queue.conflictOperations, names, stats.conflictsOfOthers ?? 0)),
          },
          {
            label: 'Completed',
            value: stats.completed,
            // Counted for the tablet: what everyone signed in here sent since it was last cleared.
            note: stats.completed > 0 ? 'By everyone on this tablet' : '',
          },
        ])}
        ${queue.error ? html`<p class="banner error" role="alert">${queue.error}</p>` : nothing}

        <div class="toolbar">
          <h3 id="failed-heading">Failed changes <span class="count">(${failed.length})</span></h3>
          <span class="spacer"></span>
          ${
            discardable.length > 0 && this._confirm !== 'all-failed'
              ? html`<button class="danger" @click=${() => this.confirm('all-failed')}>Discard all failed…</button>`
              : nothing
          }
        </div>
        ${
          this._confirm === 'all-failed'
            ? confirmGroup({
                label: 'Confirm discarding all failed changes',
                message: html`<p>
                  Discard ${plural(discardable.length, 'failed change')}? What they changed is undone on this tablet and
                  never reaches the
                  server.${discardable.length < failed.length ? ' Failed changes made by others stay for them.' : ''}
                </p>`,
                confirm: `Yes, discard ${discardable.length}`,
                keep: 'Keep them',
                busy: this._busyOperation === 'all-failed',
                onConfirm: () => void this.operationAction('all-failed', () => queue.clearFailed().then(() => true)),
                onKeep: () => (this._confirm = null),
              })
            : nothing
        }
        ${
          failed.length === 0
            ? html`<p class="empty">None.</p>`
            : html`<ul class="list" aria-labelledby="failed-heading">
                ${failed.map((op) => this.renderOperation(op, names, queue))}
              </ul>`
        }

        <h3 id="waiting-heading">
          Waiting to be sent <span class="count" data-testid="waiting-count">(${waiting.length})</span>
        </h3>
        ${
          waiting.length === 0
            ? html`<p class="empty">${nothingWaiting(failed.length, stats.conflicts)}</p>`
            : html`<ul class="list" aria-labelledby="waiting-heading" data-testid="waiting-list">
                  ${waiting.slice(0, LISTED_WAITING).map((op) => this.renderOperation(op, names, queue))}
                </ul>
                ${
                  waiting.length > LISTED_WAITING
                    ? html`<p class="status-line">
                        and ${plural(waiting.length - LISTED_WAITING, 'more change')}, sent in the order they were made.
                      </p>`
                    : nothing
                }`
        }
      </section>
    `;
  }

  private renderOperation(op: QueuedOperation, names: OperationNames, queue: SyncQueueController) {
    return operationRow(op, names, {
      busy: this._busyOperation === op.id,
      confirming: this._confirm === op.id,
      onRetry: () => void this.operationAction(op.id, () => queue.retryOperation(op.id)),
      onDiscard: () => this.confirm(op.id),
      onConfirmDiscard: () => void this.operationAction(op.id, () => queue.removeOperation(op.id)),
      onKeep: () => (this._confirm = null),
    });
  }

  /** Names for the rows: the record's (looked up once when the operation lacks it) and the author's. */
  private operationNames(operations: readonly QueuedOperation[]): OperationNames {
    const names = this.names;
    if (names) {
      for (const op of operations.slice(0, LISTED_WAITING * 2)) {
        const key = `${op.entityType}:${String(op.entityId)}`;
        if (this.recordNames.has(key)) continue;
        this.recordNames.set(key, null);
        void names.record(op.entityType, op.entityId).then(
          (name) => {
            if (name === null) return;
            this.recordNames.set(key, name);
            this.requestUpdate();
          },
          () => undefined,
        );
      }
    }
    let byId: Map<number, QueuedOperation> | null = null;
    return {
      operation: (id) => (byId ??= new Map(operations.map((op) => [op.id, op]))).get(id),
      record: (op) => this.recordNames.get(`${op.entityType}:${String(op.entityId)}`) ?? null,
      person: (userId) => (userId === null ? null : (names?.person(userId) ?? null)),
      waitsFor: (userId) => names?.waitsFor?.(userId) ?? null,
      mayDecide: (userId) => names?.mayDecide?.(userId) ?? (names?.waitsFor?.(userId) ?? null) === null,
      now: this.now(),
    };
  }

  private confirm(what: number | 'all-failed'): void {
    this._confirm = what;
    void focusSafeChoice(this);
  }

  private async operationAction(id: number | 'all-failed', action: () => Promise<boolean>): Promise<void> {
    this._busyOperation = id;
    await action();
    this._busyOperation = null;
    this._confirm = null;
  }

  private renderConflicts(conflicts: ConflictRecord[]) {
    const unresolved = conflicts.filter((c) => !c.resolved);
    const resolved = conflicts
      .filter((c) => c.resolved)
      .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0))
      .slice(0, 5);
    if (unresolved.length > 0) void this.loadDialog();
    return html`
      <section class="card" aria-labelledby="conflicts-heading">
        <h2 id="conflicts-heading">
          Conflicts <span class="count" data-testid="unresolved-count">(${unresolved.length} unresolved)</span>
        </h2>
        ${
          unresolved.length === 0
            ? html`<p class="empty">No conflicts waiting for a decision.</p>`
            : html`<ul class="list" aria-label="Unresolved conflicts">
                ${unresolved.map((c) => this.renderConflict(c))}
              </ul>`
        }
        ${
          resolved.length > 0
            ? html`<disclosure-section summary="Recently resolved (${resolved.length})" data-testid="recently-resolved">
                <ul class="list">
                  ${resolved.map(
                    (c) =>
                      html`<li class="resolved">
                        <span class="what">
                          <strong>${describeConflict(c)}</strong>
                          <span data-testid="resolved-how"
                            >Resolved${this.resolvedBy(c)} with
                            <strong>${resolutionLabel(c.resolution, c.conflictType)}</strong
                            >${c.resolvedAt ? html` · ${formatRelative(c.resolvedAt, this.now())}` : nothing}</span
                          >
                        </span>
                      </li>`,
                  )}
                </ul>
              </disclosure-section>`
            : nothing
        }
      </section>
    `;
  }

  /** " by you", " by Maya Chen", or nothing when not known. */
  private resolvedBy(c: ConflictRecord): string {
    const who = this.who(c.resolvedBy);
    return who ? ` by ${who.you ? 'you' : who.name}` : '';
  }

  /** An open conflict: Resolve…, or for another person's held change whose it is and View… (read only). */
  private renderConflict(c: ConflictRecord) {
    const theirs = this.heldFor(c);
    return html`
      <li class="conflict ${theirs ? 'theirs' : ''}" data-conflict-id=${c.id}>
        <span class="what">
          <strong>${describeConflict(c)}</strong>
          <span>${conflictSummary(c)}</span>
          <span class="hint">Found ${formatRelative(c.detectedAt, this.now())}</span>
        </span>
        <span class="actions">
          ${
            theirs
              ? html`${theirsNote(theirs, 'resolve')} <button @click=${() => void this.openDialog(c.id)}>View…</button>`
              : html`<button class="primary" @click=${() => void this.openDialog(c.id)}>Resolve…</button>`
          }
        </span>
      </li>
    `;
  }

  /** The dialog's code is fetched when a conflict shows up, not with the Sync tab. */
  private loadDialog(): Promise<unknown> {
    this.dialogImport ??= import('./conflict-resolution-dialog.ts').then(
      () => (this._dialogReady = true),
      (error: unknown) => {
        this.dialogImport = null;
        this._resolveError = `The resolution dialog could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
    return this.dialogImport;
  }

  private async openDialog(conflictId: number): Promise<void> {
    this._resolveError = null;
    await this.loadDialog();
    this._activeConflictId = conflictId;
  }

  private readonly closeDialog = (): void => {
    this._activeConflictId = null;
    this._resolveError = null;
  };

  /** "Move mine": the booking form on the held booking (it resolves the conflict when saved). */
  private readonly onMove = (event: CustomEvent<ConflictMoveDetail>): void => {
    event.stopPropagation();
    const { conflictId, entityId } = event.detail;
    this.closeDialog();
    const path = routePath({ name: 'appointment-move', id: entityId, conflictId });
    this.dispatchEvent(new CustomEvent('navigate', { detail: { path }, bubbles: true, composed: true }));
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

/**
 * Other people's changes among `ops`, per person (name → count) in the order listed. `total` is the
 * worker's count of them: what the rows do not account for yet (the list still loading) is counted
 * under `null` ("others").
 */
export function othersCounts(
  ops: readonly QueuedOperation[],
  names: Pick<OperationNames, 'waitsFor'>,
  total: number,
): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  let named = 0;
  for (const op of ops) {
    const who = names.waitsFor(op.userId);
    if (who === null || named >= total) continue;
    counts.set(who, (counts.get(who) ?? 0) + 1);
    named++;
  }
  if (total > named) counts.set(null, total - named);
  return counts;
}

/**
 * What the Pending figure (what a sync of this session sends) leaves out, so the figures add up to
 * the queue: other people's changes, waiting for them to sign in here, and the person's own that
 * wait for another change first. Empty when nothing is left out.
 */
export function pendingLeftOut(others: ReadonlyMap<string | null, number>, waitingForChanges: number): string {
  const parts = [...others].map(([who, count]) => `+${count} waiting for ${who ?? 'others'}`);
  if (waitingForChanges > 0) parts.push(`+${waitingForChanges} waiting for another change`);
  return parts.join(', ');
}

/** Of a Failed or Conflicts figure, whose are other people's (only they may act on them). */
export function ofOthers(others: ReadonlyMap<string | null, number>): string {
  const parts = [...others].map(([who, count]) => `${count} by ${who ?? 'others'}`);
  return parts.length === 0 ? '' : `Of these, ${parts.join(', ')}`;
}

/** Figures in boxes; a figure not known yet shows a dash in its place; a note says what it covers. */
function statsList(figures: { label: string; value: number | undefined; testId?: string; note?: string }[]) {
  return html`<dl class="stats">
    ${figures.map(
      (f) =>
        html`<div>
          <dt>${f.label}</dt>
          <dd data-testid=${f.testId ?? nothing}>${f.value ?? '–'}</dd>
          ${f.note ? html`<dd class="note" data-testid=${f.testId ? `${f.testId}-note` : nothing}>${f.note}</dd>` : nothing}
        </div>`,
    )}
  </dl>`;
}

customElements.define('sync-engine-panel', SyncEnginePanel);

declare global {
  interface HTMLElementTagNameMap {
    'sync-engine-panel': SyncEnginePanel;
  }
}
