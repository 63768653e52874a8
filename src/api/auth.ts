/** The server's session API. It always goes to the network: the worker never stores or queues it. */
import { z } from 'zod';
import { AuthResponseSchema, type SessionUser } from '../protocol/index.ts';
import { ApiError, requestJson, type FetchLike } from './http.ts';

const Anything = z.unknown();

export class AuthApi {
  constructor(private readonly fetchFn: FetchLike) {}

  /** The user, and the token that ends this session without its cookie (for a sign-out made offline). */
  async login(email: string, password: string): Promise<{ user: SessionUser; revocationToken?: string }> {
    const { user, revocationToken } = await requestJson(this.fetchFn, '/api/auth/login', AuthResponseSchema, {
      method: 'POST',
      body: { email, password },
    });
    return revocationToken ? { user, revocationToken } : { user };
  }

  async logout(): Promise<void> {
    await requestJson(this.fetchFn, '/api/auth/logout', Anything, { method: 'POST' });
  }

  /** The signed-in user; null when the server says nobody is (401). Throws ApiError(0) when offline. */
  async me(): Promise<SessionUser | null> {
    try {
      const { user } = await requestJson(this.fetchFn, '/api/auth/me', AuthResponseSchema);
      return user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }
}
