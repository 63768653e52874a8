/**
 * Debug logging with the reference's prefixes ([SyncEngine], [SyncQueue], [SyncPush], [SyncPull]).
 * Debug lines appear only when the page set `localStorage.DEBUG_OFFLINE = 'true'` (forwarded to
 * the worker and kept in IndexedDB); errors always appear.
 */
export interface ConsoleLogger {
  debug(prefix: string, message: string): void;
  error(prefix: string, message: string, err?: unknown): void;
}

export interface SwitchableConsoleLogger extends ConsoleLogger {
  enabled: boolean;
}

export function createConsoleLogger(
  sink: Pick<Console, 'log' | 'error'> = console,
  enabled = false,
): SwitchableConsoleLogger {
  return {
    enabled,
    debug(prefix, message) {
      if (this.enabled) sink.log(`${prefix} ${message}`);
    },
    error(prefix, message, err) {
      sink.error(`${prefix} ${message}`, err ?? '');
    },
  };
}
