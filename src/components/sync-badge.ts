/** The "Not synced" / "Conflict" badge of a record the server has not acknowledged yet. */
import { html, nothing } from 'lit';
import type { LocalMeta } from '../protocol/index.ts';

export function syncBadge(record: LocalMeta | null | undefined) {
  if (record?._conflict) return html`<span class="badge conflict" data-badge="conflict">Conflict</span>`;
  if (record?._pending) return html`<span class="badge pending" data-badge="not-synced">Not synced</span>`;
  return nothing;
}
