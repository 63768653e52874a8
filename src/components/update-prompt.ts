/**
 * `<update-prompt>`: "Update ready — reload" when a new service worker is waiting. Reloading is
 * safe: queued work lives in IndexedDB and the new worker picks it up.
 * @fires update-dismissed - the user chose "Later".
 */
import { LitElement, css, html, nothing } from 'lit';
import { controls } from '../styles/controls.ts';

export class UpdatePrompt extends LitElement {
  static override properties = {
    applyUpdate: { attribute: false },
    _reloading: { state: true },
  };

  /** Activates the waiting worker and reloads; null when no update waits. */
  declare applyUpdate: (() => void) | null;
  declare _reloading: boolean;

  static override styles = [
    controls,
    css`
      :host {
        position: fixed;
        inset-inline: 0;
        bottom: var(--sd-space-4);
        margin-inline: auto;
        z-index: 40;
        width: min(640px, calc(100vw - 32px));
      }
      .card {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--sd-space-3);
        border: 2px solid var(--sd-color-primary);
      }
      p {
        margin: 0;
        flex: 1 1 260px;
      }
    `,
  ];

  constructor() {
    super();
    this.applyUpdate = null;
    this._reloading = false;
  }

  override render() {
    if (!this.applyUpdate) return nothing;
    return html`
      <div class="card" role="alert">
        <p><strong>Update ready</strong> — reload to use the new version. Changes waiting to sync are kept.</p>
        <button class="primary" ?disabled=${this._reloading} @click=${this.reload}>
          ${this._reloading ? 'Reloading…' : 'Reload'}
        </button>
        <button class="quiet" @click=${this.dismiss}>Later</button>
      </div>
    `;
  }

  private readonly reload = (): void => {
    this._reloading = true;
    this.applyUpdate?.();
  };

  private readonly dismiss = (): void => {
    this.applyUpdate = null;
    this.dispatchEvent(new CustomEvent('update-dismissed', { bubbles: true, composed: true }));
  };
}

customElements.define('update-prompt', UpdatePrompt);

declare global {
  interface HTMLElementTagNameMap {
    'update-prompt': UpdatePrompt;
  }
}
