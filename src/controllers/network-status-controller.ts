/**
 * The reference's `useNetworkStatus` hook as a Lit reactive controller: `isOnline`,
 * `isTransitioning` and `connectionQuality`. The measuring is the environment's one shared
 * `/api/health` probe (server-reachability.ts); this controller only shows it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { assessQuality, type ConnectionQuality, type NetworkInformationLike } from './connection-quality.ts';
import {
  reachabilityOf,
  type NetworkEnvironment,
  type ProbeOptions,
  type ServerReachability,
} from './server-reachability.ts';

export type { NetworkEnvironment } from './server-reachability.ts';
export type NetworkStatusOptions = ProbeOptions;

export function browserNetworkEnvironment(): NetworkEnvironment {
  const nav = navigator as Navigator & { connection?: NetworkInformationLike };
  return {
    events: window,
    navigator: nav,
    fetch: (input, init) => fetch(input, init),
    now: () => performance.now(),
  };
}

export class NetworkStatusController implements ReactiveController {
  private readonly reachability: ServerReachability;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly env: NetworkEnvironment = browserNetworkEnvironment(),
    options: NetworkStatusOptions = {},
  ) {
    this.reachability = reachabilityOf(env, options);
    host.addController(this);
  }

  /** The browser has a network and the server answered the last probe (or none ran yet). */
  get isOnline(): boolean {
    return this.reachability.isOnline;
  }

  /** Between an online/offline event and the probe that confirms it. */
  get isTransitioning(): boolean {
    return this.reachability.isTransitioning;
  }

  /** Last measured round trip to the server (ms). */
  get rttMs(): number | null {
    return this.reachability.rttMs;
  }

  get connectionQuality(): ConnectionQuality {
    const connection = this.env.navigator.connection;
    return assessQuality({
      online: this.isOnline,
      measuredRttMs: this.rttMs,
      effectiveType: connection?.effectiveType,
      downlinkMbps: connection?.downlink,
    });
  }

  hostConnected(): void {
    this.unsubscribe = this.reachability.subscribe(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Measures a round trip now (the shared probe); resolves when done. */
  probe(): Promise<void> {
    return this.reachability.probe();
  }
}
