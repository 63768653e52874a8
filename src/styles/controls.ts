/**
 * Shared styles for the app's form controls, buttons, cards and badges. Components add this sheet to
 * their `static styles`; Lit adopts one constructed stylesheet for all of them.
 */
import { css } from 'lit';

export const controls = css`
  :host {
    font-family: var(--sd-font);
    font-size: var(--sd-font-size);
    line-height: var(--sd-line-height);
    color: var(--sd-color-text);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  h1,
  h2,
  h3 {
    line-height: 1.2;
    margin: 0;
  }
  h1 {
    font-size: 1.55rem;
  }
  h2 {
    font-size: 1.3rem;
  }
  h3 {
    font-size: 1.1rem;
  }

  button,
  .button {
    font: inherit;
    font-weight: 600;
    min-height: var(--sd-touch);
    min-width: var(--sd-touch);
    padding: 0 var(--sd-space-4);
    border-radius: var(--sd-radius);
    border: 2px solid var(--sd-color-primary);
    background: var(--sd-color-surface);
    color: var(--sd-color-primary-strong);
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--sd-space-2);
    text-decoration: none;
    white-space: nowrap;
  }
  button.primary,
  .button.primary {
    background: var(--sd-color-primary);
    color: var(--sd-color-on-primary);
  }
  button.primary:hover:not(:disabled),
  .button.primary:hover {
    background: var(--sd-color-primary-strong);
  }
  button.danger {
    border-color: var(--sd-color-danger);
    color: var(--sd-color-danger);
  }
  button.danger.solid {
    background: var(--sd-color-danger);
    color: #fff;
  }
  button.quiet {
    border-color: transparent;
  }
  button:disabled {
    cursor: not-allowed;
    border-color: var(--sd-color-border-subtle);
    color: var(--sd-color-text-muted);
    background: var(--sd-color-bg);
  }
  :focus-visible {
    outline: 3px solid var(--sd-color-focus);
    outline-offset: 2px;
  }

  label {
    font-weight: 600;
    display: block;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: var(--sd-space-1);
    min-width: 0;
  }
  .hint {
    font-size: 0.9rem;
    color: var(--sd-color-text-muted);
    font-weight: 400;
  }
  .error-text {
    color: var(--sd-color-danger);
    font-weight: 600;
  }

  input,
  select,
  textarea {
    font: inherit;
    color: var(--sd-color-text);
    background: var(--sd-color-surface);
    min-height: var(--sd-touch);
    padding: var(--sd-space-2) var(--sd-space-3);
    border: 2px solid var(--sd-color-border);
    border-radius: var(--sd-radius);
    width: 100%;
  }
  textarea {
    min-height: 6rem;
    resize: vertical;
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'] {
    border-color: var(--sd-color-danger);
  }
  input[type='radio'],
  input[type='checkbox'] {
    width: 24px;
    min-height: 24px;
    height: 24px;
    margin: 0;
    accent-color: var(--sd-color-primary);
  }

  .card {
    background: var(--sd-color-surface);
    border: 1px solid var(--sd-color-border-subtle);
    border-radius: var(--sd-radius);
    box-shadow: var(--sd-shadow);
    padding: var(--sd-space-4);
  }

  .badge {
    display: inline-flex;
    align-items: center;
    gap: var(--sd-space-1);
    font-size: 0.85rem;
    font-weight: 700;
    padding: 2px var(--sd-space-2);
    border-radius: 999px;
    border: 1.5px solid currentColor;
    white-space: nowrap;
  }
  .badge.pending {
    background: var(--sd-color-warning-soft);
    color: var(--sd-color-warning-text);
  }
  .badge.conflict {
    background: var(--sd-color-danger-soft);
    color: var(--sd-color-danger);
  }
  .badge.ok {
    background: var(--sd-color-success-soft);
    color: var(--sd-color-success);
  }
  .badge.muted {
    background: var(--sd-color-bg);
    color: var(--sd-color-text-muted);
  }
  .badge.info {
    background: var(--sd-color-info-soft);
    color: var(--sd-color-info-text);
  }

  /* A checkbox with its sentence; the box itself is a 44 px target, not only its label. */
  .switch {
    display: flex;
    gap: var(--sd-space-3);
    align-items: center;
    min-height: var(--sd-touch);
    font-weight: 500;
    cursor: pointer;
  }
  .switch input[type='checkbox'] {
    width: 44px;
    height: 44px;
    min-height: 44px;
    flex: none;
  }

  .banner {
    border-radius: var(--sd-radius);
    padding: var(--sd-space-3) var(--sd-space-4);
    border: 2px solid;
  }
  .banner.error {
    background: var(--sd-color-danger-soft);
    border-color: var(--sd-color-danger);
    color: #7f1d1d;
  }
  .banner.warning {
    background: var(--sd-color-warning-soft);
    border-color: var(--sd-color-warning-border);
    color: var(--sd-color-warning-text);
  }
  .banner.info {
    background: var(--sd-color-info-soft);
    border-color: var(--sd-color-info);
    color: var(--sd-color-info-text);
  }

  .confirm {
    display: flex;
    flex-direction: column;
    gap: var(--sd-space-2);
    padding: var(--sd-space-3) var(--sd-space-4);
    border: 2px solid var(--sd-color-danger);
    border-radius: var(--sd-radius);
    background: var(--sd-color-danger-soft);
  }
  .confirm.warning {
    border-color: var(--sd-color-warning-border);
    background: var(--sd-color-warning-soft);
  }
  .confirm-message p,
  .confirm-message ul {
    margin: 0;
  }
  .confirm-message ul {
    padding-inline-start: var(--sd-space-5);
  }
  .confirm-buttons,
  .denied {
    display: flex;
    flex-wrap: wrap;
    gap: var(--sd-space-2) var(--sd-space-3);
    align-items: center;
  }

  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--sd-space-3);
  }
  .spacer {
    flex: 1;
  }

  .icon {
    flex: none;
    vertical-align: middle;
  }
  /* Arrows point the way the text reads. */
  .flip-rtl:dir(rtl) {
    transform: scaleX(-1);
  }

  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
