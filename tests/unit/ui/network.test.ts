import { afterEach, describe, expect, it, vi } from 'vitest';
import { assessQuality, type NetworkInformationLike } from '../../../src/controllers/connection-quality.ts';
import { NetworkMonitor, initializeNetworkMonitoring } from '../../../src/controllers/network-monitor.ts';
import {
  NetworkStatusController,
  type NetworkEnvironment,
} from '../../../src/controllers/network-status-controller.ts';
import type { FetchLike } from '../../../src/api/http.ts';
import { FakeHost, FakeWorker, eventually } from './fakes.ts';

afterEach(() => vi.useRealTimers());

describe('assessQuality', () => {
  it('is offline when offline, whatever was measured', () => {
    expect(assessQuality({ online: false, measuredRttMs: 10 })).toBe('offline');
  });
  it('grades the measured round trip', () => {
    expect(assessQuality({ online: true, measuredRttMs: 40 })).toBe('excellent');
    expect(assessQuality({ online: true, measuredRttMs: 400 })).toBe('good');
    expect(assessQuality({ online: true, measuredRttMs: 2000 })).toBe('poor');
  });
  it('takes the worst of the measured round trip and the Network Information API', () => {
    expect(assessQuality({ online: true, measuredRttMs: 40, effectiveType: '3g' })).toBe('good');
    expect(assessQuality({ online: true, measuredRttMs: 40, effectiveType: 'slow-2g' })).toBe('poor');
    expect(assessQuality({ online: true, measuredRttMs: null, effectiveType: '4g' })).toBe('excellent');
    expect(assessQuality({ online: true, measuredRttMs: 40, downlinkMbps: 0.2 })).toBe('poor');
  });
  it('says good when online with nothing measured yet', () => {
    expect(assessQuality({ online: true, measuredRttMs: null })).toBe('good');
  });
});

function environment(options: { online?: boolean; connection?: NetworkInformationLike; fetch?: FetchLike } = {}) {
  let clock = 0;
  const nav = { onLine: options.online ?? true, connection: options.connection };
  const fetchFn = vi.fn<FetchLike>(
    options.fetch ??
      (async () => {
        clock += 50;
        return new Response('{"ok":true}');
      }),
  );
  const env: NetworkEnvironment = { events: new EventTarget(), navigator: nav, fetch: fetchFn, now: () => clock };
  return { env, nav, fetchFn, setClock: (ms: number) => (clock = ms) };
}

describe('NetworkStatusController', () => {
  it('measures a round trip to /api/health (no-store) when connected, and grades it', async () => {
    const { env, fetchFn } = environment();
    const host = new FakeHost();
    const status = new NetworkStatusController(host, env);
    host.connect();
    await eventually(() => expect(status.rttMs).toBe(50));
    expect(fetchFn).toHaveBeenCalledWith('/api/health', expect.objectContaining({ cache: 'no-store' }));
    expect(status.isOnline).toBe(true);
    expect(status.connectionQuality).toBe('excellent');
    host.disconnect();
  });

  it('goes offline on the offline event and transitions back on online until the probe answers', async () => {
    let release: () => void = () => {};
    const { env, nav } = environment();
    const host = new FakeHost();
    const status = new NetworkStatusController(host, env);
    host.connect();
    nav.onLine = false;
    env.events.dispatchEvent(new Event('offline'));
    expect(status.isOnline).toBe(false);
    expect(status.connectionQuality).toBe('offline');

    env.fetch = () => new Promise<Response>((resolve) => (release = () => resolve(new Response('{}'))));
    nav.onLine = true;
    env.events.dispatchEvent(new Event('online'));
    expect(status.isTransitioning).toBe(true);
    release();
    await eventually(() => expect(status.isTransitioning).toBe(false));
    expect(status.isOnline).toBe(true);
    host.disconnect();
  });

  it('counts an unreachable server as offline even when the browser says online', async () => {
    const { env } = environment({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const host = new FakeHost();
    const status = new NetworkStatusController(host, env);
    host.connect();
    await eventually(() => expect(status.isOnline).toBe(false));
    expect(status.connectionQuality).toBe('offline');
    host.disconnect();
  });

  it('re-tries soon, backing off, when the server cannot be reached right after a reconnect', async () => {
    vi.useFakeTimers();
    let failures = 2;
    const { env, fetchFn } = environment({
      fetch: async () => {
        if (failures-- > 0) throw new TypeError('Failed to fetch');
        return new Response('{}');
      },
    });
    const host = new FakeHost();
    const status = new NetworkStatusController(host, env, { retryMs: 500, probeIntervalMs: 60_000 });
    host.connect();
    await vi.advanceTimersByTimeAsync(10);
    expect(status.isOnline).toBe(false);
    await vi.advanceTimersByTimeAsync(500); // first retry: fails again
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(status.isOnline).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000); // second retry, after twice the delay: answers
    expect(fetchFn).toHaveBeenCalledTimes(3);
    expect(status.isOnline).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fetchFn).toHaveBeenCalledTimes(3); // no more retries once reachable
    host.disconnect();
  });

  it('re-probes when the Network Information API reports a change and uses its effective type', async () => {
    const connection = Object.assign(new EventTarget(), { effectiveType: '2g' });
    const { env, fetchFn } = environment({ connection });
    const host = new FakeHost();
    const status = new NetworkStatusController(host, env);
    host.connect();
    await eventually(() => expect(fetchFn).toHaveBeenCalledTimes(1));
    expect(status.connectionQuality).toBe('poor');
    connection.dispatchEvent(new Event('change'));
    await eventually(() => expect(fetchFn).toHaveBeenCalledTimes(2));
    host.disconnect();
  });

  it('probes periodically while connected and stops when disconnected', async () => {
    vi.useFakeTimers();
    const { env, fetchFn } = environment();
    const host = new FakeHost();
    new NetworkStatusController(host, env, { probeIntervalMs: 1000 });
    host.connect();
    await vi.advanceTimersByTimeAsync(3_100);
    expect(fetchFn).toHaveBeenCalledTimes(4); // one at connect, three by the interval
    host.disconnect();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fetchFn).toHaveBeenCalledTimes(4);
  });
});

describe('one /api/health probe per environment', () => {
  it('the indicator and the panel share it: one probe at start, one per interval, none from a late joiner', async () => {
    vi.useFakeTimers();
    const { env, fetchFn } = environment();
    const indicator = new FakeHost();
    const panel = new FakeHost();
    const a = new NetworkStatusController(indicator, env, { probeIntervalMs: 30_000 });
    const b = new NetworkStatusController(panel, env, { probeIntervalMs: 30_000 });
    indicator.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    panel.connect(); // the Sync tab opens later: it reads the current measurement
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(b.rttMs).toBe(a.rttMs);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(panel.updates).toBeGreaterThan(0);
    panel.disconnect(); // leaving the Sync tab keeps the indicator's probe
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetchFn).toHaveBeenCalledTimes(3);
    indicator.disconnect();
    await vi.advanceTimersByTimeAsync(90_000);
    expect(fetchFn).toHaveBeenCalledTimes(3);
  });

  it('both hear an offline event once', () => {
    const { env, nav } = environment();
    const one = new FakeHost();
    const two = new FakeHost();
    const a = new NetworkStatusController(one, env);
    const b = new NetworkStatusController(two, env);
    one.connect();
    two.connect();
    nav.onLine = false;
    env.events.dispatchEvent(new Event('offline'));
    expect(a.isOnline).toBe(false);
    expect(b.isOnline).toBe(false);
    one.disconnect();
    two.disconnect();
  });
});

function monitorSetup(
  options: { debug?: boolean; online?: boolean; syncOnReconnect?: boolean; autoSyncEnabled?: boolean } = {},
) {
  const worker = new FakeWorker({
    ONLINE: () => ({ started: true }),
    SET_DEBUG: (m) => ({ debug: m.enabled }),
    SET_AUTO_SYNC: (m) => ({ autoSync: m.enabled }),
  });
  const events = new EventTarget();
  const lines: string[] = [];
  const monitor = initializeNetworkMonitoring(
    { syncOnReconnect: options.syncOnReconnect ?? true, autoSyncEnabled: options.autoSyncEnabled ?? true },
    {
      client: worker.client(),
      events,
      isOnline: () => options.online ?? true,
      storage: { getItem: (k) => (k === 'DEBUG_OFFLINE' && options.debug ? 'true' : null) },
      logger: { log: (line: string) => lines.push(line) },
    },
  );
  return { worker, events, lines, monitor };
}

describe('initializeNetworkMonitoring', () => {
  it('auto-syncs on reconnect after being offline, with the reference log lines in debug mode', async () => {
    const { worker, events, lines, monitor } = monitorSetup({ debug: true });
    events.dispatchEvent(new Event('offline'));
    await monitor.handleOnline();
    expect(worker.sentOfType('ONLINE')).toHaveLength(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        '📴 [NetworkMonitor] Network connection lost',
        '📶 [NetworkMonitor] Network connection restored',
        '[NetworkMonitor] wasOffline: true, syncOnReconnect: true, autoSyncEnabled: true',
        '[NetworkMonitor] ✅ Conditions met, triggering auto-sync',
      ]),
    );
    monitor.stop();
  });

  it('skips auto-sync when the page never saw the network go away (wasOffline false)', async () => {
    const { worker, lines, monitor } = monitorSetup({ debug: true });
    await monitor.handleOnline();
    expect(worker.sentOfType('ONLINE')).toHaveLength(0);
    expect(lines).toContain('[NetworkMonitor] wasOffline: false, syncOnReconnect: true, autoSyncEnabled: true');
    expect(lines).toContain('[NetworkMonitor] ⏭️ Auto-sync skipped - conditions not met');
    monitor.stop();
  });

  it('counts a start while offline as having been offline', async () => {
    const { worker, monitor } = monitorSetup({ online: false });
    expect(monitor.wasOffline).toBe(true);
    await monitor.handleOnline();
    expect(worker.sentOfType('ONLINE')).toHaveLength(1);
    monitor.stop();
  });

  it.each([
    { syncOnReconnect: false, autoSyncEnabled: true },
    { syncOnReconnect: true, autoSyncEnabled: false },
  ])('needs all three conditions (%o)', async (flags) => {
    const { worker, monitor } = monitorSetup({ ...flags, online: false });
    await monitor.handleOnline();
    expect(worker.sentOfType('ONLINE')).toHaveLength(0);
    monitor.setOptions({ syncOnReconnect: true, autoSyncEnabled: true });
    monitor.handleOffline();
    await monitor.handleOnline();
    expect(worker.sentOfType('ONLINE')).toHaveLength(1);
    monitor.stop();
  });

  it('logs nothing without DEBUG_OFFLINE, and forwards the debug switch to the worker once', async () => {
    const quiet = monitorSetup({ online: false });
    await quiet.monitor.handleOnline();
    expect(quiet.lines).toEqual([]);
    quiet.monitor.stop();

    const loud = monitorSetup({ debug: true });
    await eventually(() => expect(loud.worker.sentOfType('SET_DEBUG')).toEqual([{ type: 'SET_DEBUG', enabled: true }]));
    await loud.monitor.forwardDebug();
    expect(loud.worker.sentOfType('SET_DEBUG')).toHaveLength(1);
    loud.monitor.stop();
  });

  it('tells the worker the "Sync automatically" switch at start and whenever it changes', async () => {
    const { worker, monitor } = monitorSetup({ autoSyncEnabled: true });
    await eventually(() =>
      expect(worker.sentOfType('SET_AUTO_SYNC')).toEqual([{ type: 'SET_AUTO_SYNC', enabled: true }]),
    );
    monitor.setOptions({ autoSyncEnabled: false });
    await eventually(() => expect(worker.sentOfType('SET_AUTO_SYNC')).toHaveLength(2));
    expect(worker.sentOfType('SET_AUTO_SYNC')[1]).toEqual({ type: 'SET_AUTO_SYNC', enabled: false });
    monitor.setOptions({ syncOnReconnect: false });
    await monitor.forwardAutoSync();
    expect(worker.sentOfType('SET_AUTO_SYNC')).toHaveLength(2);
    monitor.stop();
  });

  it('listens to window events after start and stops listening after stop', async () => {
    const { events, monitor } = monitorSetup();
    expect(monitor).toBeInstanceOf(NetworkMonitor);
    events.dispatchEvent(new Event('offline'));
    expect(monitor.wasOffline).toBe(true);
    monitor.stop();
    events.dispatchEvent(new Event('online'));
    expect(monitor.wasOffline).toBe(true);
  });
});
