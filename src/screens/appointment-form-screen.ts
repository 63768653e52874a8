/**
 * Book, edit and cancel an appointment: client → pet → practitioner, date and time, duration, type,
 * title and notes. Saving answers at once (the worker writes the replica and queues the change).
 *
 * The form survives sync: when the record's temp id gets its real id the form follows it (and asks
 * the app to fix the URL), and when the replica changes the record is re-read without touching what
 * the user is typing.
 */
import { css, html, nothing } from 'lit';
import type { LocalAppointment } from '../api/entities.ts';
import { ApiError, describeError } from '../api/http.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController, type IdRemapped } from '../controllers/replica-changes-controller.ts';
import { localDateKey } from '../format.ts';
import { APPOINTMENT_STATUSES, isTempId, type EntityId } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import {
  changedFields,
  draftFromRecord,
  draftToInput,
  emptyDraft,
  remapDraft,
  suggestedTitle,
  validateDraft,
  type AppointmentDraft,
  type DraftErrors,
} from './appointment-draft.ts';
import { APPOINTMENT_TYPES, DURATIONS, STATUS_LABEL } from './appointment-options.ts';
import { Directory } from './directory.ts';
import { formStyles } from './form-styles.ts';
import { ScreenElement } from './screen.ts';

type LoadStatus = 'loading' | 'ready' | 'error' | 'missing';

export class AppointmentFormScreen extends ScreenElement {
  static override properties = {
    recordId: { attribute: false },
    date: { type: String },
    _record: { state: true },
    _directory: { state: true },
    _draft: { state: true },
    _status: { state: true },
    _error: { state: true },
    _errors: { state: true },
    _saving: { state: true },
    _confirmCancel: { state: true },
  };

  /** The appointment to edit; null to book a new one. */
  declare recordId: EntityId | null;
  /** Day a new appointment starts on (`YYYY-MM-DD`). */
  declare date: string | null;
  declare _record: LocalAppointment | null;
  declare _directory: Directory;
  declare _draft: AppointmentDraft | null;
  declare _status: LoadStatus;
  declare _error: string | null;
  declare _errors: DraftErrors;
  declare _saving: boolean;
  declare _confirmCancel: boolean;

  /** The user changed something since the draft was filled from the record. */
  private dirty = false;
  private titleTouched = false;
  private loadSeq = 0;

  static override styles = [
    controls,
    formStyles,
    css`
      .cancel-zone { margin-left: auto; display: flex; gap: var(--sd-space-2); flex-wrap: wrap; }
    `,
  ];

  constructor() {
    super();
    this.recordId = null;
    this.date = null;
    this._record = null;
    this._directory = Directory.empty();
    this._draft = null;
    this._status = 'loading';
    this._error = null;
    this._errors = {};
    this._saving = false;
    this._confirmCancel = false;
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['appointments', 'pets', 'users'],
      onChange: () => void this.load(),
      onRemap: (event) => this.onRemap(event),
    });
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('recordId')) {
      // Our own remap (temp id → real id) keeps the draft; any other id is another record.
      const followsRemap = this._record !== null && String(this._record.id) === String(this.recordId);
      if (!followsRemap) {
        this.dirty = false;
        this.titleTouched = this.recordId !== null;
        this._draft = null;
        this._record = null;
        this._status = 'loading';
        this._confirmCancel = false;
      }
    }
    if (changed.has('recordId') || changed.has('services')) void this.load();
  }

  async load(): Promise<void> {
    const services = this.services;
    if (!services) return;
    const seq = ++this.loadSeq;
    const id = this.recordId;
    try {
      const directory = await Directory.load(services.entities);
      const record = id === null ? null : await services.entities.getAppointment(id);
      if (seq !== this.loadSeq) return;
      this._directory = directory;
      this._record = record;
      if (!this.dirty || !this._draft) {
        this._draft = record ? draftFromRecord(record, directory) : (this._draft ?? this.newDraft(directory));
      }
      this._status = 'ready';
      this._error = null;
    } catch (error) {
      if (seq !== this.loadSeq) return;
      if (error instanceof ApiError && error.status === 404) this._status = 'missing';
      else {
        this._status = 'error';
        this._error = describeError(error);
      }
    }
  }

  private newDraft(directory: Directory): AppointmentDraft {
    const draft = emptyDraft(this.date ?? localDateKey(new Date(this.services?.now() ?? Date.now())));
    const first = directory.practitioners[0];
    if (first) draft.practitionerId = String(first.id);
    return { ...draft, title: suggestedTitle(draft, directory) };
  }

  private onRemap(event: IdRemapped): void {
    if (this._draft) this._draft = remapDraft(this._draft, event.tempId, event.realId);
    if (event.entityType === 'appointments' && this.recordId !== null && String(this.recordId) === event.tempId) {
      if (this._record) this._record = { ...this._record, id: event.realId };
      this.recordId = event.realId;
      this.announceIdChange(event.tempId, event.realId);
    }
  }

  override render() {
    const editing = this.recordId !== null;
    const backDay = this._draft?.date ?? this.date;
    const back = backDay ? `/appointments?date=${backDay}` : '/appointments';
    if (this._status === 'loading') return html`<p role="status">Loading…</p>`;
    if (this._status === 'missing') {
      return html`<div class="banner warning" role="alert"><p>This appointment is not on this tablet.</p><a class="button" href=${back}>Back to appointments</a></div>`;
    }
    if (this._status === 'error' || !this._draft) {
      return html`<div class="banner error" role="alert"><p>${this._error}</p><button @click=${() => void this.load()}>Try again</button></div>`;
    }
    const draft = this._draft;
    const dir = this._directory;
    const pets = dir.petsOf(draft.clientId);
    const record = this._record;
    const cancelled = record?.status === 'cancelled';
    return html`
      <form @submit=${this.onSubmit} novalidate aria-labelledby="form-title">
        <a class="button quiet back" href=${back}>‹ Back to the day</a>
        <div class="heading">
          <h1 id="form-title">${editing ? 'Edit appointment' : 'Book an appointment'}</h1>
          ${syncBadge(record)}
        </div>
        ${record
          ? html`<p class="reference" data-testid="record-reference">
              ${isTempId(record.id) ? 'Reference: assigned when synced' : `Reference #${record.id}`}
              ${cancelled ? html` · <strong>Cancelled</strong>` : nothing}
            </p>`
          : nothing}
        ${record?._conflict
          ? html`<p class="banner warning">This appointment has a sync conflict. <a href="/sync">Resolve it in Sync</a>.</p>`
          : nothing}

        <div class="card grid">
          ${this.select('clientId', 'Client', draft.clientId, [
            { value: '', label: 'Choose a client…' },
            ...dir.clients.map((c) => ({ value: String(c.id), label: c.name })),
          ])}
          ${this.select('petId', 'Pet', draft.petId, [
            { value: '', label: draft.clientId ? (pets.length ? 'Choose a pet…' : 'This client has no pets yet') : 'Choose a client first' },
            ...pets.map((p) => ({ value: String(p.id), label: `${p.name} (${p.species})` })),
          ], !draft.clientId)}
          ${this.select('practitionerId', 'Practitioner', draft.practitionerId, [
            { value: '', label: 'Any practitioner' },
            ...dir.practitioners.map((p) => ({ value: String(p.id), label: p.name })),
          ])}
          ${this.select('type', 'Type', draft.type, this.typeOptions(draft.type))}
        </div>

        <div class="card grid ${editing ? '' : 'three'}">
          ${this.input('date', 'Date', 'date', draft.date)}
          ${this.input('time', 'Time', 'time', draft.time)}
          ${this.select('durationMinutes', 'Duration', draft.durationMinutes, this.durationOptions(draft.durationMinutes))}
          ${editing
            ? this.select('status', 'Status', draft.status, APPOINTMENT_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })))
            : nothing}
        </div>

        <div class="card grid">
          ${this.input('title', 'Title', 'text', draft.title, true)}
          <div class="field wide">
            <label for="notes">Notes <span class="hint">(optional)</span></label>
            <textarea id="notes" .value=${draft.notes} @input=${(e: Event) => this.set('notes', (e.target as HTMLTextAreaElement).value)}></textarea>
            ${this.errorFor('notes')}
          </div>
        </div>

        ${this._error ? html`<p class="banner error" role="alert">${this._error}</p>` : nothing}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this._saving}>${this._saving ? 'Saving…' : editing ? 'Save changes' : 'Book appointment'}</button>
          <a class="button" href=${back}>Discard</a>
          ${editing && !cancelled ? this.renderCancelZone() : nothing}
        </div>
      </form>
    `;
  }

  private renderCancelZone() {
    if (!this._confirmCancel) {
      return html`<span class="cancel-zone"><button type="button" class="danger" @click=${() => (this._confirmCancel = true)}>Cancel appointment…</button></span>`;
    }
    return html`<span class="cancel-zone" role="group" aria-label="Confirm cancellation">
      <button type="button" class="danger solid" ?disabled=${this._saving} @click=${this.onCancelAppointment}>Yes, cancel it</button>
      <button type="button" @click=${() => (this._confirmCancel = false)}>Keep it</button>
    </span>`;
  }

  private typeOptions(current: string) {
    const options: { value: string; label: string }[] = APPOINTMENT_TYPES.map((t) => ({ value: t.value, label: t.label }));
    if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: current });
    return options;
  }

  private durationOptions(current: string) {
    const options = DURATIONS.map((d) => ({ value: String(d), label: `${d} min` }));
    if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: `${current} min` });
    return options;
  }

  private select(name: keyof AppointmentDraft, label: string, value: string, options: { value: string; label: string }[], disabled = false) {
    const error = this._errors[name];
    return html`
      <div class="field">
        <label for=${name}>${label}</label>
        <select id=${name} ?disabled=${disabled} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${name}-error` : nothing}
          @change=${(e: Event) => this.set(name, (e.target as HTMLSelectElement).value)}>
          ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === value}>${o.label}</option>`)}
        </select>
        ${this.errorFor(name)}
      </div>
    `;
  }

  private input(name: keyof AppointmentDraft, label: string, type: string, value: string, wide = false) {
    const error = this._errors[name];
    return html`
      <div class="field ${wide ? 'wide' : ''}">
        <label for=${name}>${label}</label>
        <input id=${name} type=${type} .value=${value} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${name}-error` : nothing}
          @input=${(e: Event) => this.set(name, (e.target as HTMLInputElement).value)} />
        ${this.errorFor(name)}
      </div>
    `;
  }

  private errorFor(name: keyof AppointmentDraft) {
    const error = this._errors[name];
    return error ? html`<span class="error-text" id="${name}-error">${error}</span>` : nothing;
  }

  private set(name: keyof AppointmentDraft, value: string): void {
    if (!this._draft) return;
    this.dirty = true;
    let draft = { ...this._draft, [name]: value } as AppointmentDraft;
    if (name === 'title') this.titleTouched = true;
    if (name === 'clientId' && !this._directory.petsOf(value).some((p) => String(p.id) === draft.petId)) {
      // Another owner: the pet must be chosen again (their only pet is chosen for them).
      const pets = this._directory.petsOf(value);
      draft.petId = pets.length === 1 && pets[0] ? String(pets[0].id) : '';
    }
    if (!this.titleTouched && (name === 'petId' || name === 'type' || name === 'clientId')) {
      draft = { ...draft, title: suggestedTitle(draft, this._directory) };
    }
    const { [name]: _fixed, ...otherErrors } = this._errors;
    this._errors = otherErrors;
    this._draft = draft;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const services = this.services;
    const draft = this._draft;
    if (!services || !draft || this._saving) return;
    const errors = validateDraft(draft);
    this._errors = errors;
    if (Object.keys(errors).length > 0) {
      this._error = 'Some fields need attention.';
      await this.updateComplete;
      (this.renderRoot.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
      return;
    }
    this._saving = true;
    this._error = null;
    try {
      const input = draftToInput(draft);
      if (this.recordId === null) {
        await services.entities.createAppointment(input);
      } else if (this._record) {
        const changes = changedFields(this._record, input);
        if (Object.keys(changes).length > 0) await services.entities.updateAppointment(this.recordId, changes);
      }
      this.dirty = false;
      this.navigate(`/appointments?date=${draft.date}`);
    } catch (error) {
      this._error = `Not saved: ${describeError(error)}`;
    } finally {
      this._saving = false;
    }
  }

  private readonly onCancelAppointment = async (): Promise<void> => {
    const services = this.services;
    if (!services || this.recordId === null) return;
    this._saving = true;
    try {
      await services.entities.cancelAppointment(this.recordId);
      this.navigate(`/appointments?date=${this._draft?.date ?? ''}`);
    } catch (error) {
      this._error = `Not cancelled: ${describeError(error)}`;
    } finally {
      this._saving = false;
      this._confirmCancel = false;
    }
  };
}

customElements.define('appointment-form-screen', AppointmentFormScreen);

declare global {
  interface HTMLElementTagNameMap {
    'appointment-form-screen': AppointmentFormScreen;
  }
}
