/**
 * The real server in-process for worker tests: one per test, a signed-in staff client, the worker's HTTP transport with
 * its cookie.
 */
import { afterEach, beforeEach } from 'vitest';
import { startTestServer, type Client, type TestServer } from '../../server/helpers.ts';
import { httpTransport, type HttpTransportOptions, type SyncTransport } from '../../../sw/sync/transport.ts';
import type { SessionUser } from '../../../src/protocol/index.ts';

export interface ServerContext {
  server: TestServer;
  staff: Client;
  user: SessionUser;
}

/** Starts a fresh server before each test and closes it after; the returned object is refilled each time. */
export function useTestServer(): ServerContext {
  const context = {} as ServerContext;
  beforeEach(async () => {
    context.server = await startTestServer();
    context.staff = await context.server.login();
    context.user = (await context.staff.request('GET', '/api/auth/me')).body.user as SessionUser;
  });
  afterEach(async () => {
    await context.server.close();
  });
  return context;
}

/** The worker's real HTTP transport against `server`, sending `client`'s session cookie. */
export function serverTransport(server: TestServer, client: Client, options: HttpTransportOptions = {}): SyncTransport {
  return httpTransport(
    (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: client.cookie ?? '' } }),
    { baseUrl: server.url, ...options },
  );
}
