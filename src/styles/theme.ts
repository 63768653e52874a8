/**
 * Design tokens as CSS custom properties. They are declared once on the app's host and inherit
 * into every shadow root below it, so components read `var(--sd-...)` and a practice can re-theme
 * the app by overriding the properties on `smartdmv-app`.
 *
 * Colours are chosen for at least 4.5:1 contrast on their backgrounds (WCAG AA); most pairs reach 7:1
 * because tablets are read at arm's length under clinic lighting.
 */
import { css } from 'lit';

export const themeTokens = css`
  :host {
    --sd-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
    --sd-font-size: 1rem; /* the document sets 18px */
    --sd-line-height: 1.45;

    --sd-color-bg: #f1f5f9;
    --sd-color-surface: #ffffff;
    --sd-color-text: #0f172a;
    --sd-color-text-muted: #475569;
    --sd-color-border: #94a3b8;
    --sd-color-border-subtle: #cbd5e1;

    --sd-color-primary: #0f766e;
    --sd-color-primary-strong: #115e59;
    --sd-color-on-primary: #ffffff;
    --sd-color-primary-soft: #ccfbf1;

    --sd-color-danger: #b91c1c;
    --sd-color-danger-soft: #fee2e2;
    --sd-color-warning-text: #78350f;
    --sd-color-warning-soft: #fef3c7;
    --sd-color-warning-border: #b45309;
    --sd-color-success: #166534;
    --sd-color-success-soft: #dcfce7;
    --sd-color-info: #0369a1;
    --sd-color-info-soft: #e0f2fe;
    --sd-color-info-text: #0c4a6e;
    --sd-color-focus: #1d4ed8;

    --sd-radius: 10px;
    --sd-space-1: 4px;
    --sd-space-2: 8px;
    --sd-space-3: 12px;
    --sd-space-4: 16px;
    --sd-space-5: 24px;
    --sd-space-6: 32px;
    /** Minimum touch target (WCAG 2.5.5 asks for 44 CSS px). */
    --sd-touch: 48px;
    --sd-shadow: 0 1px 3px rgb(15 23 42 / 0.12), 0 4px 12px rgb(15 23 42 / 0.08);
  }
`;
