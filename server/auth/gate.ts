/**
 * Bounds concurrent password hashing. scrypt runs on libuv's thread pool, which also serves file
 * reads (static files) and compression; a burst of sign-ins used to fill it and slow everything
 * else (static files from 2–9 ms to 267 ms). At most `concurrency` hashes run at once, at most
 * `maxWaiting` wait; beyond that a sign-in is refused at once (BusyError → 429) instead of
 * queueing without bound.
 */
export class BusyError extends Error {
  constructor() {
    super('Too many sign-ins at once');
    this.name = 'BusyError';
  }
}

export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Running and waiting tasks (for tests and logs). */
  load(): { running: number; waiting: number };
}

export function createGate(concurrency: number, maxWaiting: number): Gate {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };
  return {
    async run(task) {
      if (running >= concurrency) {
        if (waiting.length >= maxWaiting) throw new BusyError();
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    load: () => ({ running, waiting: waiting.length }),
  };
}
