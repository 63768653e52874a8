/**
 * One client: their details (create or edit), their pets, "Book appointment" for them, and
 * "Delete client…" for administrators (refused while the client has pets). A new client is
 * created locally at once; the screen then moves to the client's page (temp id) so pets can be
 * added straight away.
 */
import { initialState } from '@lit/task';
import { css, html, nothing } from 'lit';
import type { LocalPet, LocalUser } from '../api/entities.ts';
import { confirmGroup, deniedAction, focusSafeChoice, refusal } from '../components/confirm.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { isTempId } from '../protocol/index.ts';
import { formatCalendarDate } from '../format.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { bookingPath } from '../router.ts';
import { backLink, textField } from './fields.ts';
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
  type ClientFields,
} from './record-drafts.ts';
import { RecordScreen } from './record-screen.ts';
import { ScreenLoad, recordLoadStates } from './screen-load.ts';

interface ClientRecord {
  record: LocalUser;
  pets: LocalPet[];
}
/** "Delete client…" opened: a confirmation, or the reason it cannot be done yet. */
type Deleting = 'confirm' | 'has-pets';

export class ClientScreen extends RecordScreen<LocalUser, ClientDraft, ClientFields, Deleting> {
  static override properties = {
    _saved: { state: true },
  };

  declare _saved: boolean;

  readonly unsavedChangesNoun = 'client’s details';
  /** The client and their pets. */
  protected readonly load = new ScreenLoad(this, {
    args: () => [this.services, this.recordId] as const,
    task: async ([services, id]): Promise<ClientRecord | typeof initialState> => {
      if (!services || id === null) return initialState;
      const [record, pets] = await Promise.all([services.entities.getUser(id), services.entities.listPets(id)]);
      return { record, pets: pets.filter((p) => !p.deletedAt).sort((a, b) => a.name.localeCompare(b.name)) };
    },
    onComplete: ({ record }) => this.loaded(record),
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
    this._saved = false;
  }

  protected emptyDraft(): ClientDraft {
    return emptyClientDraft();
  }

  protected draftFrom(record: LocalUser): ClientDraft {
    return clientDraftFrom(record);
  }

  protected inputFrom(draft: ClientDraft): ClientFields {
    return clientInput(draft);
  }

  protected validate(draft: ClientDraft): ClientErrors {
    return validateClient(draft);
  }

  protected override resetForm(): void {
    super.resetForm();
    this._saved = false;
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

  // The worker refuses it too while the client has pets (409 HAS_DEPENDENTS, naming them).
  private readonly onDelete = (): Promise<void> =>
    this.deleteRecord(
      (services, id) => services.entities.deleteClient(id),
      () => '/clients',
    );

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
                          >${[p.species, p.breed].filter(Boolean).join(' · ')}${p.birthDate ? ` · born ${formatCalendarDate(p.birthDate)}` : ''}</span
                        >
                      </a>
                    </li>`,
                )}
              </ul>`
        }
      </section>
    `;
  }

  protected override set(field: keyof ClientDraft, value: string): void {
    this._saved = false;
    super.set(field, value);
  }

  protected async save(services: AppServices, input: ClientFields): Promise<string | null> {
    if (this.recordId === null) {
      const created = await services.entities.createClient(input);
      return `/clients/${encodeURIComponent(String(created.id))}`;
    }
    if (this._record) {
      const changes = clientChanges(this._record, input);
      if (Object.keys(changes).length > 0) this._record = await services.entities.updateClient(this.recordId, changes);
    }
    this._saved = true;
    return null;
  }
}

customElements.define('client-screen', ClientScreen);

declare global {
  interface HTMLElementTagNameMap {
    'client-screen': ClientScreen;
  }
}
