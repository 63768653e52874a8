/** The Sync tab: the sync panel (with names from the replica), and the auto-sync and debug switches. */
import { css, html, nothing } from 'lit';
import '../components/sync-engine-panel.ts';
import type { PanelNames } from '../components/sync-engine-panel.ts';
import type { NetworkMonitor } from '../controllers/network-monitor.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import { AUTO_SYNC_KEY, DEBUG_KEY, isDebugEnabled } from '../settings.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { mayDecideOnChange, type EntityId, type EntityType } from '../protocol/index.ts';
import { Directory } from './directory.ts';
import { ScreenElement } from './screen.ts';

export class SyncScreen extends ScreenElement {
  static override properties = {
    monitor: { attribute: false },
    storage: { attribute: false },
    _directory: { state: true },
    _settingsVersion: { state: true },
    _signedInHere: { state: true },
  };

  declare monitor: NetworkMonitor | null;
  /** Where the switches are remembered (localStorage). */
  declare storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  declare _directory: Directory;
  declare _settingsVersion: number;
  /** Names of people who signed in on this tablet (the worker remembers them), by user id. */
  declare _signedInHere: ReadonlyMap<number | null, string>;
  private namesFor: { directory: Directory; names: PanelNames } | null = null;

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-4);
      }
      section.card {
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-2);
      }
    `,
  ];

  constructor() {
    super();
    this.monitor = null;
    this.storage = null;
    this._directory = Directory.empty();
    this._settingsVersion = 0;
    this._signedInHere = new Map();
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['users', 'pets'],
      onChange: () => void this.loadDirectory(),
    });
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('services')) void this.loadDirectory();
  }

  private async loadDirectory(): Promise<void> {
    if (!this.services) return;
    try {
      this._directory = await Directory.load(this.services.entities);
    } catch {
      // Names are a nicety in the conflict dialog: ids are shown without them.
    }
    try {
      const waiting = await this.services.client.send({ type: 'GET_WAITING_WORK' });
      this._signedInHere = new Map(waiting.flatMap((w) => (w.name === null ? [] : [[w.userId, w.name] as const])));
      this.namesFor = null;
    } catch {
      // No worker: nothing waits on this tablet.
    }
  }

  override render() {
    const monitor = this.monitor;
    const debug = isDebugEnabled(this.storage);
    return html`
      <h1>Sync</h1>
      <sync-engine-panel
        .services=${this.services}
        .describeValue=${(field: string, value: unknown) => this._directory.describe(field, value)}
        .names=${this.panelNames()}
      ></sync-engine-panel>
      <section class="card" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        ${
          monitor
            ? html`<label class="switch">
                <input type="checkbox" .checked=${monitor.settings.autoSyncEnabled} @change=${this.onAutoSync} />
                Sync automatically when the connection returns
              </label>`
            : nothing
        }
        <label class="switch">
          <input type="checkbox" .checked=${debug} @change=${this.onDebug} />
          Debug logging in the browser console (${DEBUG_KEY})
        </label>
      </section>
    `;
  }

  /** Record and people names for the change list (a new object when the directory changed). */
  private panelNames(): PanelNames {
    const directory = this._directory;
    if (this.namesFor?.directory === directory) return this.namesFor.names;
    const names: PanelNames = {
      record: (entityType, id) => this.recordName(entityType, id),
      person: (userId) => directory.user(userId)?.name ?? this._signedInHere.get(userId) ?? null,
      waitsFor: (userId) => {
        if (!this.user || userId === this.user.id) return null;
        return (
          (userId === null ? null : directory.user(userId)?.name) ??
          this._signedInHere.get(userId) ??
          'the person who made it'
        );
      },
      mayDecide: (userId) => mayDecideOnChange(userId, this.user?.id ?? null),
    };
    this.namesFor = { directory, names };
    return names;
  }

  private async recordName(entityType: EntityType, id: EntityId): Promise<string | null> {
    const entities = this.services?.entities;
    if (!entities) return null;
    try {
      if (entityType === 'appointments') return (await entities.getAppointment(id)).title;
      return (entityType === 'pets' ? await entities.getPet(id) : await entities.getUser(id)).name;
    } catch {
      return null; // deleted here, or unknown: the row shows the reference instead
    }
  }

  private readonly onAutoSync = (event: Event): void => {
    const enabled = (event.target as HTMLInputElement).checked;
    this.monitor?.setOptions({ autoSyncEnabled: enabled });
    this.storage?.setItem(AUTO_SYNC_KEY, String(enabled));
    this._settingsVersion++;
  };

  private readonly onDebug = (event: Event): void => {
    const enabled = (event.target as HTMLInputElement).checked;
    this.storage?.setItem(DEBUG_KEY, String(enabled));
    void this.monitor?.forwardDebug();
    this._settingsVersion++;
  };
}

customElements.define('sync-screen', SyncScreen);

declare global {
  interface HTMLElementTagNameMap {
    'sync-screen': SyncScreen;
  }
}
