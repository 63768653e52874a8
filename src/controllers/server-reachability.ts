/**
 * Whether the practice server answers, measured by a round trip to `/api/health` (answered by the
 * network, never by the service worker): `navigator.onLine` only says an interface is up, and on a
 * clinic LAN the server can still be out of reach.
 *
 * One probe per network environment, however many widgets show the connection (the indicator on
 * every screen and the Sync tab's panel): the first subscriber starts it, the last one stops it,
 * and a widget that arrives later reads the current measurement instead of probing again.
 */
import type { FetchLike } from '../api/http.ts';
import type { NetworkInformationLike } from './connection-quality.ts';

export interface NetworkEnvironment {
  /** Where `online` / `offline` events fire (window). */
  events: EventTarget;
  navigator: { onLine: boolean; connection?: NetworkInformationLike | undefined };
  fetch: FetchLike;
  /** Monotonic clock (ms) for round trips. */
  now: () => number;
}

export interface ProbeOptions {
  healthUrl?: string;
  /** How often to re-measure while online. */
  probeIntervalMs?: number;
  /** A probe slower than this is abandoned and counts as unreachable. */
  probeTimeoutMs?: number;
  /** First re-try after a failed probe while the browser says online (doubles up to probeIntervalMs). */
  retryMs?: number;
}

export class ServerReachability {
  /** The server answered the last probe (or none ran yet). */
  serverReachable = true;
  /** Between an online/offline event and the probe that confirms it. */
  isTransitioning = false;
  /** Last measured round trip to the server (ms). */
  rttMs: number | null = null;

  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay: number;
  private probeSeq = 0;
  private readonly healthUrl: string;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly retryMs: number;

  constructor(
    readonly env: NetworkEnvironment,
    options: ProbeOptions = {},
  ) {
    this.healthUrl = options.healthUrl ?? '/api/health';
    this.probeIntervalMs = options.probeIntervalMs ?? 30_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 8_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.retryDelay = this.retryMs;
  }

  /** The browser has a network and the server answered the last probe. */
  get isOnline(): boolean {
    return this.env.navigator.onLine && this.serverReachable;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    this.env.events.addEventListener('online', this.onOnline);
    this.env.events.addEventListener('offline', this.onOffline);
    this.env.navigator.connection?.addEventListener('change', this.onConnectionChange);
    this.timer = setInterval(() => void this.probe(), this.probeIntervalMs);
    if (this.env.navigator.onLine) void this.probe();
  }

  private stop(): void {
    this.env.events.removeEventListener('online', this.onOnline);
    this.env.events.removeEventListener('offline', this.onOffline);
    this.env.navigator.connection?.removeEventListener('change', this.onConnectionChange);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.cancelRetry();
    this.probeSeq++; // ignore any probe still running
  }

  /** Measures a round trip now; resolves when done. For "check again" buttons and tests. */
  async probe(): Promise<void> {
    if (!this.env.navigator.onLine) {
      this.changed();
      return;
    }
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
    if (seq !== this.probeSeq) return; // a newer probe or a stop superseded this one
    this.serverReachable = reachable;
    if (rtt !== null) this.rttMs = rtt;
    this.isTransitioning = false;
    this.changed();
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

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private readonly onOnline = (): void => {
    // Online per the browser; we say so once the server answers.
    this.isTransitioning = true;
    this.serverReachable = true;
    this.changed();
    void this.probe();
  };

  private readonly onOffline = (): void => {
    this.probeSeq++;
    this.cancelRetry();
    this.retryDelay = this.retryMs;
    this.isTransitioning = false;
    this.changed();
  };

  private readonly onConnectionChange = (): void => {
    void this.probe();
  };
}

const shared = new WeakMap<NetworkEnvironment, ServerReachability>();

/** The one probe of this environment (made on first use, with the first caller's options). */
export function reachabilityOf(env: NetworkEnvironment, options: ProbeOptions = {}): ServerReachability {
  let reachability = shared.get(env);
  if (!reachability) {
    reachability = new ServerReachability(env, options);
    shared.set(env, reachability);
  }
  return reachability;
}
