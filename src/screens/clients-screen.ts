/** Clients of the practice (users with role CLIENT), searchable, with their pets' names. */
import { css, html, nothing } from 'lit';
import type { LocalPet, LocalUser } from '../api/entities.ts';
import { describeError } from '../api/http.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { ScreenElement } from './screen.ts';

type LoadStatus = 'loading' | 'ready' | 'error';

export class ClientsScreen extends ScreenElement {
  static override properties = {
    _clients: { state: true },
    _pets: { state: true },
    _query: { state: true },
    _status: { state: true },
    _error: { state: true },
  };

  declare _clients: LocalUser[];
  declare _pets: LocalPet[];
  declare _query: string;
  declare _status: LoadStatus;
  declare _error: string | null;

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .toolbar {
        margin: var(--sd-space-3) 0 var(--sd-space-4);
      }
      .search {
        flex: 1 1 280px;
        max-width: 480px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
        gap: var(--sd-space-3);
      }
      a.row {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-1);
        color: inherit;
        text-decoration: none;
        min-height: 88px;
        height: 100%;
      }
      a.row:hover {
        background: var(--sd-color-primary-soft);
      }
      .name {
        font-weight: 700;
        font-size: 1.1rem;
        display: flex;
        flex-wrap: wrap;
        gap: var(--sd-space-2);
        align-items: center;
      }
      .meta {
        color: var(--sd-color-text-muted);
        overflow-wrap: anywhere;
      }
      .empty {
        color: var(--sd-color-text-muted);
      }
    `,
  ];

  constructor() {
    super();
    this._clients = [];
    this._pets = [];
    this._query = '';
    this._status = 'loading';
    this._error = null;
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['users', 'pets'],
      onChange: () => void this.load(),
    });
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('services')) void this.load();
  }

  async load(): Promise<void> {
    const services = this.services;
    if (!services) return;
    try {
      const [clients, pets] = await Promise.all([services.entities.listUsers('CLIENT'), services.entities.listPets()]);
      this._clients = clients.filter((c) => !c.deletedAt).sort((a, b) => a.name.localeCompare(b.name));
      this._pets = pets.filter((p) => !p.deletedAt);
      this._status = 'ready';
    } catch (error) {
      this._status = 'error';
      this._error = describeError(error);
    }
  }

  private get visible(): LocalUser[] {
    const q = this._query.trim().toLowerCase();
    if (!q) return this._clients;
    return this._clients.filter((c) => {
      const pets = this.petsOf(c).map((p) => p.name);
      return [c.name, c.email ?? '', c.phone ?? '', ...pets].some((v) => v.toLowerCase().includes(q));
    });
  }

  private petsOf(client: LocalUser): LocalPet[] {
    return this._pets.filter((p) => String(p.ownerId) === String(client.id));
  }

  override render() {
    return html`
      <h1>Clients</h1>
      <div class="toolbar">
        <div class="search field">
          <label for="search">Search clients and pets</label>
          <input
            id="search"
            type="search"
            .value=${this._query}
            placeholder="Name, phone, email or pet"
            @input=${(e: Event) => (this._query = (e.target as HTMLInputElement).value)}
          />
        </div>
        <span class="spacer"></span>
        ${this.denied('create', 'users') ? nothing : html`<a class="button primary" href="/clients/new">+ New client</a>`}
      </div>
      ${this.renderBody()}
    `;
  }

  private renderBody() {
    if (this._status === 'loading') return html`<p role="status">Loading clients…</p>`;
    if (this._status === 'error') {
      return html`<div class="banner error" role="alert">
        <p>The clients could not be loaded: ${this._error}</p>
        <button @click=${() => void this.load()}>Try again</button>
      </div>`;
    }
    const visible = this.visible;
    if (visible.length === 0)
      return html`<p class="empty card">${this._query ? 'No client matches the search.' : 'No clients yet.'}</p>`;
    return html`
      <p class="visually-hidden" role="status">${visible.length} clients</p>
      <ul aria-label="Clients">
        ${visible.map((c) => {
          const pets = this.petsOf(c);
          return html`<li>
            <a class="row card" href="/clients/${encodeURIComponent(String(c.id))}" data-client-id=${String(c.id)}>
              <span class="name">${c.name} ${syncBadge(c)}</span>
              <span class="meta">${[c.phone, c.email].filter(Boolean).join(' · ') || 'No contact details'}</span>
              <span class="meta">${pets.length ? `Pets: ${pets.map((p) => p.name).join(', ')}` : 'No pets'}</span>
            </a>
          </li>`;
        })}
      </ul>
    `;
  }
}

customElements.define('clients-screen', ClientsScreen);

declare global {
  interface HTMLElementTagNameMap {
    'clients-screen': ClientsScreen;
  }
}
