/**
 * `<disclosure-section summary="…">`: a button that shows or hides its content, announced as
 * collapsed/expanded (aria-expanded) and drawn with an arrow that turns, 48 px tall. Content is
 * slotted, so it keeps the styles of the component that uses it.
 * @fires disclosure-toggle - detail `{open}` after the user opened or closed it.
 */
import { LitElement, css, html } from 'lit';
import { controls } from '../styles/controls.ts';
import { chevron } from './icons.ts';

export class DisclosureSection extends LitElement {
  static override properties = {
    summary: { type: String },
    open: { type: Boolean, reflect: true },
  };

  declare summary: string;
  declare open: boolean;

  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      button.toggle {
        border-color: transparent;
        padding-inline: var(--sd-space-1) var(--sd-space-3);
        justify-content: flex-start;
      }
      button.toggle .icon {
        transition: transform 0.15s ease;
      }
      :host([open]) button.toggle .icon {
        transform: rotate(90deg);
      }
      :host([open]) button.toggle .icon:dir(rtl) {
        transform: scaleX(-1) rotate(90deg);
      }
      @media (prefers-reduced-motion: reduce) {
        button.toggle .icon {
          transition: none;
        }
      }
      .content {
        padding-block-start: var(--sd-space-2);
      }
    `,
  ];

  constructor() {
    super();
    this.summary = '';
    this.open = false;
  }

  override render() {
    return html`
      <button
        type="button"
        class="toggle"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="content"
        @click=${this.toggle}
      >
        ${chevron('forward')}<span>${this.summary}</span>
      </button>
      <div class="content" id="content" ?hidden=${!this.open}><slot></slot></div>
    `;
  }

  private readonly toggle = (): void => {
    this.open = !this.open;
    this.dispatchEvent(
      new CustomEvent('disclosure-toggle', { detail: { open: this.open }, bubbles: true, composed: true }),
    );
  };
}

customElements.define('disclosure-section', DisclosureSection);

declare global {
  interface HTMLElementTagNameMap {
    'disclosure-section': DisclosureSection;
  }
}
