/**
 * Base of the screens that edit one record (a client, a pet): the form's state, starting over when the
 * screen moves to another record, reloading when the replica changes, and the save and delete flows.
 * A subclass says what its draft is, how it is checked and saved, and renders the form.
 */
import type { PropertyDeclarations } from 'lit';
import { describeError } from '../api/http.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import type { EntityId } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';
import { focusFirstInvalid } from './fields.ts';
import { ScreenElement } from './screen.ts';
import { SaveTracker, UnsavedChangesReporter, sameDraft, type UnsavedChangesSource } from '../unsaved-changes.ts';
import { runWrite } from './write-action.ts';

/** What the base needs of the screen's ScreenLoad. */
interface RecordLoad {
  run(): Promise<void>;
  forget(): void;
}

/**
 * R: the record; D: its form as strings; I: what is saved (built from the draft);
 * X: what "Delete…" shows while open (null when closed).
 */
export abstract class RecordScreen<R extends { id: EntityId }, D extends object, I, X>
  extends ScreenElement
  implements UnsavedChangesSource
{
  static override properties: PropertyDeclarations = {
    recordId: { attribute: false },
    _record: { state: true },
    _draft: { state: true },
    _errors: { state: true },
    _error: { state: true },
    _saving: { state: true },
    _deleting: { state: true },
  };

  /** The record; null for a new one. */
  declare recordId: EntityId | null;
  declare _record: R | null;
  declare _draft: D;
  declare _errors: Partial<Record<keyof D, string>>;
  /** Why the last save or deletion failed. */
  declare _error: string | null;
  declare _saving: boolean;
  declare _deleting: X | null;
  /** The user changed the form since it was filled or saved: a reload leaves the draft alone. */
  protected dirty = false;
  private readonly saves = new SaveTracker();

  /** What the form edits, for "Leave without saving?" ("this client’s details"). */
  abstract readonly unsavedChangesNoun: string;
  /** Reads the record (and what the screen shows with it); its onComplete calls `loaded`. */
  protected abstract readonly load: RecordLoad;
  protected abstract emptyDraft(): D;
  protected abstract draftFrom(record: R): D;
  /** What would be saved; null while it cannot be saved yet (nothing happens on submit). */
  protected abstract inputFrom(draft: D): I | null;
  protected abstract validate(draft: D, services: AppServices): Partial<Record<keyof D, string>>;
  /** Creates or updates the record; returns where to go next, or null to stay on the screen. */
  protected abstract save(services: AppServices, input: I): Promise<string | null>;

  constructor() {
    super();
    this.recordId = null;
    this._record = null;
    this._draft = this.emptyDraft();
    this._errors = {};
    this._error = null;
    this._saving = false;
    this._deleting = null;
    new UnsavedChangesReporter(this);
  }

  /** Typed, and the form differs from the record as read (or from an empty one): leaving asks first. */
  hasUnsavedChanges(): boolean {
    if (!this.dirty) return false;
    return !sameDraft(this._draft, this._record ? this.draftFrom(this._record) : this.emptyDraft());
  }

  saveInProgress(): Promise<void> | null {
    return this.saves.current;
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['users', 'pets'],
      onChange: () => void this.load.run(),
    });
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('recordId')) {
      const sameRecord = this._record !== null && String(this._record.id) === String(this.recordId);
      if (!sameRecord) {
        this.load.forget();
        this.resetForm();
      }
    }
  }

  /** Another record is shown: an empty form until it is read. */
  protected resetForm(): void {
    this.dirty = false;
    this._record = null;
    this._draft = this.emptyDraft();
    this._errors = {};
    this._deleting = null;
  }

  /** The record was read: the form is filled from it unless the user changed it. */
  protected loaded(record: R | null): void {
    this._record = record;
    if (record && !this.dirty) this._draft = this.draftFrom(record);
  }

  protected set(field: keyof D, value: string): void {
    this.dirty = true;
    this._draft = { ...this._draft, [field]: value };
    const { [field]: _fixed, ...rest } = this._errors;
    this._errors = rest as Partial<Record<keyof D, string>>;
  }

  protected onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    return this.saves.run(() => this.submit());
  }

  private async submit(): Promise<void> {
    const services = this.services;
    const input = this.inputFrom(this._draft);
    if (!services || input === null || this._saving) return;
    this._errors = this.validate(this._draft, services);
    if (Object.keys(this._errors).length > 0) return focusFirstInvalid(this);
    this._saving = true;
    this._error = null;
    try {
      const next = await this.save(services, input);
      this.dirty = false;
      if (next !== null) this.navigate(next);
    } catch (error) {
      this._error = `Not saved: ${describeError(error)}`;
    } finally {
      this._saving = false;
    }
  }

  /** Deletes the record after the user confirmed, then goes to `next`. */
  protected async deleteRecord(
    remove: (services: AppServices, id: EntityId) => Promise<unknown>,
    next: () => string,
  ): Promise<void> {
    const services = this.services;
    const id = this.recordId;
    if (!services || id === null) return;
    const deleted = await runWrite(this, 'Not deleted', () => remove(services, id));
    this._deleting = null;
    if (!deleted) return;
    this.dirty = false;
    this.navigate(next());
  }
}
