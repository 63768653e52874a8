/**
 * Typed JSON requests. Every answer is validated with a protocol schema where it arrives, so a
 * screen never renders a half-understood record. Failures become `ApiError` with a stable code.
 */
import type { z } from 'zod';
import { ErrorResponseSchema } from '../protocol/index.ts';

/** The subset of `fetch` the app uses; injected so tests need no global stubs. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type ApiErrorCode = string;

export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the request never got an answer (offline, server down). */
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
}

export async function requestJson<S extends z.ZodType>(
  fetchFn: FetchLike,
  path: string,
  schema: S,
  request: JsonRequest = {},
): Promise<z.infer<S>> {
  const init: RequestInit = {
    method: request.method ?? 'GET',
    headers: {
      Accept: 'application/json',
      ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    credentials: 'same-origin',
  };
  if (request.body !== undefined) init.body = JSON.stringify(request.body);

  let response: Response;
  try {
    response = await fetchFn(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'No connection to the server');
  }

  const payload = await readJson(response);
  if (!response.ok) {
    const parsed = ErrorResponseSchema.safeParse(payload);
    if (parsed.success) throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message);
    const message = messageOf(payload) ?? `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, codeForStatus(response.status), message);
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new ApiError(
      response.status,
      'BAD_RESPONSE',
      `Unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function messageOf(payload: unknown): string | null {
  if (typeof payload === 'object' && payload !== null && 'message' in payload) {
    const message = payload.message;
    if (typeof message === 'string') return message;
  }
  return null;
}

function codeForStatus(status: number): ApiErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400) return 'VALIDATION';
  if (status === 507) return 'QUOTA_EXCEEDED';
  return status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST';
}

/** A sentence for the screen. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetwork) return 'The server cannot be reached. Check the connection and try again.';
    if (error.code === 'QUOTA_EXCEEDED') return 'This tablet is out of storage space: the change was not saved.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
