/**
 * How many queued rows wait for someone other than the person signed in (sent only when their
 * author signs in here again). Counting them needs a pass over the pending rows, so the number is
 * kept in memory and counted again only when it can change: at start, at sign-in and sign-out,
 * and after the page discards, retries or resolves rows. Writes and pushes never change it (they
 * add and remove only the signed-in person's rows).
 */
import type { QueueStats, SessionUser, WorkerEvent } from '../../src/protocol/index.ts';
import type { SyncDb } from '../db/schema.ts';
import { pendingOfOthers } from '../store/queue.ts';

export class OthersWaiting {
  private count = 0;

  constructor(
    private readonly db: SyncDb,
    private readonly user: () => Promise<SessionUser | null>,
  ) {}

  async recount(): Promise<void> {
    this.count = await pendingOfOthers(this.db, (await this.user())?.id ?? null);
  }

  /** Pending rows of others, as last counted. */
  get waiting(): number {
    return this.count;
  }

  stats(stats: QueueStats): QueueStats {
    return { ...stats, waitingForOthers: Math.min(this.count, stats.pending) };
  }

  /** A QUEUE_STATS event with the count added; other events as they are. */
  event(event: WorkerEvent): WorkerEvent {
    return event.type === 'QUEUE_STATS' ? { ...event, stats: this.stats(event.stats) } : event;
  }
}
