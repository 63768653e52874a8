/**
 * Base of the screens: the injected services, one-time setup on first connect (controllers need the
 * worker client, which is only known then), and navigation as an event the app handles.
 * @fires navigate - detail `{path, replace}`.
 * @fires record-id-changed - detail `{from, to}`: a temp id shown in the URL got its real id.
 */
import { LitElement, type PropertyDeclarations } from 'lit';
import { permissionDenied, type EntityType, type SessionUser, type WriteAction } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';

export interface NavigateDetail {
  path: string;
  replace?: boolean;
}

export abstract class ScreenElement extends LitElement {
  static override properties: PropertyDeclarations = {
    services: { attribute: false },
    user: { attribute: false },
  };

  declare services: AppServices | undefined;
  /** Who is signed in: actions their role may not take are shown disabled, with the reason. */
  declare user: SessionUser | null;
  private setUp = false;

  constructor() {
    super();
    this.services = undefined;
    this.user = null;
  }

  /**
   * Why the signed-in user may not do this, or null when they may (also while nobody is known:
   * the worker and the server enforce the same table, the screens only explain it).
   */
  protected denied(action: WriteAction, entityType: EntityType): string | null {
    return this.user ? permissionDenied(this.user.role, action, entityType) : null;
  }

  override connectedCallback(): void {
    if (!this.setUp && this.services) {
      this.setUp = true;
      this.setup(this.services);
    }
    super.connectedCallback();
  }

  /** Creates controllers. Runs once, before the first hostConnected. */
  protected abstract setup(services: AppServices): void;

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
