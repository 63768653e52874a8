/**
 * Records the server sent that this tablet could not read (the worker set them aside so the rest
 * of the sync went on). Said so a receptionist can pass it on: which record, what is wrong with
 * it, when it arrived, and the raw details for support behind a disclosure.
 */
import { html, nothing } from 'lit';
import { formatDateTime } from '../format.ts';
import type { QuarantinedRecord } from '../protocol/index.ts';
import { describeQuarantined } from './labels.ts';

export function quarantineSection(records: readonly QuarantinedRecord[], error: string | null) {
  if (records.length === 0 && !error) return nothing;
  return html`
    <section class="card" aria-labelledby="quarantine-heading" data-testid="quarantine">
      <h2 id="quarantine-heading">Records this tablet could not read <span class="count">(${records.length})</span></h2>
      ${error ? html`<p class="banner error" role="alert">${error}</p>` : nothing}
      ${
        records.length > 0
          ? html`<p class="banner warning">
                The server sent ${records.length === 1 ? 'a record' : 'records'} in a form this tablet cannot read, so
                ${records.length === 1 ? 'it is' : 'they are'} not shown in the app. Everything else synced normally.
                Please tell your support contact what is listed here; the record comes back by itself once it is
                corrected on the server.
              </p>
              <ul class="list" aria-labelledby="quarantine-heading">
                ${records.map(
                  (r) =>
                    html`<li class="quarantined" data-quarantine-id="${r.entityType}:${r.id}">
                      <span class="what">
                        <strong>${describeQuarantined(r)}</strong>
                        <span class="detail">Problem: ${r.reason}</span>
                        <span class="hint">Received ${formatDateTime(r.receivedAt)} · version ${r.version}</span>
                        <disclosure-section summary="Details for support">
                          <pre class="raw">${supportText(r)}</pre>
                        </disclosure-section>
                      </span>
                    </li>`,
                )}
              </ul>`
          : nothing
      }
    </section>
  `;
}

/** Everything support needs in one block to copy. */
export function supportText(r: QuarantinedRecord): string {
  return [
    `Record: ${r.entityType} ${r.id}, version ${r.version}`,
    `Problem: ${r.reason}`,
    `Received: ${new Date(r.receivedAt).toISOString()}`,
    `As received: ${r.raw}`,
  ].join('\n');
}
