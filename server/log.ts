/** Console logging with the reference's prefixes (`[SyncPush]`, `[SyncPull]`, ...). */
export interface Logger {
  info(prefix: string, message: string): void;
  error(message: string, err?: unknown): void;
  request(method: string, path: string, status: number, durationMs: number): void;
}

export function createConsoleLogger(options: { requests: boolean } = { requests: true }): Logger {
  return {
    info: (prefix, message) => console.log(`${prefix} ${message}`),
    error: (message, err) => console.error(`[Server] ${message}`, err instanceof Error ? err.stack ?? err.message : (err ?? '')),
    request: (method, path, status, durationMs) => {
      if (options.requests) console.log(`[Http] ${method} ${path} ${status} ${durationMs.toFixed(1)}ms`);
    },
  };
}

/** A logger that keeps lines in memory (tests, benchmarks). */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (prefix, message) => void lines.push(`${prefix} ${message}`),
    error: (message, err) => void lines.push(`[Server] ${message} ${String(err ?? '')}`),
    request: (method, path, status, durationMs) => void lines.push(`[Http] ${method} ${path} ${status} ${durationMs.toFixed(1)}ms`),
  };
}
