import { LitElement, css, html } from 'lit';

/** The application shell. Screens are added by the staff-app issue. */
export class SmartDmvApp extends LitElement {
  static override styles = css`
    :host { display: block; }
    header { background: #0f766e; color: white; padding: 16px 24px; font-size: 1.4rem; font-weight: 600; }
    main { padding: 24px; }
  `;

  override render() {
    return html`<header>SmartDMV</header><main><p>Loading…</p></main>`;
  }
}
customElements.define('smartdmv-app', SmartDmvApp);

declare global {
  interface HTMLElementTagNameMap {
    'smartdmv-app': SmartDmvApp;
  }
}
