/**
 * How many queued rows belong to someone other than the person signed in: pending rows wait for
 * their author's next sign-in here (no sync of this session sends them), and failed or held
 * (conflict) rows wait for their author's decision (nobody else may retry, discard or resolve
 * them). Counting them needs a pass over those rows, so the numbers are kept in memory and counted
 * again only when they can change: at start, at sign-in and sign-out, and after the page discards,
 * retries or resolves rows. Writes and pushes never change them (they add, send, fail and hold
 * only the signed-in person's rows).
 */
import type { QueueStats, SessionUser, WorkerEvent } from '../../src/protocol/index.ts';
import type { SyncDb } from '../db/schema.ts';
import { rowsOfOthers, type OthersRows } from '../store/queue.ts';

export class OthersWaiting {
  private counts: OthersRows = { pending: 0, failed: 0, conflict: 0 };

  constructor(
    private readonly db: SyncDb,
    private readonly user: () => Promise<SessionUser | null>,
  ) {}

  async recount(): Promise<void> {
    this.counts = await rowsOfOthers(this.db, (await this.user())?.id ?? null);
  }

  stats(stats: QueueStats): QueueStats {
    return {
      ...stats,
      waitingForOthers: Math.min(this.counts.pending, stats.pending),
      failedOfOthers: Math.min(this.counts.failed, stats.failed),
      conflictsOfOthers: Math.min(this.counts.conflict, stats.conflicts),
    };
  }

  /** A QUEUE_STATS event with the counts added; other events as they are. */
  event(event: WorkerEvent): WorkerEvent {
    return event.type === 'QUEUE_STATS' ? { ...event, stats: this.stats(event.stats) } : event;
  }
}
