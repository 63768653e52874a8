/**
 * The reference's `useNetworkStatus` hook as a Lit reactive controller: `isOnline`,
 * `isTransitioning` and `connectionQuality`.
 *
 * `navigator.onLine` only says a network interface is up; on a clinic LAN the server can still be
 * out of reach. So the controller also measures a round trip to `/api/health` (answered by the
 * network, never by the service worker): a probe that cannot connect counts as offline.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FetchLike } from '../api/http.ts';
import { assessQuality, type ConnectionQuality, type NetworkInformationLike } from './connection-quality.ts';

export interface NetworkEnvironment {
  /** Where `online` / `offline` events fire (window). */
  events: EventTarget;
  navigator: { onLine: boolean; connection?: NetworkInformationLike | undefined };
  fetch: FetchLike;
  /** Monotonic clock (ms) for round trips. */
  now: () => number;
}

export interface NetworkStatusOptions {
  healthUrl?: string;
  /** How often to re-measure while online. */
  probeIntervalMs?: number;
  /** A probe slower than this is abandoned and counts as unreachable. */
  probeTimeoutMs?: number;
  /** First re-try after a failed probe while the browser says online (doubles up to probeIntervalMs). */
  retryMs?: number;
}

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
  /** The browser has a network and the server answered the last probe (or none ran yet). */
  isOnline: boolean;
  /** Between an online/offline event and the probe that confirms it. */
  isTransitioning = false;
  /** Last measured round trip to the server (ms). */
  rttMs: number | null = null;

  private serverReachable = true;
  private timer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay: number;
  private probeSeq = 0;
  private readonly healthUrl: string;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly env: NetworkEnvironment = browserNetworkEnvironment(),
    options: NetworkStatusOptions = {},
  ) {
    this.isOnline = env.navigator.onLine;
    this.healthUrl = options.healthUrl ?? '/api/health';
    this.probeIntervalMs = options.probeIntervalMs ?? 30_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 8_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.retryDelay = this.retryMs;
    host.addController(this);
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
    this.env.events.addEventListener('online', this.onOnline);
    this.env.events.addEventListener('offline', this.onOffline);
    this.env.navigator.connection?.addEventListener('change', this.onConnectionChange);
    this.timer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.isOnline = this.env.navigator.onLine;
    if (this.isOnline) void this.probe();
  }

  hostDisconnected(): void {
    this.env.events.removeEventListener('online', this.onOnline);
    this.env.events.removeEventListener('offline', this.onOffline);
    this.env.navigator.connection?.removeEventListener('change', this.onConnectionChange);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.cancelRetry();
    this.probeSeq++; // ignore any probe still running
  }

  /** Measures a round trip now; resolves when done. Exposed for "check again" buttons and tests. */
  async probe(): Promise<void> {
    if (!this.env.navigator.onLine) return this.update();
    const seq = ++this.probeSeq;
    const started = this.env.now();
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.probeTimeoutMs);
    let reachable: boolean;
    let rtt: number | null = null;
    try {
      // Any HTTP answer means the server is reachable; only a failed connection means it is not.
      await this.env.fetch(this.healthUrl, { cache: 'no-store', signal: controller.signal });
      reachable = true;
      rtt = this.env.now() - started;
    } catch {
      reachable = false;
    } finally {
      clearTimeout(timeout);
    }
    if (seq !== this.probeSeq) return; // a newer probe or a disconnect superseded this one
    this.serverReachable = reachable;
    if (rtt !== null) this.rttMs = rtt;
    this.isTransitioning = false;
    this.update();
    // Right after a reconnect the first requests often still fail: check again soon, backing off,
    // rather than showing "offline" until the next periodic probe.
    this.cancelRetry();
    if (reachable) this.retryDelay = this.retryMs;
    else if (this.env.navigator.onLine) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.probe();
      }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, this.probeIntervalMs);
    }
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private update(): void {
    this.isOnline = this.env.navigator.onLine && this.serverReachable;
    this.host.requestUpdate();
  }

  private readonly onOnline = (): void => {
    // Online per the browser; we say so once the server answers.
    this.isTransitioning = true;
    this.serverReachable = true;
    this.update();
    void this.probe();
  };

  private readonly onOffline = (): void => {
    this.probeSeq++;
    this.cancelRetry();
    this.retryDelay = this.retryMs;
    this.isTransitioning = false;
    this.update();
  };

  private readonly onConnectionChange = (): void => {
    void this.probe();
  };
}
