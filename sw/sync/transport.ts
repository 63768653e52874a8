/**
 * The network edge of the sync engine: push and pull over HTTP, answers validated against the
 * protocol, failures classified so the engine knows whether to retry, pause or give up.
 */
import {
  ErrorResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  type ErrorInfo,
  type EntityType,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../../src/protocol/index.ts';

/** Why a request failed: `retry` (network, 5xx, 429), `auth` (401: sign in again), `fatal` (4xx, bad answer). */
export type TransportFailureKind = 'retry' | 'auth' | 'fatal';

export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    readonly info: ErrorInfo,
    readonly status: number | null,
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

export interface SyncTransport {
  push(request: PushRequest): Promise<PushResponse>;
  pull(params: PullParams): Promise<PullResponse>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function httpTransport(fetchFn: Fetch, baseUrl = ''): SyncTransport {
  async function call<T>(url: string, init: RequestInit, parse: (body: unknown) => T): Promise<T> {
    let response: Response;
    try {
      response = await fetchFn(url, { credentials: 'same-origin', cache: 'no-store', ...init });
    } catch (err) {
      throw new TransportError('retry', { code: 'NETWORK', message: `Network error: ${(err as Error).message}` }, null);
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok) {
      const error = ErrorResponseSchema.safeParse(body);
      const info: ErrorInfo = error.success
        ? error.data.error
        : { code: response.status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST', message: `HTTP ${response.status}` };
      const kind: TransportFailureKind =
        response.status === 401 ? 'auth' : response.status >= 500 || response.status === 429 || response.status === 408 ? 'retry' : 'fatal';
      throw new TransportError(kind, response.status >= 500 ? { ...info, code: 'SERVER_ERROR' } : info, response.status);
    }
    try {
      return parse(body);
    } catch (err) {
      throw new TransportError('fatal', { code: 'BAD_REQUEST', message: `Unexpected answer from the server: ${(err as Error).message}` }, response.status);
    }
  }

  return {
    push: (request) =>
      call(
        `${baseUrl}/api/sync/push`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) },
        (body) => PushResponseSchema.parse(body),
      ),
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
