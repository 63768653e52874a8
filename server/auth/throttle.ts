/**
 * Failed sign-ins, counted per account (the email, case-folded) and per client address, each in
 * a fixed window that starts at its first failure. Past the limit, sign-ins for that account or
 * from that address are refused before any password is hashed, until the window ends (429 with
 * Retry-After). Attempts still being checked count as failures until they end, so a burst that
 * queues for the password check cannot overshoot the limit. A success clears the account's
 * count, not the address's. Pure: the clock is passed in; memory is bounded (the oldest windows
 * are dropped first).
 */
export interface ThrottleLimits {
  /** Failed sign-ins per account per window. */
  perAccount: number;
  /** Failed sign-ins per address per window (several people may share a clinic's address). */
  perAddress: number;
  windowMs: number;
  /** Windows kept in memory, per kind. */
  maxEntries: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perAccount: 10,
  perAddress: 50,
  windowMs: 15 * 60 * 1000,
  maxEntries: 10_000,
};

export interface Refusal {
  reason: 'account' | 'address';
  retryAfterSeconds: number;
}

export type Outcome = 'failed' | 'succeeded' | 'abandoned';

export interface SignInThrottle {
  /**
   * A refusal when this account or address is over its limit; else null, and the attempt is in
   * progress until `end`.
   */
  begin(account: string, address: string, now: number): Refusal | null;
  /** The attempt `begin` let through is over: a failure counts, a success clears the account's count. */
  end(account: string, address: string, outcome: Outcome, now: number): void;
}

interface Window {
  count: number;
  endsAt: number;
}

function counter(limit: number, limits: ThrottleLimits) {
  // A Map keeps insertion order: the first key is the oldest window.
  const windows = new Map<string, Window>();
  /** Attempts let through and not over yet, per key. */
  const pending = new Map<string, number>();
  const live = (key: string, now: number): Window | undefined => {
    const w = windows.get(key);
    if (w && w.endsAt <= now) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    over(key: string, now: number): number | null {
      const w = live(key, now);
      if ((w?.count ?? 0) + (pending.get(key) ?? 0) < limit) return null;
      // Over only because of attempts in progress: they end within a second or two.
      return w && w.count >= limit ? Math.max(1, Math.ceil((w.endsAt - now) / 1000)) : 1;
    },
    start(key: string): void {
      pending.set(key, (pending.get(key) ?? 0) + 1);
    },
    finish(key: string): void {
      const n = (pending.get(key) ?? 1) - 1;
      if (n <= 0) pending.delete(key);
      else pending.set(key, n);
    },
    add(key: string, now: number): void {
      const w = live(key, now);
      if (w) {
        w.count++;
        return;
      }
      const oldest = windows.keys().next();
      if (windows.size >= limits.maxEntries && !oldest.done) windows.delete(oldest.value);
      windows.set(key, { count: 1, endsAt: now + limits.windowMs });
    },
    clear(key: string): void {
      windows.delete(key);
    },
  };
}

export function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

export function createSignInThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS): SignInThrottle {
  const accounts = counter(limits.perAccount, limits);
  const addresses = counter(limits.perAddress, limits);
  return {
    begin(account, address, now) {
      const key = accountKey(account);
      const byAccount = accounts.over(key, now);
      if (byAccount !== null) return { reason: 'account', retryAfterSeconds: byAccount };
      const byAddress = addresses.over(address, now);
      if (byAddress !== null) return { reason: 'address', retryAfterSeconds: byAddress };
      accounts.start(key);
      addresses.start(address);
      return null;
    },
    end(account, address, outcome, now) {
      const key = accountKey(account);
      accounts.finish(key);
      addresses.finish(address);
      if (outcome === 'failed') {
        accounts.add(key, now);
        addresses.add(address, now);
      } else if (outcome === 'succeeded') {
        accounts.clear(key);
      }
    },
  };
}
