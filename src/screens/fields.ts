/** Form pieces: a labelled input with its error message (aria-invalid, aria-describedby), the back link. */
import { html, nothing } from 'lit';
import { chevron } from '../components/icons.ts';

/** "‹ Back to …" at the top of a form; the arrow follows the reading direction. */
export function backLink(href: string, label: string) {
  return html`<a class="button quiet back" href=${href}>${chevron('back')}<span>${label}</span></a>`;
}

export interface TextFieldOptions {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  error?: string | undefined;
  optional?: boolean;
  autocomplete?: string;
  list?: string;
  max?: string;
  /** The longest text the protocol accepts (maxLengthOf the writable schema). */
  maxLength?: number | undefined;
}

export function textField(o: TextFieldOptions) {
  return html`
    <div class="field">
      <label for=${o.id}>${o.label}${o.optional ? html` <span class="hint">(optional)</span>` : nothing}</label>
      <input
        id=${o.id}
        type=${o.type ?? 'text'}
        .value=${o.value}
        autocomplete=${o.autocomplete ?? 'off'}
        list=${o.list ?? nothing}
        max=${o.max ?? nothing}
        maxlength=${o.maxLength ?? nothing}
        aria-invalid=${o.error ? 'true' : 'false'}
        aria-describedby=${o.error ? `${o.id}-error` : nothing}
        @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
      />
      ${o.error ? html`<span class="error-text" id="${o.id}-error">${o.error}</span>` : nothing}
    </div>
  `;
}

/** Moves focus to the first invalid field after the next render. */
export async function focusFirstInvalid(root: {
  updateComplete: Promise<boolean>;
  renderRoot: ParentNode;
}): Promise<void> {
  await root.updateComplete;
  root.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
