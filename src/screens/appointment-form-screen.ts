/**
 * Book, edit, cancel and (once cancelled) delete an appointment: client → pet → practitioner, date
 * and time, duration, type, title and notes. Saving answers at once (the worker writes the replica
 * and queues the change). An unusual booking (a past day, a time today that has passed, more than a
 * year ahead, outside opening hours) asks for confirmation first.
 *
 * Double bookings: while the user picks the time, the form reads the practitioner's and the pet's
 * appointments of that day from the replica and warns at once when the booking overlaps one (the
 * protocol's rule), with the free times of the day to take instead and an explicit "Double-book on
 * purpose". Opened with `moveConflictId` ("Move mine" on a held double booking) it shows the held
 * booking, lets only its time, duration and practitioner change, and saving resolves the conflict
 * (RESOLVE_CONFLICT `move`) instead of writing the record.
 *
 * The form survives sync: when the record's temp id gets its real id the form follows it (and asks
 * the app to fix the URL), and when the replica changes the record is re-read without touching what
 * the user is typing.
 */
import { initialState } from '@lit/task';
import { css, html, nothing } from 'lit';
import type { LocalAppointment } from '../api/entities.ts';
import { ApiError, describeError } from '../api/http.ts';
import { confirmGroup, deniedAction, focusSafeChoice } from '../components/confirm.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import { formatTime, isDateKey, localDateKey, toIsoInstant } from '../format.ts';
import {
  APPOINTMENT_STATUSES,
  BOOKING_FIELDS,
  WritableAppointmentSchema,
  isTempId,
  type ConflictRecord,
  type EntityId,
} from '../protocol/index.ts';
import { parseIdSegment } from '../router.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import {
  changedFields,
  draftFromRecord,
  draftToInput,
  unusualBooking,
  newDraft,
  suggestedTitle,
  validateDraft,
  type AppointmentDraft,
  type BookingFields,
  type DraftErrors,
} from './appointment-draft.ts';
import {
  asBooked,
  busyFor,
  clashSentence,
  draftClashes,
  draftSlot,
  freeSlots,
  heldBooking,
  moveChanges,
  nearestSlots,
  type BookedAppointment,
  type DraftClash,
} from './booking-clashes.ts';
import { clashWarning, clashWarningStyles, onPurposeMark } from './clash-warning.ts';
import { STATUS_LABEL, durationOptions, typeOptions, type Option } from './appointment-options.ts';
import { Directory } from './directory.ts';
import { lengthCounter, maxLengthOf } from './field-rules.ts';
import { backLink } from './fields.ts';
import { formStyles } from './form-styles.ts';
import { NearbyAppointments } from './nearby-appointments.ts';
import { ScreenElement } from './screen.ts';
import { ScreenLoad, loadFailed, recordLoadStates } from './screen-load.ts';
import { runWrite } from './write-action.ts';
import { SaveTracker, UnsavedChangesReporter, sameDraft, type UnsavedChangesSource } from '../unsaved-changes.ts';

interface HeldMove {
  conflict: ConflictRecord;
  held: BookingFields;
}

/** What the form is filled from. */
interface FormSource {
  directory: Directory;
  /** The appointment edited; null when booking or moving. */
  record: LocalAppointment | null;
  move: HeldMove | null;
  /** Moving, but the held double booking is resolved already (or was never one). */
  gone: boolean;
  /** The draft as the user had typed it when the read started, and the temp ids in it that have server ids now. */
  typed: AppointmentDraft | null;
  followed: Partial<AppointmentDraft>;
}
/** The inline confirmation showing, if any. */
type Confirming = 'cancel' | 'delete' | 'unusual' | null;

const CLASH_ERROR = 'This time overlaps another appointment: take a free time, or tick “Double-book on purpose”.';
const MOVE_CLASH_ERROR = 'Your booking still overlaps another appointment: take a free time or another practitioner.';

const TITLE_MAX = maxLengthOf(WritableAppointmentSchema.shape.title);
const NOTES_MAX = maxLengthOf(WritableAppointmentSchema.shape.notes) ?? 5000;

export class AppointmentFormScreen extends ScreenElement implements UnsavedChangesSource {
  static override properties = {
    recordId: { attribute: false },
    date: { type: String },
    clientId: { attribute: false },
    petId: { attribute: false },
    moveConflictId: { attribute: false },
    _record: { state: true },
    _move: { state: true },
    _directory: { state: true },
    _draft: { state: true },
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
  /** "Move mine": the double-booking conflict whose held booking this form moves. */
  declare moveConflictId: number | null;
  declare _record: LocalAppointment | null;
  /** Moving: the conflict and the booking it holds (as this tablet wanted it). */
  declare _move: HeldMove | null;
  declare _directory: Directory;
  declare _draft: AppointmentDraft | null;
  /** Why the last save failed, or what to fix first. */
  declare _error: string | null;
  declare _errors: DraftErrors;
  declare _saving: boolean;
  declare _confirming: Confirming;

  /** The user changed something since the draft was filled from the record. */
  private dirty = false;
  private readonly saves = new SaveTracker();
  /** The draft as filled from what was read (a new booking: as it started): what "unsaved" compares with. */
  private loadedDraft: AppointmentDraft | null = null;
  readonly unsavedChangesNoun = 'booking';
  private titleTouched = false;
  private readonly load = new ScreenLoad(this, {
    args: () => [this.services, this.recordId, this.moveConflictId] as const,
    task: async ([services, id, moveConflictId]): Promise<FormSource | typeof initialState> => {
      if (!services) return initialState;
      const directory = await Directory.load(services.entities);
      const move = moveConflictId === null ? null : await this.loadHeldBooking(services, moveConflictId);
      const record = id === null || moveConflictId !== null ? null : await services.entities.getAppointment(id);
      const typed = this.dirty ? this._draft : null;
      const followed = typed ? await this.publicIdsOf(services.entities, typed, directory) : {};
      return { directory, record, move, gone: moveConflictId !== null && !move, typed, followed };
    },
    onComplete: (source) => this.fill(source),
  });
  private readonly nearby = new NearbyAppointments(() => this.requestUpdate());

  static override styles = [
    controls,
    formStyles,
    clashWarningStyles,
    css`
      .counter {
        align-self: flex-end;
      }
    `,
  ];

  constructor() {
    super();
    this.recordId = null;
    this.date = null;
    this.clientId = null;
    this.petId = null;
    this.moveConflictId = null;
    this._record = null;
    this._move = null;
    this._directory = Directory.empty();
    this._draft = null;
    this._error = null;
    this._errors = {};
    this._saving = false;
    this._confirming = null;
    new UnsavedChangesReporter(this);
  }

  saveInProgress(): Promise<void> | null {
    return this.saves.current;
  }

  hasUnsavedChanges(): boolean {
    return this.dirty && !!this._draft && !!this.loadedDraft && !sameDraft(this._draft, this.loadedDraft);
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['appointments', 'pets', 'users'],
      onChange: () => void this.load.run(),
    });
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('recordId') || changed.has('moveConflictId')) {
      // The same record under its server id (it was opened by its temp id) keeps the draft.
      const sameRecord = this._record !== null && String(this._record.id) === String(this.recordId);
      if (!sameRecord) {
        this.load.forget();
        this.dirty = false;
        this.titleTouched = this.recordId !== null;
        this._draft = null;
        this.loadedDraft = null;
        this._record = null;
        this._move = null;
        this._confirming = null;
      }
    }
  }

  /** Fills the form from what was read; what the user typed meanwhile stays. */
  private fill({ directory, record, move, gone, typed, followed }: FormSource): void {
    // Only choices the user did not change meanwhile.
    for (const [field, id] of Object.entries(followed) as [keyof AppointmentDraft, string][]) {
      if (this._draft && typed && this._draft[field] === typed[field]) this._draft = { ...this._draft, [field]: id };
    }
    this._directory = directory;
    this._record = record;
    if (gone) return;
    this._move = move;
    const from = move?.held ?? record;
    if (!this.dirty || !this._draft) {
      this._draft = from ? draftFromRecord(from, directory) : (this._draft ?? this.startDraft(directory));
    }
    this.loadedDraft = from ? draftFromRecord(from, directory) : (this.loadedDraft ?? this._draft);
    this._error = null;
    // Someone else's booking may have landed meanwhile: read the day again.
    void this.refreshNearby(true);
  }

  /**
   * A client, pet or practitioner chosen in the draft by a temp id that the server has stored
   * since: the lists show it by its server id now, so the choice follows (a record created here
   * answers at both ids). Only choices that changed are returned.
   */
  private async publicIdsOf(
    entities: AppServices['entities'],
    draft: AppointmentDraft,
    directory: Directory,
  ): Promise<Partial<AppointmentDraft>> {
    const follow = async (field: 'clientId' | 'petId' | 'practitionerId'): Promise<Partial<AppointmentDraft>> => {
      const value = draft[field];
      const known = field === 'petId' ? directory.pet(value) : directory.user(value);
      if (!isTempId(value) || known) return {};
      try {
        const record = field === 'petId' ? await entities.getPet(value) : await entities.getUser(value);
        return String(record.id) === value ? {} : { [field]: String(record.id) };
      } catch {
        return {}; // gone meanwhile: the form's checks say so at Save
      }
    };
    const found = await Promise.all([follow('clientId'), follow('petId'), follow('practitionerId')]);
    return found.reduce<Partial<AppointmentDraft>>((all, part) => ({ ...all, ...part }), {});
  }

  /** The unresolved double booking `conflictId`, or null when it is resolved or not one. */
  private async loadHeldBooking(services: AppServices, conflictId: number): Promise<HeldMove | null> {
    const conflicts = await services.client.send({ type: 'GET_CONFLICTS' });
    const conflict = conflicts.find((c) => c.id === conflictId && !c.resolved && c.conflictType === 'double_booking');
    const held = conflict ? heldBooking(conflict) : null;
    return conflict && held ? { conflict, held } : null;
  }

  /** Reads the practitioner's and the pet's appointments of the draft's day (when they changed, or `force`). */
  private refreshNearby(force = false): Promise<void> {
    const draft = this._draft;
    const entities = this.services?.entities;
    if (!draft || !entities || !isDateKey(draft.date)) return Promise.resolve();
    const query = {
      day: draft.date,
      practitionerId: parseIdSegment(draft.practitionerId),
      petId: parseIdSegment(draft.petId),
    };
    return this.nearby.refresh(entities, query, force);
  }

  /** The record this form writes (never a clash with itself). */
  private get selfId(): EntityId | null {
    return this._move?.conflict.entityId ?? this.recordId;
  }

  /** What the booking is checked against: the replica's, plus (moving) the clashes the server reported. */
  private nearbyAppointments(): BookedAppointment[] | null {
    const replica = this.nearby.appointments;
    if (!replica) return null;
    const reported = (this._move?.conflict.clashes ?? []).map((c) => asBooked(c.appointment)).filter((a) => a !== null);
    const known = new Set(replica.map((a) => String(a.id)));
    return [...replica, ...reported.filter((a) => !known.has(String(a.id)))];
  }

  private clashes(): DraftClash[] {
    const others = this.nearbyAppointments();
    return this._draft && others ? draftClashes(this._draft, this.selfId, others) : [];
  }

  /** The form's clock: the services' (injectable in tests), else the device's. */
  private get now(): Date {
    return new Date(this.services?.now() ?? Date.now());
  }

  private get today(): string {
    return localDateKey(this.now);
  }

  private startDraft(directory: Directory): AppointmentDraft {
    return newDraft(
      { date: this.date ?? this.today, clientId: this.clientId, petId: this.petId, user: this.user, now: this.now },
      directory,
    );
  }

  /** Where "Back" and "Discard" lead: the page the booking was opened from, else the day. */
  private backTarget(): { href: string; label: string } {
    if (this.moveConflictId !== null) return { href: '/sync', label: 'Sync' };
    if (this.recordId === null && this.clientId !== null) {
      const client = `/clients/${encodeURIComponent(String(this.clientId))}`;
      const pet = this.petId === null ? undefined : this._directory.pet(this.petId);
      if (pet) return { href: `${client}/pets/${encodeURIComponent(String(pet.id))}`, label: pet.name };
      return { href: client, label: this._directory.user(this.clientId)?.name ?? 'the client' };
    }
    const day = this._draft?.date ?? this.date;
    return { href: day ? `/appointments?date=${day}` : '/appointments', label: 'the day' };
  }

  override render() {
    return this.load.render({
      ...recordLoadStates(() => this.load.run(), {
        message: 'This appointment is not on this tablet.',
        href: this.backTarget().href,
        label: 'Back to appointments',
      }),
      complete: ({ gone }) => {
        if (gone) {
          return html`<div class="banner warning" role="alert">
            <p>This double booking is no longer waiting for a decision.</p>
            <a class="button" href="/sync">Back to Sync</a>
          </div>`;
        }
        return this._draft ? this.renderForm(this._draft) : loadFailed(this._error, () => this.load.run());
      },
    });
  }

  private renderForm(draft: AppointmentDraft) {
    const moving = this._move !== null;
    const editing = this.recordId !== null && !moving;
    const back = this.backTarget();
    const dir = this._directory;
    const pets = dir.petsOf(draft.clientId);
    const record = this._record;
    const cancelled = record?.status === 'cancelled';
    return html`
      <form @submit=${this.onSubmit} novalidate aria-labelledby="form-title">
        ${backLink(back.href, `Back to ${back.label}`)}
        <div class="heading">
          <h1 id="form-title">${moving ? 'Move my booking' : editing ? 'Edit appointment' : 'Book an appointment'}</h1>
          ${syncBadge(record)} ${record?.overlapAllowed ? onPurposeMark() : nothing}
        </div>
        ${
          record
            ? html`<p class="reference" data-testid="record-reference">
                ${isTempId(record.id) ? 'Reference: assigned when synced' : `Reference #${record.id}`}
                ${cancelled ? html` · <strong>Cancelled</strong>` : nothing}
              </p>`
            : nothing
        }
        ${
          record?._conflict
            ? html`<p class="banner warning">
                This appointment has a sync conflict. <a href="/sync">Resolve it in Sync</a>.
              </p>`
            : nothing
        }
        ${
          moving
            ? html`<p class="banner info" data-testid="move-intro">
                This booking was not saved on the server: it overlaps another appointment. Choose another time, duration
                or practitioner; <strong>Move booking</strong> sends the new time.
              </p>`
            : nothing
        }

        <div class="card grid">
          ${this.select(
            'clientId',
            'Client',
            draft.clientId,
            [
              { value: '', label: 'Choose a client…' },
              ...dir.clients.map((c) => ({ value: String(c.id), label: c.name })),
            ],
            moving,
          )}
          ${this.select(
            'petId',
            'Pet',
            draft.petId,
            [
              {
                value: '',
                label: draft.clientId
                  ? pets.length
                    ? 'Choose a pet…'
                    : 'This client has no pets yet'
                  : 'Choose a client first',
              },
              ...pets.map((p) => ({ value: String(p.id), label: `${p.name} (${p.species})` })),
            ],
            moving || !draft.clientId,
          )}
          ${this.select('practitionerId', 'Practitioner', draft.practitionerId, [
            { value: '', label: 'Not assigned yet' },
            ...dir.practitioners.map((p) => ({ value: String(p.id), label: p.name })),
          ])}
          ${this.select('type', 'Type', draft.type, typeOptions(draft.type), moving)}
        </div>

        <div class="card grid ${editing ? '' : 'three'}">
          ${this.input('date', 'Date', 'date', draft.date)} ${this.input('time', 'Time', 'time', draft.time)}
          ${this.select('durationMinutes', 'Duration', draft.durationMinutes, durationOptions(draft.durationMinutes))}
          ${
            editing
              ? this.select(
                  'status',
                  'Status',
                  draft.status,
                  APPOINTMENT_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })),
                )
              : nothing
          }
        </div>
        <div aria-live="polite">${this.renderClashWarning(draft)}</div>

        <div class="card grid">
          ${this.input('title', 'Title', 'text', draft.title, true, TITLE_MAX, moving)}
          <div class="field wide">
            <label for="notes">Notes <span class="hint">(optional)</span></label>
            <textarea
              id="notes"
              maxlength=${NOTES_MAX}
              .value=${draft.notes}
              ?disabled=${moving}
              aria-invalid=${this._errors.notes ? 'true' : 'false'}
              aria-describedby="notes-counter ${this._errors.notes ? 'notes-error' : ''}"
              @input=${(e: Event) => this.set('notes', (e.target as HTMLTextAreaElement).value)}
            ></textarea>
            <span class="hint counter" id="notes-counter" data-testid="notes-counter"
              >${lengthCounter(draft.notes.length, NOTES_MAX)}</span
            >
            ${this.errorFor('notes')}
          </div>
        </div>

        ${this._error ? html`<p class="banner error" role="alert">${this._error}</p>` : nothing}
        ${this._confirming === 'unusual' ? this.renderUnusualConfirmation(draft) : nothing}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this._saving}>${this.submitLabel(moving, editing)}</button>
          <a class="button" href=${back.href}>Discard</a>
          ${editing ? html`<span class="record-actions">${cancelled ? this.renderDeleteZone() : this.renderCancelZone()}</span>` : nothing}
        </div>
      </form>
    `;
  }

  private submitLabel(moving: boolean, editing: boolean): string {
    if (this._saving) return moving ? 'Moving…' : 'Saving…';
    return moving ? 'Move booking' : editing ? 'Save changes' : 'Book appointment';
  }

  /** The double-booking warning, when the replica shows an overlap at the chosen time. */
  private renderClashWarning(draft: AppointmentDraft) {
    if (this.nearby.error) return html`<p class="hint">Double bookings could not be checked: ${this.nearby.error}</p>`;
    const clashes = this.clashes();
    if (clashes.length === 0 || !isDateKey(draft.date)) return nothing;
    const dir = this._directory;
    const slot = draftSlot(draft, this.selfId);
    const busy = slot ? busyFor(this.nearbyAppointments() ?? [], slot) : [];
    const all = freeSlots({
      day: draft.date,
      durationMinutes: Number(draft.durationMinutes),
      busy,
      ...(draft.date === this.today ? { notBefore: this.services?.now() ?? Date.now() } : {}),
    });
    const who = [
      dir.user(parseIdSegment(draft.practitionerId))?.name,
      dir.pet(parseIdSegment(draft.petId))?.name,
    ].filter((n) => n);
    return clashWarning({
      sentences: clashes.map((c) => clashSentence(c, dir, draft.date)),
      slots: nearestSlots(all, draft.time).map((time) => ({ time, label: formatTime(toIsoInstant(draft.date, time)) })),
      slotsFor: who.join(' and ') || 'this booking',
      onPickSlot: (time) => this.pickSlot(time),
      onPurpose: this._move
        ? null
        : { checked: draft.overlapAllowed, onChange: (checked) => this.setOverlapAllowed(checked) },
      note: this._move ? 'To keep both bookings as they are, go back to Sync and choose Keep both.' : undefined,
    });
  }

  private renderUnusualConfirmation(draft: AppointmentDraft) {
    const reasons = unusualBooking(draft, this.now, this._move?.held ?? this._record);
    return confirmGroup({
      label: 'Confirm an unusual booking',
      message: html`<p>
        ${reasons.map((reason) => html`<strong>${reason}</strong> `)}${
          this.recordId === null ? 'Book it anyway?' : 'Save it anyway?'
        }
      </p>`,
      confirm: this.recordId === null ? 'Yes, book it' : 'Yes, save it',
      keep: 'Change the date or time',
      busy: this._saving,
      tone: 'warning',
      onConfirm: () => void this.save(true),
      onKeep: () => {
        this._confirming = null;
        void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#date')?.focus());
      },
    });
  }

  private renderCancelZone() {
    if (this._confirming !== 'cancel') {
      return html`<button type="button" class="danger" @click=${() => this.confirm('cancel')}>
        Cancel appointment…
      </button>`;
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
      return html`<button type="button" class="danger" @click=${() => this.confirm('delete')}>
        Delete appointment…
      </button>`;
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
        <select
          id=${name}
          ?disabled=${disabled}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? `${name}-error` : nothing}
          @change=${(e: Event) => this.set(name, (e.target as HTMLSelectElement).value)}
        >
          ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === value}>${o.label}</option>`)}
        </select>
        ${this.errorFor(name)}
      </div>
    `;
  }

  private input(
    name: keyof AppointmentDraft,
    label: string,
    type: string,
    value: string,
    wide = false,
    maxLength?: number,
    disabled = false,
  ) {
    const error = this._errors[name];
    return html`
      <div class="field ${wide ? 'wide' : ''}">
        <label for=${name}>${label}</label>
        <input
          id=${name}
          type=${type}
          .value=${value}
          ?disabled=${disabled}
          maxlength=${maxLength ?? nothing}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? `${name}-error` : nothing}
          @input=${(e: Event) => this.set(name, (e.target as HTMLInputElement).value)}
        />
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
    let draft = { ...this._draft, [name]: value };
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
    if (this._confirming === 'unusual' && (name === 'date' || name === 'time' || name === 'durationMinutes'))
      this._confirming = null;
    if (name === 'date' || name === 'practitionerId' || name === 'petId' || name === 'clientId')
      void this.refreshNearby();
  }

  /** A free time tapped in the warning: taken, the overlap (and its error) gone. */
  private pickSlot(time: string): void {
    this.set('time', time);
    if (this._draft) this._draft = { ...this._draft, overlapAllowed: false };
    if (this._error === CLASH_ERROR || this._error === MOVE_CLASH_ERROR) this._error = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#time')?.focus());
  }

  private setOverlapAllowed(checked: boolean): void {
    if (!this._draft) return;
    this.dirty = true;
    this._draft = { ...this._draft, overlapAllowed: checked };
    if (checked && this._error === CLASH_ERROR) this._error = null;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.save(false);
  }

  /** Validates and saves; an unusual booking (unusualBooking: a past day, …) needs `unusualConfirmed`. */
  private save(unusualConfirmed: boolean): Promise<void> {
    return this.saves.run(() => this.checkAndSave(unusualConfirmed));
  }

  private async checkAndSave(unusualConfirmed: boolean): Promise<void> {
    const services = this.services;
    const draft = this._draft;
    if (!services || !draft || this._saving) return;
    const dateField = this.renderRoot.querySelector<HTMLInputElement>('#date');
    const errors = validateDraft(draft, { dateUnreadable: dateField?.validity.badInput === true });
    this._errors = errors;
    if (Object.keys(errors).length > 0) {
      this._error = 'Some fields need attention.';
      this._confirming = null;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    this._error = null;
    // Check against the day as the replica holds it now, not a read still on its way.
    await this.nearby.current;
    const clashes = this.clashes();
    const move = this._move;
    // An overlap already stored (older data, or kept elsewhere) does not block an edit of the notes:
    // only a booking, or a change of its slot, must be decided (the server checks the same writes).
    const checked = move !== null || this._record === null || this.slotMoved(this._record, draft);
    if (clashes.length > 0 && checked && (move || !draft.overlapAllowed)) {
      this._error = move ? MOVE_CLASH_ERROR : CLASH_ERROR;
      this._confirming = null;
      await this.updateComplete;
      this.renderRoot
        .querySelector<HTMLElement>('[data-testid="free-slots"] button, input[name="overlapAllowed"]')
        ?.focus();
      return;
    }
    if (move && Object.keys(moveChanges(move.held, draft)).length === 0) {
      this._error = 'Choose another time, duration or practitioner first.';
      return;
    }
    if (!unusualConfirmed && unusualBooking(draft, this.now, move?.held ?? this._record).length > 0) {
      this.confirm('unusual');
      return;
    }
    if (move) return this.sendMove(move, draft);
    this._saving = true;
    try {
      const input = draftToInput({ ...draft, overlapAllowed: this.keepsOverlap(draft, clashes.length > 0) });
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
      // Answered by the server itself (no worker): it knows of a booking the replica does not show yet.
      if (error instanceof ApiError && error.code === 'DOUBLE_BOOKING') void this.refreshNearby(true);
    } finally {
      this._saving = false;
    }
  }

  /**
   * Whether the booking keeps "double-booked on purpose": when it overlaps something, as chosen;
   * when it overlaps nothing, only if the choice was there already and the slot did not move (a
   * booking moved to a free time is no longer a double booking).
   */
  private keepsOverlap(draft: AppointmentDraft, overlaps: boolean): boolean {
    if (!draft.overlapAllowed) return false;
    if (overlaps) return true;
    const record = this._record;
    return record?.overlapAllowed === true && !this.slotMoved(record, draft);
  }

  /** The draft changes a field the double-booking rule looks at (time, duration, practitioner, pet, status). */
  private slotMoved(record: LocalAppointment, draft: AppointmentDraft): boolean {
    const changed = Object.keys(changedFields(record, draftToInput(draft)));
    return changed.some((f) => f !== 'overlapAllowed' && (BOOKING_FIELDS as readonly string[]).includes(f));
  }

  /** "Move mine": the new slot goes to the worker as the conflict's resolution, not as a PATCH. */
  private async sendMove(move: HeldMove, draft: AppointmentDraft): Promise<void> {
    const services = this.services;
    if (!services) return;
    const done = await runWrite(this, 'Not moved', () =>
      services.client.send({
        type: 'RESOLVE_CONFLICT',
        conflictId: move.conflict.id,
        resolution: { strategy: 'move', changes: moveChanges(move.held, draft) },
      }),
    );
    this._confirming = null;
    if (!done) return;
    this.dirty = false;
    this.navigate(`/appointments?date=${draft.date}`);
  }

  private readonly onCancelAppointment = (): void => {
    void this.recordAction('Not cancelled', (id, services) => services.entities.cancelAppointment(id));
  };

  private readonly onDeleteAppointment = (): void => {
    void this.recordAction('Not deleted', (id, services) => services.entities.deleteAppointment(id));
  };

  /** Cancel or delete, then back to the day. */
  private async recordAction(
    failure: string,
    action: (id: EntityId, services: AppServices) => Promise<unknown>,
  ): Promise<void> {
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
