/**
 * One client: their details (create or edit), their pets, "Book appointment" for them, and
 * "Delete client…" for administrators (refused while the client has pets). A new client is
 * created locally at once; the screen then moves to the client's page (temp id) so pets can be
 * added straight away.
 */
import { initialState } from '@lit/task';
import { css, html, nothing } from 'lit';
import type { LocalPet, LocalUser } from '../api/entities.ts';
import { describeError } from '../api/http.ts';
import { confirmGroup, deniedAction, focusSafeChoice, refusal } from '../components/confirm.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import { isTempId, type EntityId } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { bookingPath } from '../router.ts';
import { backLink, focusFirstInvalid, textField } from './fields.ts';
import { formStyles } from './form-styles.ts';
import {
  CLIENT_MAX,
  clientChanges,
  clientDraftFrom,
  clientInput,
  emptyClientDraft,
  validateClient,
  type ClientDraft,
  type ClientErrors,
} from './record-drafts.ts';
import { ScreenElement } from './screen.ts';
import { ScreenLoad, recordLoadStates } from './screen-load.ts';
import { runWrite } from './write-action.ts';

interface ClientRecord {
  record: LocalUser;
  pets: LocalPet[];
}
/** "Delete client…" opened: a confirmation, or the reason it cannot be done yet. */
type Deleting = 'confirm' | 'has-pets' | null;

export class ClientScreen extends ScreenElement {
  static override properties = {
    recordId: { attribute: false },
    _record: { state: true },
    _draft: { state: true },
    _errors: { state: true },
    _error: { state: true },
    _saving: { state: true },
    _saved: { state: true },
    _deleting: { state: true },
  };

  /** The client; null for "New client". */
  declare recordId: EntityId | null;
  declare _record: LocalUser | null;
  declare _draft: ClientDraft;
  declare _errors: ClientErrors;
  /** Why the last save or deletion failed. */
  declare _error: string | null;
  declare _saving: boolean;
  declare _saved: boolean;
  declare _deleting: Deleting;
  private dirty = false;

  /** The client and their pets; the form is filled from the record unless the user changed it. */
  private readonly load = new ScreenLoad(this, {
    args: () => [this.services, this.recordId] as const,
    task: async ([services, id]): Promise<ClientRecord | typeof initialState> => {
      if (!services || id === null) return initialState;
      const [record, pets] = await Promise.all([services.entities.getUser(id), services.entities.listPets(id)]);
      return { record, pets: pets.filter((p) => !p.deletedAt).sort((a, b) => a.name.localeCompare(b.name)) };
    },
    onComplete: ({ record }) => {
      this._record = record;
      if (!this.dirty) this._draft = clientDraftFrom(record);
    },
  });

  static override styles = [
    controls,
    formStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
        gap: var(--sd-space-3);
      }
      a.pet {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-1);
        color: inherit;
        text-decoration: none;
        min-height: 72px;
      }
      a.pet:hover {
        background: var(--sd-color-primary-soft);
      }
      .pet .name {
        font-weight: 700;
        display: flex;
        gap: var(--sd-space-2);
        flex-wrap: wrap;
        align-items: center;
      }
      .meta {
        color: var(--sd-color-text-muted);
      }
      section {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-3);
      }
    `,
  ];

  constructor() {
    super();
    this.recordId = null;
    this._record = null;
    this._draft = emptyClientDraft();
    this._errors = {};
    this._error = null;
    this._saving = false;
    this._saved = false;
    this._deleting = null;
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
        this.dirty = false;
        this._record = null;
        this._draft = emptyClientDraft();
        this._errors = {};
        this._saved = false;
        this._deleting = null;
      }
    }
  }

  override render() {
    if (this.recordId === null) return this.renderForm([]);
    return this.load.render({
      ...recordLoadStates(() => this.load.run(), {
        message: 'This client is not on this tablet.',
        href: '/clients',
        label: 'Back to clients',
      }),
      complete: ({ pets }) => this.renderForm(pets),
    });
  }

  private renderForm(pets: LocalPet[]) {
    const record = this._record;
    const creating = this.recordId === null;
    const e = this._errors;
    return html`
      <form @submit=${this.onSubmit} novalidate aria-labelledby="client-title">
        ${backLink('/clients', 'All clients')}
        <div class="heading">
          <h1 id="client-title">${creating ? 'New client' : (record?.name ?? 'Client')}</h1>
          ${syncBadge(record)}
        </div>
        ${record ? html`<p class="reference" data-testid="record-reference">${isTempId(record.id) ? 'Reference: assigned when synced' : `Reference #${record.id}`}</p>` : nothing}
        <div class="card grid">
          ${textField({ id: 'name', label: 'Name', value: this._draft.name, error: e.name, autocomplete: 'name', maxLength: CLIENT_MAX.name, onInput: (v) => this.set('name', v) })}
          ${textField({ id: 'phone', label: 'Phone', type: 'tel', value: this._draft.phone, error: e.phone, optional: true, autocomplete: 'tel', maxLength: CLIENT_MAX.phone, onInput: (v) => this.set('phone', v) })}
          ${textField({ id: 'email', label: 'Email', type: 'email', value: this._draft.email, error: e.email, optional: true, autocomplete: 'email', maxLength: CLIENT_MAX.email, onInput: (v) => this.set('email', v) })}
        </div>
        ${this._error ? html`<p class="banner error" role="alert">${this._error}</p>` : nothing}
        ${this._saved ? html`<p class="banner info" role="status">Saved on this tablet${record?._pending ? '; it will be sent at the next sync' : ''}.</p>` : nothing}
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this._saving}>
            ${this._saving ? 'Saving…' : creating ? 'Create client' : 'Save changes'}
          </button>
          ${
            creating || this.denied('create', 'appointments')
              ? nothing
              : html`<a class="button" href=${bookingPath({ clientId: this.recordId })}>Book appointment</a>`
          }
          ${creating ? nothing : html`<span class="record-actions">${this.renderDelete(record, pets)}</span>`}
        </div>
      </form>
      ${creating ? nothing : this.renderPets(pets)}
    `;
  }

  private renderDelete(record: LocalUser | null, pets: LocalPet[]) {
    const denied = this.denied('delete', 'users');
    if (denied) return deniedAction('delete-client', 'Delete client…', denied);
    const name = record?.name ?? 'This client';
    if (this._deleting === 'has-pets') {
      const names = pets.map((p) => p.name);
      return refusal(
        html`<p>
          <strong>${name} cannot be deleted while they have ${names.length === 1 ? 'a pet' : 'pets'}:</strong>
          ${names.join(', ')}. Delete ${names.length === 1 ? 'the pet' : 'each pet'} from
          ${names.length === 1 ? 'its' : 'their'} page first, then the client.
        </p>`,
        () => (this._deleting = null),
      );
    }
    if (this._deleting === 'confirm') {
      return confirmGroup({
        label: 'Confirm deletion',
        message: html`<p>Delete ${name} from the practice’s records for good? Every tablet drops them once synced.</p>`,
        confirm: 'Yes, delete client',
        keep: 'Keep',
        busy: this._saving,
        onConfirm: () => void this.onDelete(),
        onKeep: () => (this._deleting = null),
      });
    }
    return html`<button type="button" class="danger" @click=${() => this.openDelete(pets)}>Delete client…</button>`;
  }

  private openDelete(pets: LocalPet[]): void {
    this._deleting = pets.length > 0 ? 'has-pets' : 'confirm';
    void focusSafeChoice(this);
  }

  private readonly onDelete = async (): Promise<void> => {
    const services = this.services;
    const id = this.recordId;
    if (!services || id === null) return;
    // The worker refuses it too while the client has pets (409 HAS_DEPENDENTS, naming them).
    const deleted = await runWrite(this, 'Not deleted', () => services.entities.deleteClient(id));
    this._deleting = null;
    if (!deleted) return;
    this.dirty = false;
    this.navigate('/clients');
  };

  private renderPets(pets: LocalPet[]) {
    const id = encodeURIComponent(String(this.recordId));
    return html`
      <section class="card" aria-labelledby="pets-heading" style="margin-top: var(--sd-space-5)">
        <div class="toolbar">
          <h2 id="pets-heading">Pets</h2>
          <span class="spacer"></span>
          ${this.denied('create', 'pets') ? nothing : html`<a class="button primary" href="/clients/${id}/pets/new">+ Add pet</a>`}
        </div>
        ${
          pets.length === 0
            ? html`<p class="empty">No pets yet.</p>`
            : html`<ul aria-label="Pets">
                ${pets.map(
                  (p) =>
                    html`<li>
                      <a
                        class="pet card"
                        href="/clients/${id}/pets/${encodeURIComponent(String(p.id))}"
                        data-pet-id=${String(p.id)}
                      >
                        <span class="name">${p.name} ${syncBadge(p)}</span>
                        <span class="meta"
                          >${[p.species, p.breed].filter(Boolean).join(' · ')}${p.birthDate ? ` · born ${p.birthDate}` : ''}</span
                        >
                      </a>
                    </li>`,
                )}
              </ul>`
        }
      </section>
    `;
  }

  private set(field: keyof ClientDraft, value: string): void {
    this.dirty = true;
    this._saved = false;
    this._draft = { ...this._draft, [field]: value };
    const { [field]: _fixed, ...rest } = this._errors;
    this._errors = rest;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const services = this.services;
    if (!services || this._saving) return;
    this._errors = validateClient(this._draft);
    if (Object.keys(this._errors).length > 0) return focusFirstInvalid(this);
    this._saving = true;
    this._error = null;
    try {
      const input = clientInput(this._draft);
      if (this.recordId === null) {
        const created = await services.entities.createClient(input);
        this.dirty = false;
        this.navigate(`/clients/${encodeURIComponent(String(created.id))}`);
        return;
      }
      if (this._record) {
        const changes = clientChanges(this._record, input);
        if (Object.keys(changes).length > 0)
          this._record = await services.entities.updateClient(this.recordId, changes);
      }
      this.dirty = false;
      this._saved = true;
    } catch (error) {
      this._error = `Not saved: ${describeError(error)}`;
    } finally {
      this._saving = false;
    }
  }
}

customElements.define('client-screen', ClientScreen);

declare global {
  interface HTMLElementTagNameMap {
    'client-screen': ClientScreen;
  }
}
