/**
 * One tablet, several people, the real server (see with-server.ts): sign in as a demo login, hand
 * the tablet from one person to the next (the browser's cookie jar is whoever signed in last), and
 * the worker's sign-in sync.
 */
import { expect } from 'vitest';
import { createTestDevice, type TestDevice } from './device.ts';
import { serverTransport, type ServerContext } from './with-server.ts';
import type { Client } from '../../server/helpers.ts';
import type { PullParams, SyncTransport } from '../../../sw/sync/transport.ts';
import type { PushRequest, SessionUser } from '../../../src/protocol/index.ts';

export interface SignedIn {
  client: Client;
  user: SessionUser;
  revocationToken: string;
}

export type TabletTransport = SyncTransport & { use(client: Client): void };

export function sharedTablet(ctx: ServerContext) {
  async function login(email: string): Promise<SignedIn> {
    const client = ctx.server.client();
    const res = await client.request('POST', '/api/auth/login', { email, password: 'demo1234' });
    expect(res.status).toBe(200);
    return { client, user: res.body.user, revocationToken: res.body.revocationToken };
  }

  /** The browser's cookie jar: whoever signed in last on the tablet. */
  function tabletTransport(): TabletTransport {
    let current: SyncTransport | null = null;
    const now = () => {
      if (!current) throw new Error('nobody signed in on this tablet');
      return current;
    };
    return {
      use: (client) => void (current = serverTransport(ctx.server, client)),
      preparePush: (request: PushRequest) => now().preparePush(request),
      pull: (params: PullParams) => now().pull(params),
    };
  }

  /** `who` signs in on the tablet, and the sign-in's sync runs without an error. */
  async function signInOnTablet(device: TestDevice, transport: TabletTransport, who: SignedIn): Promise<void> {
    transport.use(who.client);
    await device.ask({ type: 'SESSION_STARTED', user: who.user, revocationToken: who.revocationToken });
    const result = await device.engine.sync('login');
    expect(result.error).toBeNull();
  }

  /** The device's clock on the server's "today", so "upcoming" means the same on both. */
  function alignClocks(device: TestDevice): void {
    device.clock.now = ctx.server.clock.now();
  }

  /** A tablet on which `email` signed in (`alignClock`: its clock on the server's "today" first). */
  async function signedInTablet(email: string, options: { alignClock?: boolean } = {}) {
    const transport = tabletTransport();
    const device = await createTestDevice(transport);
    if (options.alignClock) alignClocks(device);
    const who = await login(email);
    await signInOnTablet(device, transport, who);
    return { transport, device, who };
  }

  return { login, tabletTransport, signInOnTablet, alignClocks, signedInTablet };
}
