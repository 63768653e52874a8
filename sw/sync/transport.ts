/**
 * The network edge of the sync engine: push and pull over HTTP, answers validated against the
 * protocol, failures classified so the engine knows whether to retry, pause or give up.
 *
 * A push body is prepared ahead of time (serialised, and gzip-compressed when it is large enough
 * to pay), so the engine can build batch k+1 while batch k is on the wire.
 */
import {
  ErrorResponseSchema,
  isRetryableStatus,
  PullResponseSchema,
  PushResponseSchema,
  type ErrorInfo,
  type EntityType,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../../src/protocol/index.ts';
import { parseRetryAfter } from '../core/backoff.ts';

/** Why a request failed: `retry` (network, 5xx, 429), `auth` (401: sign in again), `fatal` (4xx, bad answer). */
export type TransportFailureKind = 'retry' | 'auth' | 'fatal';

export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    readonly info: ErrorInfo,
    readonly status: number | null,
    /** The server's `Retry-After`, in ms (503, 429), when it sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(info.message);
    this.name = 'TransportError';
  }
}

export interface PullParams {
  cursor: string | null;
  lastSyncTimestamp: number;
  practiceId: number;
  entityTypes: readonly EntityType[];
  limit: number;
}

/** A push body ready to go; `send` may be called again to retry it. */
export interface PreparedPush {
  /**
   * `onAccepted`: called as soon as the server's status says it applied the batch (200, sent after
   * its commit), before the answer is read, so the engine can put the next batch on the wire
   * meanwhile. A transport may never call it; the answer (or the failure) still comes.
   */
  send(onAccepted?: () => void): Promise<PushResponse>;
}

export interface SyncTransport {
  preparePush(request: PushRequest): Promise<PreparedPush>;
  pull(params: PullParams): Promise<PullResponse>;
}

/** A transport from two plain calls (tests, or anything with no body to prepare). */
export function plainTransport(calls: {
  push(request: PushRequest): Promise<PushResponse>;
  pull(params: PullParams): Promise<PullResponse>;
}): SyncTransport {
  return {
    preparePush: async (request) => ({ send: () => calls.push(request) }),
    pull: (params) => calls.pull(params),
  };
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpTransportOptions {
  baseUrl?: string;
  /**
   * Push bodies of at least this many characters of JSON are sent gzip-compressed
   * (`Content-Encoding: gzip`); Infinity never compresses. Smaller bodies gain less than the
   * compression costs.
   */
  compressFrom?: number;
  compress?: (text: string) => Promise<Uint8Array>;
  /** A request (answer read included) not done in this time is abandoned and retried. */
  timeoutMs?: number;
}

/**
 * Generous: a 5 MB push on a slow clinic link still fits. Without a limit, a server (or a
 * half-open connection) that never answers would hold the one sync run, and every sync joining
 * it, for good; with one, the run backs off and tries again (opIds make a resend harmless).
 */
export const REQUEST_TIMEOUT_MS = 120_000;

/** Default threshold: about 50 queued creates. */
export const COMPRESS_PUSH_FROM_BYTES = 16 * 1024;

/** gzip with the platform's CompressionStream (browsers, workers, Node 18+). */
export async function gzipText(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function httpTransport(fetchFn: Fetch, options: HttpTransportOptions = {}): SyncTransport {
  const { baseUrl = '', compress = gzipText } = options;
  const compressFrom =
    typeof CompressionStream === 'undefined' ? Infinity : (options.compressFrom ?? COMPRESS_PUSH_FROM_BYTES);
  // A server that refused a compressed body (415, or 400 from one that parsed the bytes as JSON)
  // and took the same body plain gets plain bodies for the rest of this transport's life (the worker's).
  let gzipRefused = false;

  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;

  /** Runs one request (answer read included) under the time limit. */
  async function timed<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await work(controller.signal);
    } catch (err) {
      if (controller.signal.aborted && err instanceof TransportError && err.kind === 'retry') {
        throw new TransportError(
          'retry',
          { code: 'NETWORK', message: `No answer within ${Math.round(timeoutMs / 1000)} s` },
          null,
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  function call<T>(url: string, init: RequestInit, parse: (body: unknown) => T): Promise<T> {
    return timed(async (signal) => read(await send(url, { ...init, signal }), parse));
  }

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchFn(url, { credentials: 'same-origin', cache: 'no-store', ...init });
    } catch (err) {
      // Shown on the Sync tab: words for the front desk, the browser's own ("Failed to fetch") last.
      throw new TransportError(
        'retry',
        {
          code: 'NETWORK',
          message: `The practice server could not be reached: check the tablet's Wi-Fi (${(err as Error).message})`,
        },
        null,
      );
    }
  }

  async function read<T>(response: Response, parse: (body: unknown) => T): Promise<T> {
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      // The connection broke while the answer was read (a TypeError, not bad JSON): the server may
      // have applied the push, but the device does not know; a resend is harmless (opIds).
      if (!(err instanceof SyntaxError)) {
        throw new TransportError(
          'retry',
          {
            code: 'NETWORK',
            message: `The connection to the practice server broke during the answer (${(err as Error).message})`,
          },
          null,
        );
      }
      body = null;
    }
    if (!response.ok) {
      const error = ErrorResponseSchema.safeParse(body);
      const info: ErrorInfo = error.success
        ? error.data.error
        : { code: response.status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST', message: `HTTP ${response.status}` };
      const kind: TransportFailureKind =
        response.status === 401 ? 'auth' : isRetryableStatus(response.status) ? 'retry' : 'fatal';
      const retryAfterMs = kind === 'retry' ? parseRetryAfter(response.headers.get('retry-after'), Date.now()) : null;
      throw new TransportError(
        kind,
        response.status >= 500 ? { ...info, code: 'SERVER_ERROR' } : info,
        response.status,
        retryAfterMs,
      );
    }
    try {
      return parse(body);
    } catch (err) {
      throw new TransportError(
        'fatal',
        { code: 'BAD_REQUEST', message: `Unexpected answer from the server: ${(err as Error).message}` },
        response.status,
      );
    }
  }

  const pushUrl = `${baseUrl}/api/sync/push`;
  const parsePush = (body: unknown) => PushResponseSchema.parse(body);

  /**
   * One push request, its answer read under the time limit; `onAccepted` once the status says the
   * batch was applied. `gzipMayBeRefused`: a 415 or 400 answers null (a server that cannot read a
   * compressed body), for the caller to send the body plain.
   */
  function push(
    init: RequestInit,
    onAccepted: (() => void) | undefined,
    gzipMayBeRefused: true,
  ): Promise<PushResponse | null>;
  function push(init: RequestInit, onAccepted: (() => void) | undefined): Promise<PushResponse>;
  function push(
    init: RequestInit,
    onAccepted: (() => void) | undefined,
    gzipMayBeRefused = false,
  ): Promise<PushResponse | null> {
    return timed(async (signal) => {
      const response = await send(pushUrl, { ...init, signal });
      if (gzipMayBeRefused && (response.status === 415 || response.status === 400)) return null;
      if (response.ok) onAccepted?.();
      return read(response, parsePush);
    });
  }
  const plain = (text: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  });

  return {
    async preparePush(request) {
      const text = JSON.stringify(request);
      const gzipped = !gzipRefused && text.length >= compressFrom ? await compress(text) : null;
      return {
        async send(onAccepted) {
          if (!gzipped || gzipRefused) return push(plain(text), onAccepted);
          const gzip: RequestInit = {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
            body: gzipped as BodyInit,
          };
          const compressed = await push(gzip, onAccepted, true);
          if (compressed) return compressed;
          // Refused: a server without gzip support. If the same body passes plain, stop compressing.
          const answer = await push(plain(text), onAccepted);
          gzipRefused = true;
          return answer;
        },
      };
    },
    pull: (params) => {
      const query = new URLSearchParams({
        lastSyncTimestamp: String(params.lastSyncTimestamp),
        practiceId: String(params.practiceId),
        entityTypes: params.entityTypes.join(','),
        limit: String(params.limit),
      });
      if (params.cursor) query.set('cursor', params.cursor);
      return call(`${baseUrl}/api/sync/pull?${query}`, { method: 'GET' }, (body) => PullResponseSchema.parse(body));
    },
  };
}
