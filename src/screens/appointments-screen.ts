/** Appointments of one day, with a date picker. Reads the replica, so it works offline. */
import { initialState } from '@lit/task';
import { css, html, nothing } from 'lit';
import type { LocalAppointment } from '../api/entities.ts';
import { describeError } from '../api/http.ts';
import { chevron } from '../components/icons.ts';
import { syncBadge } from '../components/sync-badge.ts';
import { ReplicaChangesController } from '../controllers/replica-changes-controller.ts';
import {
  addDays,
  dayRange,
  formatDuration,
  formatLongDate,
  formatTime,
  localDateKey,
  parseDateKey,
} from '../format.ts';
import { appointmentTypeLabel } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';
import { controls } from '../styles/controls.ts';
import { onPurposeMark } from './clash-warning.ts';
import { Directory } from './directory.ts';
import { STATUS_LABEL } from './appointment-options.ts';
import { ScreenElement } from './screen.ts';
import { ScreenLoad, loadFailed } from './screen-load.ts';

interface DayList {
  appointments: LocalAppointment[];
  directory: Directory;
}

export class AppointmentsScreen extends ScreenElement {
  static override properties = {
    date: { type: String },
  };

  /** `YYYY-MM-DD`; null for today. */
  declare date: string | null;

  /** The day's appointments and the names they show; a day asked for later wins over an earlier one. */
  private readonly load = new ScreenLoad(this, {
    args: () => [this.services, this.day] as const,
    task: async ([services, day]): Promise<DayList | typeof initialState> => {
      if (!services) return initialState;
      const [appointments, directory] = await Promise.all([
        services.entities.listAppointments(dayRange(day)),
        Directory.load(services.entities),
      ]);
      // The range is in UTC instants; keep exactly the local day, and no deleted rows.
      const ofDay = appointments.filter((a) => !a.deletedAt && localDateKey(new Date(a.date)) === day);
      return { appointments: ofDay.sort((a, b) => a.date.localeCompare(b.date)), directory };
    },
  });

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .toolbar {
        margin-bottom: var(--sd-space-4);
      }
      .day {
        display: flex;
        align-items: center;
        gap: var(--sd-space-2);
        flex-wrap: wrap;
      }
      .day input {
        width: auto;
      }
      .step {
        padding: 0;
      }
      h1 {
        margin-bottom: var(--sd-space-3);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-3);
      }
      a.row {
        display: grid;
        grid-template-columns: 7.5rem 1fr auto;
        gap: var(--sd-space-2) var(--sd-space-4);
        align-items: center;
        min-height: 72px;
        color: inherit;
        text-decoration: none;
        border-inline-start: 6px solid var(--sd-color-primary);
      }
      a.row:hover {
        background: var(--sd-color-primary-soft);
      }
      a.row.cancelled {
        border-inline-start-color: var(--sd-color-border);
      }
      a.row.cancelled .title {
        text-decoration: line-through;
      }
      .time {
        font-size: 1.3rem;
        font-weight: 700;
        white-space: nowrap;
      }
      .time small {
        display: block;
        font-size: 0.9rem;
        font-weight: 500;
        color: var(--sd-color-text-muted);
      }
      .title {
        font-weight: 700;
        font-size: 1.1rem;
      }
      .meta {
        color: var(--sd-color-text-muted);
      }
      .tags {
        display: flex;
        flex-direction: column;
        align-items: flex-end;
        gap: var(--sd-space-1);
      }
      .empty {
        padding: var(--sd-space-5);
        text-align: center;
        color: var(--sd-color-text-muted);
      }
    `,
  ];

  constructor() {
    super();
    this.date = null;
  }

  protected setup(services: AppServices): void {
    new ReplicaChangesController(this, services.client, {
      entityTypes: ['appointments', 'pets', 'users'],
      onChange: () => void this.load.run(),
    });
  }

  private get day(): string {
    return this.date ?? localDateKey(new Date(this.services?.now() ?? Date.now()));
  }

  override render() {
    const day = this.day;
    const today = localDateKey(new Date(this.services?.now() ?? Date.now()));
    return html`
      <h1>Appointments</h1>
      <div class="toolbar">
        <div class="day" role="group" aria-label="Day">
          <button
            class="step"
            @click=${() => this.goTo(addDays(day, -1))}
            aria-label="Previous day"
            title="Previous day"
          >
            ${chevron('back')}
          </button>
          <label class="visually-hidden" for="day">Day</label>
          <input id="day" type="date" .value=${day} @change=${this.onDateInput} />
          <button class="step" @click=${() => this.goTo(addDays(day, 1))} aria-label="Next day" title="Next day">
            ${chevron('forward')}
          </button>
          <button ?disabled=${day === today} @click=${() => this.goTo(today)}>Today</button>
        </div>
        <span class="spacer"></span>
        ${this.denied('create', 'appointments') ? nothing : html`<a class="button primary" href="/appointments/new?date=${day}">+ Book appointment</a>`}
      </div>
      <h2 id="day-heading" aria-live="polite">${formatLongDate(day)}</h2>
      ${this.renderBody()}
    `;
  }

  private renderBody() {
    return this.load.render({
      pending: () => html`<p class="empty" role="status">Loading appointments…</p>`,
      error: (error) =>
        loadFailed(`The appointments could not be loaded: ${describeError(error)}`, () => this.load.run()),
      complete: ({ appointments, directory }) => {
        if (appointments.length === 0) return html`<p class="empty card">No appointments on this day.</p>`;
        return html`
          <ul aria-labelledby="day-heading" style="margin-top: var(--sd-space-3)">
            ${appointments.map((a) => this.renderRow(a, directory))}
          </ul>
        `;
      },
    });
  }

  private renderRow(a: LocalAppointment, dir: Directory) {
    const pet = dir.pet(a.petId);
    const client = dir.user(a.clientId) ?? dir.ownerOfPet(a.petId);
    const vet = dir.user(a.practitionerId);
    return html`
      <li>
        <a
          class="row card ${a.status === 'cancelled' ? 'cancelled' : ''}"
          href="/appointments/${encodeURIComponent(String(a.id))}"
          data-appointment-id=${String(a.id)}
        >
          <span class="time">${formatTime(a.date)}<small>${formatDuration(a.durationMinutes)}</small></span>
          <span>
            <span class="title">${a.title}</span><br />
            <span class="meta">
              ${pet ? `${pet.name} (${pet.species})` : 'Unknown pet'} ·
              ${client?.name ?? 'Unknown client'}${vet ? ` · ${vet.name}` : ''}
            </span>
          </span>
          <span class="tags">
            <span class="badge muted">${appointmentTypeLabel(a.type)}</span>
            ${a.status !== 'scheduled' ? html`<span class="badge ${a.status === 'cancelled' ? 'conflict' : 'ok'}">${STATUS_LABEL[a.status]}</span>` : nothing}
            ${a.overlapAllowed && a.status !== 'cancelled' ? onPurposeMark() : nothing} ${syncBadge(a)}
          </span>
        </a>
      </li>
    `;
  }

  private onDateInput(event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    if (value && !Number.isNaN(parseDateKey(value).getTime())) this.goTo(value);
  }

  private goTo(day: string): void {
    this.navigate(`/appointments?date=${day}`);
  }
}

customElements.define('appointments-screen', AppointmentsScreen);

declare global {
  interface HTMLElementTagNameMap {
    'appointments-screen': AppointmentsScreen;
  }
}
