/**
 * Base of every element that needs the outside world (the app, its screens, the sync widgets): one way
 * in for all of them, the `services` property. main.ts makes the page's one set (`browserServices()`)
 * and gives it to the app, which passes it down; unit tests pass fakes made with `createServices`.
 * `setup` runs once, as soon as the element is connected and has its services (main.ts sets them just
 * after the app element upgrades), so controllers are made with what they need and nothing reaches for a
 * global.
 */
import { LitElement, type PropertyDeclarations } from 'lit';
import type { AppServices } from './services.ts';

export abstract class ServiceElement extends LitElement {
  static override properties: PropertyDeclarations = {
    services: { attribute: false },
  };

  declare services: AppServices | undefined;
  private setUp = false;

  constructor() {
    super();
    this.services = undefined;
  }

  override connectedCallback(): void {
    this.setUpOnce(); // before super's: its controllers get their first hostConnected there
    super.connectedCallback();
  }

  override requestUpdate(...args: Parameters<LitElement['requestUpdate']>): void {
    super.requestUpdate(...args);
    if (args[0] === 'services' && this.isConnected) this.setUpOnce();
  }

  /** Creates what needs the services (controllers, subscriptions). Runs once. */
  protected abstract setup(services: AppServices): void;

  private setUpOnce(): void {
    if (this.setUp || !this.services) return;
    this.setUp = true;
    this.setup(this.services);
  }
}
