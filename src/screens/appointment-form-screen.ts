/**
 * Book, edit, cancel and (once cancelled) delete an appointment: client → pet → practitioner, date
 * and time, duration, type, title and notes. Saving answers at once (the worker writes the replica
 * and queues the change). A visit on a day before today asks for confirmation first.
 *
 * The form survives sync: when the record's temp id gets its real id the form follows it (and asks
 * the app to fix the URL), and when the replica changes the record is re-read without touching what
 * the user is typing.
 */
import { css, html, nothing } from 'lit';
import type { LocalAppointment } from '../api/entities.ts';
import { ApiError, describeError } from '../api/http.ts';
import { confirmGroup, deniedAction, focusSafeChoice } from '../components/confirm.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController, type IdRemapped } from '../controllers/replica-changes-controller.ts';
import { formatLongDate, localDateKey } from '../format.ts';
import { APPOINTMENT_STATUSES, WritableAppointmentSchema, isTempId, type EntityId } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import {
  changedFields,
  draftFromRecord,
  draftToInput,
  needsBackDateConfirmation,
  newDraft,
  remapDraft,
  suggestedTitle,
  validateDraft,
  type AppointmentDraft,
  type DraftErrors,
} from './appointment-draft.ts';
import { STATUS_LABEL, durationOptions, typeOptions, type Option } from './appointment-options.ts';
import { Directory } from './directory.ts';
import { lengthCounter, maxLengthOf } from './field-rules.ts';
import { backLink } from './fields.ts';
import { formStyles } from './form-styles.ts';
import { ScreenElement } from './screen.ts';
import { runWrite } from './write-action.ts';

type LoadStatus = 'loading' | 'ready' | 'error' | 'missing';
/** The inline confirmation showing, if any. */
type Confirming = 'cancel' | 'delete' | 'back-date' | null;

const TITLE_MAX = maxLengthOf(WritableAppointmentSchema.shape.title);
const NOTES_MAX = maxLengthOf(WritableAppointmentSchema.shape.notes) ?? 5000;

export class AppointmentFormScreen extends ScreenElement {
  static override properties = {
    recordId: { attribute: false },
    date: { type: String },
    clientId: { attribute: false },
    petId: { attribute: false },
    _record: { state: true },
    _directory: { state: true },
    _draft: { state: true },
    _status: { state: true },
    _error: { state: true },
    _errors: { state: true },
    _saving: { state: true },
    _confirming: { state: true },
  };

  /** The appointment to edit; null to book a new one. */
  declare recordId: EntityId | null;
  /** Day a new appointment starts on (`YYYY-MM-DD`). */
  declare date: string | null;
  /** A new booking opened from a client's page: that client is chosen. */
  declare clientId: EntityId | null;
  /** A new booking opened from a pet's page: that pet (and its owner) are chosen. */
  declare petId: EntityId | null;
  declare _record: LocalAppointment | null;
  declare _directory: Directory;
  declare _draft: AppointmentDraft | null;
  declare _status: LoadStatus;
  declare _error: string | null;
  declare _errors: DraftErrors;
  declare _saving: boolean;
  declare _confirming: Confirming;

  /** The user changed something since the draft was filled from the record. */
  private dirty = false;
  private titleTouched = false;
  private loadSeq = 0;

  static override styles = [
    controls,
    formStyles,
    css`
      .counter { align-self: flex-end; }
    `,
  ];

  constructor() {
    super();
    this.recordId = null;
    this.date = null;
    this.clientId = null;
    this.petId = null;
    this._record = null;
    this._directory = Directory.empty();
    this._draft = null;
    this._status = 'loading';
    this._error = null;
    this._errors = {};
    this._saving = false;
    this._confirming = null;
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
        this._confirming = null;
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
        this._draft = record ? draftFromRecord(record, directory) : (this._draft ?? this.startDraft(directory));
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

  private get today(): string {
    return localDateKey(new Date(this.services?.now() ?? Date.now()));
  }

  private startDraft(directory: Directory): AppointmentDraft {
    return newDraft({ date: this.date ?? this.today, clientId: this.clientId, petId: this.petId, user: this.user }, directory);
  }

  /** Where "Back" and "Discard" lead: the page the booking was opened from, else the day. */
  private backTarget(): { href: string; label: string } {
    if (this.recordId === null && this.clientId !== null) {
      const client = `/clients/${encodeURIComponent(String(this.clientId))}`;
      const pet = this.petId === null ? undefined : this._directory.pet(this.petId);
      if (pet) return { href: `${client}/pets/${encodeURIComponent(String(pet.id))}`, label: pet.name };
      return { href: client, label: this._directory.user(this.clientId)?.name ?? 'the client' };
    }
    const day = this._draft?.date ?? this.date;
    return { href: day ? `/appointments?date=${day}` : '/appointments', label: 'the day' };
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
    const back = this.backTarget();
    if (this._status === 'loading') return html`<p role="status">Loading…</p>`;
    if (this._status === 'missing') {
      return html`<div class="banner warning" role="alert"><p>This appointment is not on this tablet.</p><a class="button" href=${back.href}>Back to appointments</a></div>`;
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
        ${backLink(back.href, `Back to ${back.label}`)}
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
            { value: '', label: 'Not assigned yet' },
            ...dir.practitioners.map((p) => ({ value: String(p.id), label: p.name })),
          ])}
          ${this.select('type', 'Type', draft.type, typeOptions(draft.type))}
        </div>

        <div class="card grid ${editing ? '' : 'three'}">
          ${this.input('date', 'Date', 'date', draft.date)}
          ${this.input('time', 'Time', 'time', draft.time)}
          ${this.select('durationMinutes', 'Duration', draft.durationMinutes, durationOptions(draft.durationMinutes))}
          ${editing
            ? this.select('status', 'Status', draft.status, APPOINTMENT_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })))
            : nothing}
        </div>

        <div class="card grid">
          ${this.input('title', 'Title', 'text', draft.title, true, TITLE_MAX)}
          <div class="field wide">
            <label for="notes">Notes <span class="hint">(optional)</span></label>
            <textarea id="notes" maxlength=${NOTES_MAX} .value=${draft.notes}
              aria-invalid=${this._errors.notes ? 'true' : 'false'} aria-describedby="notes-counter ${this._errors.notes ? 'notes-error' : ''}"
              @input=${(e: Event) => this.set('notes', (e.target as HTMLTextAreaElement).value)}></textarea>
            <span class="hint counter" id="notes-counter" data-testid="notes-counter">${lengthCounter(draft.notes.length, NOTES_MAX)}</span>
            ${this.errorFor('notes')}
          </div>
        </div>

        ${this._error ? html`<p class="banner error" role="alert">${this._error}</p>` : nothing}
        ${this._confirming === 'back-date' ? this.renderBackDateConfirmation(draft) : nothing}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this._saving}>${this._saving ? 'Saving…' : editing ? 'Save changes' : 'Book appointment'}</button>
          <a class="button" href=${back.href}>Discard</a>
          ${editing ? html`<span class="record-actions">${cancelled ? this.renderDeleteZone() : this.renderCancelZone()}</span>` : nothing}
        </div>
      </form>
    `;
  }

  private renderBackDateConfirmation(draft: AppointmentDraft) {
    return confirmGroup({
      label: 'Confirm a date in the past',
      message: html`<p><strong>${formatLongDate(draft.date)} is in the past.</strong> Record this visit on that day anyway?</p>`,
      confirm: this.recordId === null ? 'Yes, book it on that day' : 'Yes, move it to that day',
      keep: 'Change the date',
      busy: this._saving,
      tone: 'warning',
      onConfirm: () => void this.save(true),
      onKeep: () => {
        this._confirming = null;
        void this.updateComplete.then(() => (this.renderRoot.querySelector('#date') as HTMLElement | null)?.focus());
      },
    });
  }

  private renderCancelZone() {
    if (this._confirming !== 'cancel') {
      return html`<button type="button" class="danger" @click=${() => this.confirm('cancel')}>Cancel appointment…</button>`;
    }
    return confirmGroup({
      label: 'Confirm cancellation',
      confirm: 'Yes, cancel it',
      keep: 'Keep it',
      busy: this._saving,
      onConfirm: this.onCancelAppointment,
      onKeep: () => (this._confirming = null),
    });
  }

  /** A cancelled appointment can go for good (a booking made by mistake clutters the day). */
  private renderDeleteZone() {
    const denied = this.denied('delete', 'appointments');
    if (denied) return deniedAction('delete-appointment', 'Delete appointment…', denied);
    if (this._confirming !== 'delete') {
      return html`<button type="button" class="danger" @click=${() => this.confirm('delete')}>Delete appointment…</button>`;
    }
    return confirmGroup({
      label: 'Confirm deletion',
      message: html`<p>Delete this cancelled appointment for good? It leaves the day on every tablet once synced.</p>`,
      confirm: 'Yes, delete it',
      keep: 'Keep it',
      busy: this._saving,
      onConfirm: this.onDeleteAppointment,
      onKeep: () => (this._confirming = null),
    });
  }

  private confirm(what: Exclude<Confirming, null>): void {
    this._confirming = what;
    void focusSafeChoice(this);
  }

  private select(name: keyof AppointmentDraft, label: string, value: string, options: Option[], disabled = false) {
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

  private input(name: keyof AppointmentDraft, label: string, type: string, value: string, wide = false, maxLength?: number) {
    const error = this._errors[name];
    return html`
      <div class="field ${wide ? 'wide' : ''}">
        <label for=${name}>${label}</label>
        <input id=${name} type=${type} .value=${value} maxlength=${maxLength ?? nothing} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${name}-error` : nothing}
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
    if (this._confirming === 'back-date' && (name === 'date' || name === 'time')) this._confirming = null;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.save(false);
  }

  /** Validates and saves; a day in the past needs `backDateConfirmed`. */
  private async save(backDateConfirmed: boolean): Promise<void> {
    const services = this.services;
    const draft = this._draft;
    if (!services || !draft || this._saving) return;
    const errors = validateDraft(draft);
    this._errors = errors;
    if (Object.keys(errors).length > 0) {
      this._error = 'Some fields need attention.';
      this._confirming = null;
      await this.updateComplete;
      (this.renderRoot.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
      return;
    }
    this._error = null;
    if (!backDateConfirmed && needsBackDateConfirmation(draft, this.today, this._record)) {
      this.confirm('back-date');
      return;
    }
    this._saving = true;
    try {
      const input = draftToInput(draft);
      if (this.recordId === null) {
        await services.entities.createAppointment(input);
      } else if (this._record) {
        const changes = changedFields(this._record, input);
        if (Object.keys(changes).length > 0) await services.entities.updateAppointment(this.recordId, changes);
      }
      this.dirty = false;
      this._confirming = null;
      this.navigate(`/appointments?date=${draft.date}`);
    } catch (error) {
      this._error = `Not saved: ${describeError(error)}`;
    } finally {
      this._saving = false;
    }
  }

  private readonly onCancelAppointment = (): void => {
    void this.recordAction('Not cancelled', (id, services) => services.entities.cancelAppointment(id));
  };

  private readonly onDeleteAppointment = (): void => {
    void this.recordAction('Not deleted', (id, services) => services.entities.deleteAppointment(id));
  };

  /** Cancel or delete, then back to the day. */
  private async recordAction(failure: string, action: (id: EntityId, services: AppServices) => Promise<unknown>): Promise<void> {
    const services = this.services;
    const id = this.recordId;
    if (!services || id === null) return;
    const done = await runWrite(this, failure, () => action(id, services));
    this._confirming = null;
    if (done) this.navigate(`/appointments?date=${this._draft?.date ?? ''}`);
  }
}

customElements.define('appointment-form-screen', AppointmentFormScreen);

declare global {
  interface HTMLElementTagNameMap {
    'appointment-form-screen': AppointmentFormScreen;
  }
}
