/**
 * Runs an async task at most once at a time. A call made while it runs schedules exactly one more
 * run afterwards, so bursts of worker events (QUEUE_STATS after every operation) cost two requests,
 * not fifty, and the last state always wins.
 */
export function serialized(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}
