/**
 * The conflict dialog's view of a held double booking: this tablet's booking side by side with the
 * appointment(s) it overlaps (time, pet, client, practitioner, and who booked it where known), the
 * shared practitioner or pet marked.
 */
import { css, html, nothing } from 'lit';
import { formatDateTime, formatShortDay, formatTimeRange } from '../format.ts';
import type { ClashReason, ConflictRecord } from '../protocol/index.ts';
import { recordName } from './labels.ts';

/** Names for ids (pet, client, practitioner, and `petOwner`), null when unknown. */
export type Describe = (field: string, value: unknown) => string | null;

type Booking = Record<string, unknown>;

export const doubleBookingStyles = css`
  .bookings {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: var(--sd-space-3);
  }
  @media (max-width: 560px) {
    .bookings {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .side {
    display: flex;
    flex-direction: column;
    gap: var(--sd-space-2);
    min-width: 0;
  }
  .side h3 {
    font-size: 1.05rem;
  }
  .booking {
    border: 2px solid var(--sd-color-border-subtle);
    border-radius: var(--sd-radius);
    padding: var(--sd-space-3);
    display: flex;
    flex-direction: column;
    gap: var(--sd-space-2);
  }
  .booking.mine {
    border-color: var(--sd-color-warning-border);
    background: var(--sd-color-warning-soft);
  }
  .booking h4 {
    margin: 0;
    font-size: 1.05rem;
    overflow-wrap: anywhere;
  }
  .booking dl {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    gap: var(--sd-space-1) var(--sd-space-3);
    margin: 0;
  }
  .booking dt {
    color: var(--sd-color-text-muted);
    font-size: 0.95rem;
  }
  .booking dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .booking dd.same {
    font-weight: 700;
  }
  .booking .was {
    color: var(--sd-color-text-muted);
    font-size: 0.95rem;
  }
`;

/** The booking as this tablet wanted it: the server's record (held update) with the change over it. */
function heldBooking(conflict: ConflictRecord): Booking {
  return { ...conflict.serverData, ...conflict.localData };
}

function when(booking: Booking): string {
  const date = booking.date;
  const minutes = booking.durationMinutes;
  if (typeof date !== 'string' || !Number.isFinite(Date.parse(date))) return '—';
  const day = formatShortDay(date);
  return typeof minutes === 'string' || typeof minutes === 'number' ? `${day}, ${formatTimeRange(date, minutes)}` : day;
}

function name(describe: Describe, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return field === 'practitionerId' ? 'Not assigned' : '—';
  return describe(field, value) ?? `#${String(value)}`;
}

function client(describe: Describe, booking: Booking): string {
  const owner = booking.clientId ?? null;
  return owner !== null ? name(describe, 'clientId', owner) : (describe('petOwner', booking.petId) ?? '—');
}

function details(describe: Describe, booking: Booking, same: ClashReason | null, booked: string) {
  return html`
    <dl>
      <dt>Time</dt>
      <dd class="same">${when(booking)}</dd>
      <dt>Pet</dt>
      <dd class=${same === 'pet' ? 'same' : ''}>${name(describe, 'petId', booking.petId)}</dd>
      <dt>Client</dt>
      <dd>${client(describe, booking)}</dd>
      <dt>Practitioner</dt>
      <dd class=${same === 'practitioner' ? 'same' : ''}>
        ${name(describe, 'practitionerId', booking.practitionerId)}
      </dd>
      <dt>Booked</dt>
      <dd>${booked}</dd>
    </dl>
  `;
}

const REASON: Record<ClashReason, string> = { practitioner: 'Same practitioner', pet: 'Same pet' };

/** `author`: who made the held change on this tablet, when known. */
export function doubleBookingView(conflict: ConflictRecord, describe: Describe, author: string | null) {
  const mine = heldBooking(conflict);
  const clashes = conflict.clashes ?? [];
  const by = author ? ` by ${author}` : '';
  const booked =
    conflict.localOperation === 'create'
      ? `On this tablet${by}, ${formatDateTime(conflict.localTimestamp)}`
      : `Changed on this tablet${by}, ${formatDateTime(conflict.localTimestamp)}`;
  const moved =
    conflict.localOperation === 'update' && ('date' in conflict.localData || 'durationMinutes' in conflict.localData);
  const reasons = new Set(clashes.map((c) => c.reason));
  const shared: ClashReason | null = reasons.size === 1 ? (clashes[0]?.reason ?? null) : null;
  return html`
    <div class="bookings" data-testid="double-booking">
      <section class="side" aria-labelledby="mine-heading">
        <h3 id="mine-heading">Your booking <span class="badge pending">Not saved on the server</span></h3>
        <div class="booking mine">
          <h4>${recordName(mine) ?? 'Appointment'}</h4>
          ${details(describe, mine, shared, booked)}
          ${moved ? html`<p class="was">Before your change: ${when(conflict.serverData)}</p>` : nothing}
        </div>
      </section>
      <section class="side" aria-labelledby="theirs-heading">
        <h3 id="theirs-heading">Already booked</h3>
        ${
          clashes.length === 0
            ? html`<p class="booking">The server did not say which appointment it overlaps.</p>`
            : clashes.map(
                (c) => html`
                  <div class="booking" data-clash-id=${String(c.appointment.id ?? '')}>
                    <h4>
                      ${recordName(c.appointment) ?? 'Appointment'} <span class="badge muted">${REASON[c.reason]}</span>
                    </h4>
                    ${details(describe, c.appointment, c.reason, bookedOnServer(c.appointment))}
                  </div>
                `,
              )
        }
      </section>
    </div>
  `;
}

/** Appointments carry no author: when the server first had it is what is known. */
function bookedOnServer(appointment: Booking): string {
  const created = appointment.createdAt;
  return typeof created === 'string' && Number.isFinite(Date.parse(created))
    ? `On the server since ${formatDateTime(created)}`
    : 'On the server';
}
