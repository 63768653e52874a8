/**
 * Base of the screens: the services and one-time setup of ServiceElement, the signed-in user, and
 * navigation as an event the app handles.
 * @fires navigate - detail `{path, replace}`.
 * @fires record-id-changed - detail `{from, to}`: a temp id shown in the URL got its real id.
 */
import type { PropertyDeclarations } from 'lit';
import { permissionDenied, type EntityType, type SessionUser, type WriteAction } from '../protocol/index.ts';
import { ServiceElement } from '../service-element.ts';

export interface NavigateDetail {
  path: string;
  replace?: boolean;
}

export abstract class ScreenElement extends ServiceElement {
  static override properties: PropertyDeclarations = {
    user: { attribute: false },
  };

  /** Who is signed in: actions their role may not take are shown disabled, with the reason. */
  declare user: SessionUser | null;

  constructor() {
    super();
    this.user = null;
  }

  /**
   * Why the signed-in user may not do this, or null when they may (also while nobody is known:
   * the worker and the server enforce the same table, the screens only explain it).
   */
  protected denied(action: WriteAction, entityType: EntityType): string | null {
    return this.user ? permissionDenied(this.user.role, action, entityType) : null;
  }

  protected navigate(path: string, replace = false): void {
    this.dispatchEvent(
      new CustomEvent<NavigateDetail>('navigate', { detail: { path, replace }, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementEventMap {
    navigate: CustomEvent<NavigateDetail>;
  }
}
