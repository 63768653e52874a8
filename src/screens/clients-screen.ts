/** Clients of the practice (users with role CLIENT), searchable, with their pets' names. */
import { initialState } from '@lit/task';
import { css, html, nothing } from 'lit';
import type { LocalPet, LocalUser } from '../api/entities.ts';
import { describeError } from '../api/http.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { ScreenElement } from './screen.ts';
import { ScreenLoad, loadFailed } from './screen-load.ts';

interface ClientList {
  clients: LocalUser[];
  pets: LocalPet[];
}

export class ClientsScreen extends ScreenElement {
  static override properties = {
    _query: { state: true },
  };

  declare _query: string;

  private readonly load = new ScreenLoad(this, {
    args: () => [this.services] as const,
    task: async ([services]): Promise<ClientList | typeof initialState> => {
      if (!services) return initialState;
      const [clients, pets] = await Promise.all([services.entities.listUsers('CLIENT'), services.entities.listPets()]);
      return {
        clients: clients.filter((c) => !c.deletedAt).sort((a, b) => a.name.localeCompare(b.name)),
        pets: pets.filter((p) => !p.deletedAt),
      };
    },
  });

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
    this._query = '';
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['users', 'pets'],
      onChange: () => void this.load.run(),
    });
  }

  private visible({ clients, pets }: ClientList): LocalUser[] {
    const q = this._query.trim().toLowerCase();
    if (!q) return clients;
    return clients.filter((c) => {
      const names = petsOf(c, pets).map((p) => p.name);
      return [c.name, c.email ?? '', c.phone ?? '', ...names].some((v) => v.toLowerCase().includes(q));
    });
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
    return this.load.render({
      pending: () => html`<p role="status">Loading clients…</p>`,
      error: (error) => loadFailed(`The clients could not be loaded: ${describeError(error)}`, () => this.load.run()),
      complete: (list) => this.renderList(list),
    });
  }

  private renderList(list: ClientList) {
    const visible = this.visible(list);
    if (visible.length === 0)
      return html`<p class="empty card">${this._query ? 'No client matches the search.' : 'No clients yet.'}</p>`;
    return html`
      <p class="visually-hidden" role="status">${visible.length} clients</p>
      <ul aria-label="Clients">
        ${visible.map((c) => {
          const pets = petsOf(c, list.pets);
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

function petsOf(client: LocalUser, pets: LocalPet[]): LocalPet[] {
  return pets.filter((p) => String(p.ownerId) === String(client.id));
}

customElements.define('clients-screen', ClientsScreen);

declare global {
  interface HTMLElementTagNameMap {
    'clients-screen': ClientsScreen;
  }
}
