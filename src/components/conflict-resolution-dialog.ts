/**
 * `<conflict-resolution-dialog>`: a modal that shows one conflict field by field (this tablet's value
 * beside the server's, differing fields highlighted), lets the user pick one of the five strategies
 * and, for merge and manual, a value per field, then asks the owner to apply it. A double booking
 * shows its own way: this tablet's booking beside the appointment(s) it overlaps, and the ways out
 * (move mine, keep both, cancel mine, and undo my change for a held update).
 *
 * Presentational: it does not talk to the worker.
 * @fires conflict-resolve - detail `{conflictId, resolution}`; the owner applies it and closes the dialog.
 * @fires conflict-move - detail `{conflictId, entityId}`: "Move mine" chosen; the owner opens the booking form.
 * @fires conflict-dialog-close - the user dismissed the dialog (Cancel, Escape).
 */
import { LitElement, css, html, nothing } from 'lit';
import {
  type ConflictRecord,
  type EntityId,
  type FieldChoice,
  type Resolution,
  type ResolutionStrategy,
} from '../protocol/index.ts';
import { fieldLabel, formatDateTime } from '../format.ts';
import { controls } from '../styles/controls.ts';
import {
  buildResolution,
  conflictRows,
  defaultChoices,
  fieldsRequiringChoice,
  lastWriteSentence,
  outcomeSummary,
  serverEditTime,
  strategiesFor,
  type FieldRow,
} from './conflict-fields.ts';
import { doubleBookingStyles, doubleBookingView } from './double-booking-view.ts';
import { STRATEGY_DESCRIPTION, describeConflict, recordName, strategyLabel, valueLabel } from './labels.ts';

export interface ConflictResolveDetail {
  conflictId: number;
  resolution: Resolution;
}

export interface ConflictMoveDetail {
  conflictId: number;
  /** The held booking's id on this tablet (a temp id for a held new booking). */
  entityId: EntityId;
}

/**
 * Turns an id into a name for display (pet 12 → "Rex"); the owner may provide one. Besides record
 * fields it is asked for `petOwner` (a pet id → the owner's name), for a booking the server has not
 * given a clientId yet.
 */
export type ValueDescriber = (field: string, value: unknown) => string | null;

/** "“Checkup — Rex”": the held booking's title (the view below says whether the server has it). */
function bookingName(conflict: ConflictRecord): string {
  const name = recordName(conflict.localData) ?? recordName(conflict.serverData);
  return name ? `“${name}”` : 'appointment';
}

const CUSTOM_FIELDS_EXCLUDED = /Id$|^date$/;
const MULTILINE_FIELDS = new Set(['notes']);

export class ConflictResolutionDialog extends LitElement {
  static override properties = {
    conflict: { attribute: false },
    open: { type: Boolean, reflect: true },
    busy: { type: Boolean },
    error: { type: String },
    describeValue: { attribute: false },
    localAuthor: { attribute: false },
    heldFor: { attribute: false },
    _strategy: { state: true },
    _choices: { state: true },
    _custom: { state: true },
    _missing: { state: true },
    _needStrategy: { state: true },
  };

  declare conflict: ConflictRecord | null;
  declare open: boolean;
  /** The owner is applying the resolution. */
  declare busy: boolean;
  /** The owner's error message (the worker refused the resolution). */
  declare error: string | null;
  declare describeValue: ValueDescriber | null;
  /** Who made the held change on this tablet, when the owner knows (the queued operation's user). */
  declare localAuthor: string | null;
  /**
   * The author's name when the held change is someone else's: the dialog only shows it (no ways
   * out, no Apply), since only its author may resolve it (the worker refuses anyone else).
   */
  declare heldFor: string | null;
  declare _strategy: ResolutionStrategy | null;
  declare _choices: Record<string, FieldChoice>;
  declare _custom: Record<string, string>;
  declare _missing: string[];
  /** Apply was pressed without a strategy (cleared as soon as one is picked). */
  declare _needStrategy: boolean;

  static override styles = [
    controls,
    doubleBookingStyles,
    css`
      dialog {
        width: min(960px, calc(100vw - 32px));
        max-height: calc(100dvh - 32px);
        padding: 0;
        border: none;
        border-radius: var(--sd-radius);
        box-shadow: 0 12px 48px rgb(15 23 42 / 0.35);
        color: var(--sd-color-text);
      }
      dialog::backdrop {
        background: rgb(15 23 42 / 0.55);
      }
      .body {
        padding: var(--sd-space-5);
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-4);
      }
      header p {
        margin: var(--sd-space-2) 0 0;
        color: var(--sd-color-text-muted);
      }
      fieldset {
        border: 2px solid var(--sd-color-border-subtle);
        border-radius: var(--sd-radius);
        padding: var(--sd-space-3);
        margin: 0;
      }
      legend {
        font-weight: 700;
        padding: 0 var(--sd-space-2);
      }
      .strategies {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-1);
      }
      .strategy {
        display: flex;
        gap: var(--sd-space-3);
        align-items: center;
        padding: var(--sd-space-2) var(--sd-space-3);
        min-height: var(--sd-touch);
        border: 2px solid var(--sd-color-border-subtle);
        border-radius: var(--sd-radius);
        cursor: pointer;
        font-weight: 400;
      }
      .strategy:has(input:checked) {
        border-color: var(--sd-color-primary);
        background: var(--sd-color-primary-soft);
      }
      .strategy strong {
        margin-inline-end: var(--sd-space-2);
      }
      .strategy input {
        flex: none;
      }
      .summary {
        font-weight: 600;
        margin: 0;
      }
      .table-wrap {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th,
      td {
        text-align: start;
        vertical-align: top;
        padding: var(--sd-space-2) var(--sd-space-3);
        border-bottom: 1px solid var(--sd-color-border-subtle);
      }
      thead th {
        font-size: 0.9rem;
        color: var(--sd-color-text-muted);
        border-bottom: 2px solid var(--sd-color-border);
      }
      tr.differs {
        background: var(--sd-color-warning-soft);
      }
      tr.differs th[scope='row'] {
        border-inline-start: 4px solid var(--sd-color-warning-border);
      }
      .value {
        overflow-wrap: break-word;
      }
      .tag {
        display: flex;
        width: fit-content;
        margin-top: var(--sd-space-1);
        font-size: 0.75rem;
      }
      tr.conflicting {
        background: var(--sd-color-danger-soft);
      }
      tr.conflicting th[scope='row'] {
        border-inline-start: 4px solid var(--sd-color-danger);
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: var(--sd-space-1) var(--sd-space-3);
      }
      .choices label {
        display: inline-flex;
        align-items: center;
        gap: var(--sd-space-2);
        min-height: 44px;
        font-weight: 500;
        cursor: pointer;
      }
      .choices .custom {
        min-width: 10rem;
        flex: 1 1 100%;
      }
      .choices textarea.custom {
        min-height: 5rem;
      }
      .auto {
        color: var(--sd-color-text-muted);
        font-size: 0.95rem;
      }
      .missing {
        background: var(--sd-color-danger-soft);
      }
      footer {
        display: flex;
        justify-content: flex-end;
        gap: var(--sd-space-3);
        flex-wrap: wrap;
        padding: var(--sd-space-4) var(--sd-space-5);
        border-top: 1px solid var(--sd-color-border-subtle);
        position: sticky;
        bottom: 0;
        background: var(--sd-color-surface);
      }
    `,
  ];

  constructor() {
    super();
    this.conflict = null;
    this.open = false;
    this.busy = false;
    this.error = null;
    this.describeValue = null;
    this.localAuthor = null;
    this.heldFor = null;
    this._strategy = null;
    this._choices = {};
    this._custom = {};
    this._missing = [];
    this._needStrategy = false;
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // A different conflict starts from a clean slate.
    if (changed.has('conflict')) {
      const previous = changed.get('conflict') as ConflictRecord | null | undefined;
      if (previous?.id !== this.conflict?.id) this.reset();
    }
  }

  override updated(): void {
    const dialog = this.dialog;
    if (!dialog) return;
    if (this.open && !dialog.open) dialog.showModal();
    else if (!this.open && dialog.open) dialog.close();
  }

  private reset(): void {
    this._strategy = null;
    this._choices = {};
    this._custom = {};
    this._missing = [];
    this._needStrategy = false;
  }

  override render() {
    const conflict = this.conflict;
    return html`
      <dialog aria-labelledby="title" aria-describedby="explanation" @cancel=${this.onCancel}>
        ${conflict ? this.renderBody(conflict) : nothing}
      </dialog>
    `;
  }

  private renderBody(conflict: ConflictRecord) {
    const strategy = this._strategy;
    const booking = conflict.conflictType === 'double_booking';
    return html`
      <form method="dialog" @submit=${this.onSubmit}>
        <div class="body">
          <header>
            <h2 id="title">
              ${
                booking
                  ? `Double booking: ${bookingName(conflict)}`
                  : `${this.heldFor ? 'Conflict' : 'Resolve conflict'}: ${describeConflict(conflict)}`
              }
            </h2>
            <p id="explanation">${this.explanation(conflict)}</p>
          </header>

          ${
            this.heldFor
              ? html`<p class="banner warning" data-testid="held-for">
                  <strong>Made by ${this.heldFor}</strong>: it waits for them to sign in on this tablet. Only they may
                  decide how to resolve it; nothing is sent or dropped until then.
                </p>`
              : nothing
          }
          ${booking ? doubleBookingView(conflict, (field, value) => this.describeValue?.(field, value) ?? null, this.localAuthor) : nothing}
          ${this.heldFor ? nothing : this.renderStrategies(conflict)}
          ${booking ? nothing : this.renderFieldTable(conflict)}
          ${this._needStrategy ? html`<p class="error-text" role="alert">Choose how to resolve the conflict.</p>` : nothing}
          ${
            this._missing.length > 0
              ? html`<p class="error-text" role="alert">
                  Choose a value for: ${this._missing.map(fieldLabel).join(', ')}.
                </p>`
              : nothing
          }
          ${this.error ? html`<p class="banner error" role="alert">${this.error}</p>` : nothing}
        </div>
        <footer>
          ${
            this.heldFor
              ? html`<button type="button" class="primary" @click=${this.onCancel}>Close</button>`
              : html`<button type="button" @click=${this.onCancel}>Cancel</button>
                  <button type="submit" class="primary" ?disabled=${this.busy}>
                    ${this.busy ? 'Applying…' : strategy === 'move' ? 'Choose a new time…' : 'Apply'}
                  </button>`
          }
        </footer>
      </form>
    `;
  }

  /** The ways out and what the chosen one does. */
  private renderStrategies(conflict: ConflictRecord) {
    const strategy = this._strategy;
    const booking = conflict.conflictType === 'double_booking';
    return html`
      <fieldset>
        <legend>${booking ? 'How to go on' : 'How to resolve'}</legend>
        <div class="strategies">
          ${strategiesFor(conflict).map(
            (s) => html`
              <label class="strategy">
                <input
                  type="radio"
                  name="strategy"
                  value=${s}
                  .checked=${strategy === s}
                  @change=${() => this.pickStrategy(s)}
                />
                <span
                  ><strong>${strategyLabel(s, conflict.conflictType)}</strong>${this.strategyHint(conflict, s)}</span
                >
              </label>
            `,
          )}
        </div>
      </fieldset>

      <p class="summary" aria-live="polite">
        ${strategy ? outcomeSummary(conflict, strategy) : 'Choose how to resolve, then Apply.'}
      </p>
    `;
  }

  /** What happened, with when each side's edit was made (by the editing device's clock when known). */
  private explanation(conflict: ConflictRecord): string {
    const local = formatDateTime(conflict.localTimestamp);
    const server = serverEditTime(conflict);
    const serverWhen = server
      ? `${formatDateTime(server.at)}${server.onDevice ? '' : ', when the server received it'}`
      : 'time unknown';
    if (conflict.conflictType === 'double_booking') {
      const verb = conflict.localOperation === 'create' ? 'booked' : 'changed';
      return `This appointment was ${verb} on this tablet (${local}), but when it synced the time was already taken. The server has not saved it.`;
    }
    // Who made the server's version, when the server knows: someone a person can ask.
    const editor = conflict.serverEditedBy?.name;
    const by = editor ? ` by ${editor}` : '';
    if (conflict.localOperation === 'delete')
      return `It was deleted on this tablet (${local}) but changed${by || ' elsewhere'} since (${serverWhen}).`;
    if (conflict.conflictType === 'deleted')
      return `${editor ?? 'Someone'} deleted this record on the server after it was changed on this tablet.`;
    return `It was changed on this tablet (${local}) and, since, in another edit${by} on the server (${serverWhen}).`;
  }

  private renderFieldTable(conflict: ConflictRecord) {
    const strategy = this._strategy;
    const rows = conflictRows(conflict);
    const required = new Set(strategy ? fieldsRequiringChoice(conflict, strategy) : []);
    const showChoices = strategy === 'merge' || strategy === 'manual';
    return html`
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            Values on this tablet and on the server
          </caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">This tablet</th>
              <th scope="col">Server</th>
              ${showChoices ? html`<th scope="col">Keep</th>` : nothing}
            </tr>
          </thead>
          <tbody>
            ${rows.map((row) => this.renderRow(row, showChoices, required.has(row.field)))}
          </tbody>
        </table>
      </div>
    `;
  }

  private strategyHint(conflict: ConflictRecord, s: ResolutionStrategy) {
    if (conflict.conflictType === 'double_booking' && s === 'server_wins') {
      return html`<span class="hint"
        >Drop the change made on this tablet; the booking stays as it is on the server.</span
      >`;
    }
    const extra =
      s === 'last_write_wins'
        ? html` <span data-testid="last-write-sentence">${lastWriteSentence(conflict)}</span>`
        : nothing;
    return html`<span class="hint">${STRATEGY_DESCRIPTION[s]}${extra}</span>`;
  }

  private renderRow(row: FieldRow, showChoices: boolean, required: boolean) {
    const label = fieldLabel(row.field);
    const missing = this._missing.includes(row.field);
    return html`
      <tr
        class="${row.differs ? 'differs' : ''} ${row.conflicting ? 'conflicting' : ''} ${missing ? 'missing' : ''}"
        data-field=${row.field}
      >
        <th scope="row">
          ${label}
          ${
            row.conflicting
              ? html`<span class="tag badge conflict">Both changed</span>`
              : row.changedLocally && row.differs
                ? html`<span class="tag badge pending">Changed here</span>`
                : row.changedOnServer
                  ? html`<span class="tag badge pending">Changed on server</span>`
                  : nothing
          }
        </th>
        <td class="value">
          ${row.changedLocally ? this.display(row.field, row.local) : html`<span class="auto">Not changed here</span>`}
        </td>
        <td class="value">${this.display(row.field, row.server)}</td>
        ${showChoices ? html`<td>${required ? this.renderChoice(row, label) : this.renderAuto(row)}</td>` : nothing}
      </tr>
    `;
  }

  private renderAuto(row: FieldRow) {
    const text = !row.changedLocally ? 'Server’s' : !row.differs ? 'Same on both' : 'Yours (server did not change it)';
    return html`<span class="auto">${text}</span>`;
  }

  private renderChoice(row: FieldRow, label: string) {
    const choice = this._choices[row.field];
    const name = `keep-${row.field}`;
    const allowCustom =
      this._strategy === 'manual' &&
      !CUSTOM_FIELDS_EXCLUDED.test(row.field) &&
      (typeof row.local === 'string' || typeof row.server === 'string');
    return html`
      <div class="choices" role="radiogroup" aria-label="Value to keep for ${label}">
        <label
          ><input
            type="radio"
            name=${name}
            .checked=${choice?.source === 'local'}
            @change=${() => this.choose(row.field, { source: 'local' })}
          />Mine</label
        >
        <label
          ><input
            type="radio"
            name=${name}
            .checked=${choice?.source === 'server'}
            @change=${() => this.choose(row.field, { source: 'server' })}
          />Server</label
        >
        ${
          allowCustom
            ? html`<label
                  ><input
                    type="radio"
                    name=${name}
                    .checked=${choice?.source === 'custom'}
                    @change=${() => this.chooseCustom(row.field)}
                  />Other</label
                >
                ${choice?.source === 'custom' ? this.renderCustomInput(row, label) : nothing}`
            : nothing
        }
      </div>
    `;
  }

  /** Notes (and any long or multi-line value) get a multi-line box. */
  private renderCustomInput(row: FieldRow, label: string) {
    const value = this._custom[row.field] ?? '';
    const multiline =
      MULTILINE_FIELDS.has(row.field) ||
      [row.local, row.server].some((v) => typeof v === 'string' && (v.includes('\n') || v.length > 80));
    return multiline
      ? html`<textarea
          class="custom"
          aria-label="Other value for ${label}"
          .value=${value}
          @input=${(e: Event) => this.editCustom(row.field, e)}
        ></textarea>`
      : html`<input
          type="text"
          class="custom"
          aria-label="Other value for ${label}"
          .value=${value}
          @input=${(e: Event) => this.editCustom(row.field, e)}
        />`;
  }

  private display(field: string, value: unknown): string {
    return this.describeValue?.(field, value) ?? valueLabel(field, value);
  }

  private pickStrategy(strategy: ResolutionStrategy): void {
    this._strategy = strategy;
    this._needStrategy = false;
    this._missing = [];
    if (this.conflict) this._choices = { ...defaultChoices(this.conflict, strategy), ...this._choices };
  }

  private choose(field: string, choice: FieldChoice): void {
    this._choices = { ...this._choices, [field]: choice };
    this._missing = this._missing.filter((f) => f !== field);
  }

  private chooseCustom(field: string): void {
    const start = this._custom[field] ?? String(this.conflict?.localData[field] ?? '');
    this._custom = { ...this._custom, [field]: start };
    this.choose(field, { source: 'custom', value: start });
  }

  private editCustom(field: string, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this._custom = { ...this._custom, [field]: value };
    this.choose(field, { source: 'custom', value });
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    const conflict = this.conflict;
    const strategy = this._strategy;
    if (!conflict || this.busy || this.heldFor) return;
    if (!strategy) {
      this.renderRoot.querySelector<HTMLInputElement>('input[name="strategy"]')?.focus();
      this._missing = [];
      this._needStrategy = true;
      return;
    }
    if (strategy === 'move') {
      this.dispatchEvent(
        new CustomEvent<ConflictMoveDetail>('conflict-move', {
          detail: { conflictId: conflict.id, entityId: conflict.entityId },
          bubbles: true,
          composed: true,
        }),
      );
      return;
    }
    const draft = buildResolution(conflict, strategy, this._choices);
    if (!draft.ok) {
      this._missing = draft.missing;
      return;
    }
    this.dispatchEvent(
      new CustomEvent<ConflictResolveDetail>('conflict-resolve', {
        detail: { conflictId: conflict.id, resolution: draft.resolution },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private onCancel(event: Event): void {
    event.preventDefault();
    this.dispatchEvent(new CustomEvent('conflict-dialog-close', { bubbles: true, composed: true }));
  }
}

customElements.define('conflict-resolution-dialog', ConflictResolutionDialog);

declare global {
  interface HTMLElementTagNameMap {
    'conflict-resolution-dialog': ConflictResolutionDialog;
  }
  interface HTMLElementEventMap {
    'conflict-resolve': CustomEvent<ConflictResolveDetail>;
    'conflict-move': CustomEvent<ConflictMoveDetail>;
    'conflict-dialog-close': CustomEvent<void>;
  }
}
