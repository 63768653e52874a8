/**
 * The booking form's double-booking warning: what the replica already shows at that time, the free
 * times of the day to take instead (one tap), and the explicit "Double-book on purpose" choice.
 */
import { css, html, nothing } from 'lit';

export interface ClashWarning {
  /** One sentence per clash ("Dr. Sam Patel already has Jasper at 11:00–11:20"). */
  sentences: string[];
  /** Free starts near the time asked for: the `HH:MM` the time input takes, and how it reads. */
  slots: { time: string; label: string }[];
  /** Whose free times these are ("Dr. Sam Patel and Jasper"). */
  slotsFor: string;
  onPickSlot: (time: string) => void;
  /** The on-purpose choice; null where it is not offered (moving a held booking). */
  onPurpose: { checked: boolean; onChange: (checked: boolean) => void } | null;
  /** A line under the choices (where else to decide). */
  note?: string | undefined;
}

export const clashWarningStyles = css`
  .clash {
    display: flex;
    flex-direction: column;
    gap: var(--sd-space-2);
  }
  .clash h2 {
    font-size: 1.15rem;
  }
  .clash ul {
    margin: 0;
    padding-inline-start: var(--sd-space-5);
  }
  .clash li {
    font-weight: 600;
  }
  .clash p {
    margin: 0;
  }
  .slots {
    display: flex;
    flex-wrap: wrap;
    gap: var(--sd-space-2);
  }
  .slots button {
    min-width: 5.5rem;
    font-variant-numeric: tabular-nums;
  }
`;

export function clashWarning(w: ClashWarning) {
  return html`
    <section class="clash banner warning" aria-labelledby="clash-heading" data-testid="clash-warning">
      <h2 id="clash-heading">Double booking</h2>
      <ul>
        ${w.sentences.map((s) => html`<li>${s}.</li>`)}
      </ul>
      ${
        w.slots.length > 0
          ? html`<p id="slots-label">Free that day for ${w.slotsFor}: tap a time to take it.</p>
              <div class="slots" role="group" aria-labelledby="slots-label" data-testid="free-slots">
                ${w.slots.map((s) => html`<button type="button" @click=${() => w.onPickSlot(s.time)}>${s.label}</button>`)}
              </div>`
          : html`<p>
              ${w.slotsFor} ${w.slotsFor.includes(' and ') ? 'have' : 'has'} no free time that day for this duration:
              try another day or a shorter visit.
            </p>`
      }
      ${
        w.onPurpose
          ? html`<label class="switch">
              <input
                type="checkbox"
                name="overlapAllowed"
                .checked=${w.onPurpose.checked}
                @change=${(e: Event) => w.onPurpose?.onChange((e.target as HTMLInputElement).checked)}
              />
              <span
                >Double-book on purpose
                <span class="hint">(both appointments stay; this one is marked “Double-booked on purpose”)</span></span
              >
            </label>`
          : nothing
      }
      ${w.note ? html`<p class="hint">${w.note}</p>` : nothing}
    </section>
  `;
}

/** The mark of an appointment booked over another on purpose (list and form). */
export function onPurposeMark() {
  return html`<span class="badge info" data-badge="double-booked">Double-booked on purpose</span>`;
}
