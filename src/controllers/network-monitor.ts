/**
 * Auto-sync on reconnect, as the reference's network monitor does:
 *
 *   if (syncOnReconnect && autoSyncEnabled && wasOffline) triggerAutoSync();
 *
 * and with its `[NetworkMonitor]` console lines when `localStorage.DEBUG_OFFLINE === 'true'`.
 * The page's auto-sync is the `ONLINE` message: the worker starts a sync (or joins the one Background
 * Sync already started; it runs one sync at a time). The debug flag is forwarded to the worker with
 * `SET_DEBUG` so its `[SyncEngine]`/`[SyncPush]` logs follow the same switch.
 *
 * No module-level state: `initializeNetworkMonitoring` returns the monitor; the app keeps it.
 */
import { localStorageOrNull, isDebugEnabled, type StorageLike } from '../settings.ts';
import type { WorkerClient } from '../worker-client.ts';

export interface NetworkMonitorOptions {
  /** Trigger a sync when the connection comes back. */
  syncOnReconnect: boolean;
  /** Master switch for automatic syncing. */
  autoSyncEnabled: boolean;
}

export interface NetworkMonitorDeps {
  client: Pick<WorkerClient, 'send'>;
  /** Where `online` / `offline` fire (window). */
  events: EventTarget;
  isOnline: () => boolean;
  storage: StorageLike | null;
  logger: Pick<Console, 'log'>;
}

/** A switch the worker follows: sent to it when it changed, or was never sent. */
class ForwardedSwitch {
  private sent: boolean | null = null;

  constructor(private readonly send: (enabled: boolean) => Promise<unknown>) {}

  async forward(enabled: boolean): Promise<void> {
    if (this.sent === enabled) return;
    // Marked before the reply so overlapping calls send once.
    this.sent = enabled;
    try {
      await this.send(enabled);
    } catch {
      // No worker yet: forget it, so the next call (or transition) tries again.
      if (this.sent === enabled) this.sent = null;
    }
  }
}

export class NetworkMonitor {
  /** The page saw the network go away since the last reconnect (or started offline). */
  wasOffline: boolean;
  private options: NetworkMonitorOptions;
  private readonly debugSwitch = new ForwardedSwitch((enabled) =>
    this.deps.client.send({ type: 'SET_DEBUG', enabled }),
  );
  private readonly autoSyncSwitch = new ForwardedSwitch((enabled) =>
    this.deps.client.send({ type: 'SET_AUTO_SYNC', enabled }),
  );
  private started = false;

  constructor(
    options: NetworkMonitorOptions,
    private readonly deps: NetworkMonitorDeps,
  ) {
    this.options = { ...options };
    this.wasOffline = !deps.isOnline();
  }

  get settings(): Readonly<NetworkMonitorOptions> {
    return this.options;
  }

  get debug(): boolean {
    return isDebugEnabled(this.deps.storage);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.deps.events.addEventListener('online', this.onOnline);
    this.deps.events.addEventListener('offline', this.onOffline);
    void this.forwardDebug();
    void this.forwardAutoSync();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.deps.events.removeEventListener('online', this.onOnline);
    this.deps.events.removeEventListener('offline', this.onOffline);
  }

  setOptions(options: Partial<NetworkMonitorOptions>): void {
    const before = this.options.autoSyncEnabled;
    this.options = { ...this.options, ...options };
    if (this.options.autoSyncEnabled !== before) void this.forwardAutoSync();
  }

  /**
   * The worker follows the same switch: where Background Sync exists the browser, not this page,
   * starts the reconnect sync, so "Sync automatically" off must reach the worker.
   */
  async forwardAutoSync(): Promise<void> {
    await this.autoSyncSwitch.forward(this.options.autoSyncEnabled);
  }

  /** Sends the current debug switch to the worker when it changed (or was never sent). */
  async forwardDebug(): Promise<void> {
    await this.debugSwitch.forward(this.debug);
  }

  /** Handles a reconnect; resolves once the auto-sync request (if any) was answered. */
  async handleOnline(): Promise<void> {
    const { syncOnReconnect, autoSyncEnabled } = this.options;
    const wasOffline = this.wasOffline;
    this.wasOffline = false;
    void this.forwardDebug();
    void this.forwardAutoSync();
    this.log('📶 [NetworkMonitor] Network connection restored');
    this.log(
      `[NetworkMonitor] wasOffline: ${wasOffline}, syncOnReconnect: ${syncOnReconnect}, autoSyncEnabled: ${autoSyncEnabled}`,
    );
    if (syncOnReconnect && autoSyncEnabled && wasOffline) {
      this.log('[NetworkMonitor] ✅ Conditions met, triggering auto-sync');
      await this.triggerAutoSync();
    } else {
      this.log('[NetworkMonitor] ⏭️ Auto-sync skipped - conditions not met');
    }
  }

  handleOffline(): void {
    this.wasOffline = true;
    this.log('📴 [NetworkMonitor] Network connection lost');
  }

  private async triggerAutoSync(): Promise<void> {
    try {
      const { started } = await this.deps.client.send({ type: 'ONLINE' });
      this.log(
        `[NetworkMonitor] Auto-sync ${started ? 'started' : 'not started by the worker (nothing to do or already running)'}`,
      );
    } catch (error) {
      this.log(
        `[NetworkMonitor] ❌ Auto-sync request failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private log(line: string): void {
    if (this.debug) this.deps.logger.log(line);
  }

  private readonly onOnline = (): void => void this.handleOnline();
  private readonly onOffline = (): void => this.handleOffline();
}

/** Starts the page's network monitor on its worker client, with the browser's window and localStorage unless given. */
export function initializeNetworkMonitoring(
  options: NetworkMonitorOptions,
  deps: Partial<NetworkMonitorDeps> & Pick<NetworkMonitorDeps, 'client'>,
): NetworkMonitor {
  const monitor = new NetworkMonitor(options, {
    client: deps.client,
    events: deps.events ?? window,
    isOnline: deps.isOnline ?? (() => navigator.onLine),
    storage: deps.storage !== undefined ? deps.storage : localStorageOrNull(),
    logger: deps.logger ?? console,
  });
  monitor.start();
  return monitor;
}
