/**
 * Two patterns the screens share for actions that cannot be undone or that the role may not do:
 * an inline confirmation (the question, a danger button and a safe one, focus on the safe one),
 * and a disabled button that says why (the sentence from permissionDenied).
 */
import { html, nothing, type TemplateResult } from 'lit';

export interface ConfirmOptions {
  /** Accessible name of the group ("Confirm deletion"). */
  label: string;
  /** What will happen, in words. */
  message?: TemplateResult | string;
  confirm: string;
  keep: string;
  busy?: boolean;
  /** 'danger' (default) for what cannot be undone; 'warning' for a check of something unusual. */
  tone?: 'danger' | 'warning';
  onConfirm: () => void;
  onKeep: () => void;
}

export function confirmGroup(o: ConfirmOptions) {
  return html`
    <div class="confirm ${o.tone ?? 'danger'}" role="group" aria-label=${o.label}>
      ${o.message ? html`<div class="confirm-message">${o.message}</div>` : nothing}
      <span class="confirm-buttons">
        <button
          type="button"
          class=${o.tone === 'warning' ? 'primary' : 'danger solid'}
          ?disabled=${o.busy ?? false}
          @click=${o.onConfirm}
        >
          ${o.confirm}
        </button>
        <button type="button" data-safe-choice @click=${o.onKeep}>${o.keep}</button>
      </span>
    </div>
  `;
}

/** Why an action cannot be done yet (a client who still has pets), with OK to close it. */
export function refusal(message: TemplateResult, onOk: () => void) {
  return html`<div class="confirm warning" role="alert" data-testid="delete-refused">
    <div class="confirm-message">${message}</div>
    <span class="confirm-buttons"><button type="button" data-safe-choice @click=${onOk}>OK</button></span>
  </div>`;
}

/** Puts focus on the safe choice of a confirmation that just appeared (its opener is gone). */
export async function focusSafeChoice(host: {
  updateComplete: Promise<boolean>;
  renderRoot: ParentNode;
}): Promise<void> {
  await host.updateComplete;
  host.renderRoot.querySelector<HTMLElement>('[data-safe-choice]')?.focus();
}

/** An action the signed-in role may not take: shown disabled, with the reason beside it. */
export function deniedAction(id: string, label: string, reason: string) {
  return html`<span class="denied">
    <button type="button" class="danger" disabled aria-describedby="${id}-denied">${label}</button>
    <span class="hint" id="${id}-denied" data-denied>${reason}</span>
  </span>`;
}
