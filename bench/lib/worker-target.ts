/**
 * A DevTools session on a service worker's own target. Network emulation set on a page's session
 * does not reach the worker's fetches (a 2 MB fetch by the worker took 15 ms under a 20 Mbit/s
 * profile set on the page, 1,029 ms with the profile set on the worker's target): the clinic
 * profile must be set here. Playwright gives CDP sessions for pages only, so this goes through
 * the browser session (Target.attachToTarget, messages relayed with Target.sendMessageToTarget).
 */
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';

export interface NetworkProfile {
  name: string;
  /** Round-trip latency added to every request (ms). */
  latencyMs: number;
  /** Bits per second, each direction. */
  bitsPerSecond: number;
}

/** Clinic Wi-Fi: 20 Mbit/s, 40 ms round trip. */
export const CLINIC_WIFI: NetworkProfile = { name: 'clinic Wi-Fi', latencyMs: 40, bitsPerSecond: 20_000_000 };

const SEND_TIMEOUT_MS = 10_000;

export class WorkerTarget {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly browserSession: CDPSession,
    private readonly sessionId: string,
    readonly url: string,
  ) {
    browserSession.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== this.sessionId) return;
      const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  /** The running service worker of `context` whose script URL contains `scriptPart`. */
  static async attach(
    browser: Browser,
    context: BrowserContext,
    page: Page,
    scriptPart: string,
  ): Promise<WorkerTarget> {
    const pageSession = await context.newCDPSession(page);
    const { targetInfo } = await pageSession.send('Target.getTargetInfo');
    await pageSession.detach();
    const session = await browser.newBrowserCDPSession();
    const { targetInfos } = await session.send('Target.getTargets');
    const worker = targetInfos.find(
      (t) =>
        t.type === 'service_worker' && t.url.includes(scriptPart) && t.browserContextId === targetInfo.browserContextId,
    );
    if (!worker) throw new Error(`no running service worker ${scriptPart} in this context`);
    const { sessionId } = await session.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
    const target = new WorkerTarget(session, sessionId, worker.url);
    await target.send('Network.enable');
    await target.send('Runtime.enable');
    return target;
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = SEND_TIMEOUT_MS): Promise<T> {
    const id = ++this.nextId;
    const reply = new Promise<T>((resolve, reject) => {
      // A message to a worker that stopped (or was replaced) gets no answer at all: give up after a while,
      // or the heap sampler waits for it for good.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from the service worker in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    void this.browserSession
      .send('Target.sendMessageToTarget', {
        sessionId: this.sessionId,
        message: JSON.stringify({ id, method, params }),
      })
      .catch((err: unknown) => this.pending.get(id)?.reject(err instanceof Error ? err : new Error(String(err))));
    return reply;
  }

  /** Emulates `profile` for the worker's own requests (null: no throttling). */
  async throttle(profile: NetworkProfile | null): Promise<void> {
    const bytesPerSecond = profile ? profile.bitsPerSecond / 8 : -1;
    await this.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile ? profile.latencyMs : 0,
      downloadThroughput: bytesPerSecond,
      uploadThroughput: bytesPerSecond,
    });
  }

  /** Evaluates an expression in the worker (awaiting a promise) and returns its JSON value. */
  async evaluate<T>(expression: string, timeoutMs = SEND_TIMEOUT_MS): Promise<T> {
    const { result, exceptionDetails } = await this.send<{
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, timeoutMs);
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  }

  /** The worker's JS heap in use, in MB. */
  async heapUsedMB(): Promise<number> {
    const { usedSize } = await this.send<{ usedSize: number }>('Runtime.getHeapUsage');
    return usedSize / 1024 / 1024;
  }

  async collectGarbage(): Promise<void> {
    await this.send('HeapProfiler.collectGarbage');
  }

  /**
   * How long the worker takes to fetch `path` (no cache), and its size as sent (`bytes`: the body on
   * the wire, compressed if the server compressed it, from Resource Timing): checks that emulation applies.
   */
  timedFetch(path: string): Promise<{ ms: number; bytes: number }> {
    return this.evaluate(
      `(async () => {
        const url = new URL(${JSON.stringify(path)} + '?' + Math.random(), location.href).href;
        const t = performance.now();
        const b = await (await fetch(url, { cache: 'no-store' })).arrayBuffer();
        const ms = performance.now() - t;
        const entry = performance.getEntriesByName(url).at(-1);
        return { ms, bytes: entry && entry.encodedBodySize > 0 ? entry.encodedBodySize : b.byteLength };
      })()`,
    );
  }

  async detach(): Promise<void> {
    await this.browserSession.detach().catch(() => undefined);
  }
}

/** Samples a heap figure every `everyMs` until stopped; `stop()` returns the peak (MB). */
export function sampleHeap(read: () => Promise<number>, everyMs = 250): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await read().catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
