/**
 * Register or edit a pet of a client; "Book appointment" for it; "Delete pet…" for administrators,
 * whose confirmation names the upcoming appointments that are cancelled with it.
 */
import { initialState } from '@lit/task';
import { html, nothing } from 'lit';
import type { LocalAppointment, LocalPet, LocalUser, PetInput } from '../api/entities.ts';
import { describeError } from '../api/http.ts';
import { confirmGroup, deniedAction, focusSafeChoice, refusal } from '../components/confirm.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { formatDateTime, localDateKey, plural } from '../format.ts';
import { isTempId, type EntityId } from '../protocol/index.ts';
import { bookingPath } from '../router.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { backLink, textField } from './fields.ts';
import { formStyles } from './form-styles.ts';
import { MAX_CASCADE, upcomingAppointments } from './pet-deletion.ts';
import {
  PET_MAX,
  SPECIES,
  emptyPetDraft,
  petChanges,
  petDraftFrom,
  petInput,
  validatePet,
  type PetDraft,
  type PetErrors,
} from './record-drafts.ts';
import { RecordScreen } from './record-screen.ts';
import { ScreenLoad, recordLoadStates } from './screen-load.ts';

interface PetRecord {
  owner: LocalUser;
  /** Null while registering a new pet. */
  record: LocalPet | null;
}
/** "Delete pet…" opened: null, or the upcoming appointments it would cancel (once read). */
interface Deleting {
  upcoming: LocalAppointment[] | null;
}

/** The confirmation lists this many appointments by name, then "and N more". */
const LISTED = 8;

export class PetScreen extends RecordScreen<LocalPet, PetDraft, PetInput, Deleting> {
  static override properties = {
    clientId: { attribute: false },
  };

  declare clientId: EntityId | null;

  readonly unsavedChangesNoun = 'pet’s details';
  /** The owner and (editing) the pet. */
  protected readonly load = new ScreenLoad(this, {
    args: () => [this.services, this.clientId, this.recordId] as const,
    task: async ([services, clientId, id]): Promise<PetRecord | typeof initialState> => {
      if (!services || clientId === null) return initialState;
      const [owner, record] = await Promise.all([
        services.entities.getUser(clientId),
        id === null ? Promise.resolve(null) : services.entities.getPet(id),
      ]);
      return { owner, record };
    },
    onComplete: ({ record }) => this.loaded(record),
  });

  static override styles = [controls, formStyles];

  constructor() {
    super();
    this.clientId = null;
  }

  protected emptyDraft(): PetDraft {
    return emptyPetDraft();
  }

  protected draftFrom(record: LocalPet): PetDraft {
    return petDraftFrom(record);
  }

  /** Null until the owner is known. */
  protected inputFrom(draft: PetDraft): PetInput | null {
    return this.clientId === null ? null : petInput(draft, this.clientId);
  }

  protected validate(draft: PetDraft, services: AppServices): PetErrors {
    return validatePet(draft, localDateKey(new Date(services.now())));
  }

  protected async save(services: AppServices, input: PetInput): Promise<string> {
    if (this.recordId === null) await services.entities.createPet(input);
    else if (this._record) {
      const changes = petChanges(this._record, input);
      if (Object.keys(changes).length > 0) await services.entities.updatePet(this.recordId, changes);
    }
    return this.ownerPath;
  }

  private get ownerPath(): string {
    return `/clients/${encodeURIComponent(String(this.clientId))}`;
  }

  override render() {
    return this.load.render({
      ...recordLoadStates(() => this.load.run(), {
        message: 'This pet or its owner is not on this tablet.',
        href: '/clients',
        label: 'Back to clients',
      }),
      complete: ({ owner }) => this.renderForm(owner),
    });
  }

  private renderForm(owner: LocalUser) {
    const creating = this.recordId === null;
    const record = this._record;
    const e = this._errors;
    const today = localDateKey(new Date(this.services?.now() ?? Date.now()));
    return html`
      <form @submit=${this.onSubmit} novalidate aria-labelledby="pet-title">
        ${backLink(this.ownerPath, owner.name)}
        <div class="heading">
          <h1 id="pet-title">${creating ? `New pet for ${owner.name}` : (record?.name ?? 'Pet')}</h1>
          ${syncBadge(record)}
        </div>
        ${record ? html`<p class="reference" data-testid="record-reference">${isTempId(record.id) ? 'Reference: assigned when synced' : `Reference #${record.id}`} · Owner: ${owner.name}</p>` : nothing}
        <div class="card grid">
          ${textField({ id: 'name', label: 'Name', value: this._draft.name, error: e.name, maxLength: PET_MAX.name, onInput: (v) => this.set('name', v) })}
          ${textField({ id: 'species', label: 'Species', value: this._draft.species, error: e.species, list: 'species-list', maxLength: PET_MAX.species, onInput: (v) => this.set('species', v) })}
          <datalist id="species-list">${SPECIES.map((s) => html`<option value=${s}></option>`)}</datalist>
          ${textField({ id: 'breed', label: 'Breed', value: this._draft.breed, error: e.breed, optional: true, maxLength: PET_MAX.breed, onInput: (v) => this.set('breed', v) })}
          ${textField({ id: 'birthDate', label: 'Birth date', type: 'date', value: this._draft.birthDate, error: e.birthDate, optional: true, max: today, onInput: (v) => this.set('birthDate', v) })}
        </div>
        ${this._error ? html`<p class="banner error" role="alert">${this._error}</p>` : nothing}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this._saving}>
            ${this._saving ? 'Saving…' : creating ? 'Register pet' : 'Save changes'}
          </button>
          <a class="button" href=${this.ownerPath}>Discard</a>
          ${
            creating || this.denied('create', 'appointments')
              ? nothing
              : html`<a class="button" href=${bookingPath({ clientId: this.clientId, petId: this.recordId })}
                  >Book appointment</a
                >`
          }
          ${creating ? nothing : html`<span class="record-actions">${this.renderDelete(record, owner)}</span>`}
        </div>
      </form>
    `;
  }

  private renderDelete(record: LocalPet | null, owner: LocalUser) {
    const denied = this.denied('delete', 'pets');
    if (denied) return deniedAction('delete-pet', 'Delete pet…', denied);
    const deleting = this._deleting;
    if (!deleting) return html`<button type="button" class="danger" @click=${this.openDelete}>Delete pet…</button>`;
    const upcoming = deleting.upcoming;
    if (upcoming === null) return html`<p role="status">Looking up ${record?.name ?? 'the pet'}’s appointments…</p>`;
    const name = record?.name ?? 'this pet';
    if (upcoming.length > MAX_CASCADE) {
      return refusal(
        html`<p>
          <strong>${name} has ${upcoming.length} upcoming appointments.</strong> Cancel them first (at most
          ${MAX_CASCADE} are cancelled with a pet), then delete it.
        </p>`,
        () => (this._deleting = null),
      );
    }
    return confirmGroup({
      label: 'Confirm deletion',
      message: html`<p>Delete ${name} from ${owner.name}’s pets for good?</p>
        ${
          upcoming.length === 0
            ? html`<p>${name} has no upcoming appointments. Past visits stay in the records.</p>`
            : html`<p>
                  <strong
                    >${upcoming.length === 1 ? 'This upcoming appointment is' : `These ${plural(upcoming.length, 'upcoming appointment')} are`}
                    cancelled with it:</strong
                  >
                </p>
                <ul data-testid="cancelled-with-pet">
                  ${upcoming.slice(0, LISTED).map((a) => html`<li>${formatDateTime(a.date)} — ${a.title}</li>`)}
                  ${upcoming.length > LISTED ? html`<li>and ${upcoming.length - LISTED} more</li>` : nothing}
                </ul>
                <p>Past visits stay in the records.</p>`
        }`,
      confirm: upcoming.length === 0 ? 'Yes, delete pet' : 'Yes, delete pet and cancel them',
      keep: 'Keep',
      busy: this._saving,
      onConfirm: () => void this.onDelete(),
      onKeep: () => (this._deleting = null),
    });
  }

  private readonly openDelete = async (): Promise<void> => {
    const services = this.services;
    if (!services || this.recordId === null) return;
    this._deleting = { upcoming: null };
    try {
      const all = await services.entities.listAppointmentsOfPet(this.recordId);
      if (this._deleting) this._deleting = { upcoming: upcomingAppointments(all, services.now()) };
      void focusSafeChoice(this);
    } catch (error) {
      this._deleting = null;
      this._error = `The pet’s appointments could not be read: ${describeError(error)}`;
    }
  };

  private readonly onDelete = (): Promise<void> =>
    this.deleteRecord(
      (services, id) => services.entities.deletePet(id),
      () => this.ownerPath,
    );
}

customElements.define('pet-screen', PetScreen);

declare global {
  interface HTMLElementTagNameMap {
    'pet-screen': PetScreen;
  }
}
