/** DOM helpers for component tests (happy-dom). */
import type { LitElement } from 'lit';
import type { NetworkEnvironment } from '../../../src/controllers/network-status-controller.ts';

/** Mounts an element after setting its properties (controllers are created on connect). */
export async function mount<T extends LitElement>(element: T, props: Partial<T> = {}): Promise<T> {
  Object.assign(element, props);
  document.body.append(element);
  await element.updateComplete;
  return element;
}

export function shadow(element: Element): ShadowRoot {
  const root = element.shadowRoot;
  if (!root) throw new Error(`${element.tagName} has no shadow root`);
  return root;
}

/** Text of an element with whitespace collapsed. */
export function text(node: Node | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export function buttonByText(root: ParentNode, label: string): HTMLButtonElement {
  const button = [...root.querySelectorAll('button')].find((b) => text(b) === label);
  if (!button)
    throw new Error(`No button "${label}" in: ${[...root.querySelectorAll('button')].map((b) => text(b)).join(' | ')}`);
  return button;
}

/** A network environment that says online and answers the health probe at once. */
export function fakeNetwork(online = true): NetworkEnvironment & { navigator: { onLine: boolean } } {
  return {
    events: new EventTarget(),
    navigator: { onLine: online },
    fetch: async () => new Response('{"ok":true}'),
    now: () => 0,
  };
}

export async function settle(element: LitElement, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 5));
    await element.updateComplete;
  }
}
