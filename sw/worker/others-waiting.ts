/**
 * How many queued rows a sync of the person signed in does not send, and why.
 *
 * Other people's rows: pending rows wait for their author's next sign-in here (no sync of this
 * session sends them), and failed or held (conflict) rows wait for their author's decision (nobody
 * else may retry, discard or resolve them). Counting them needs a pass over those rows, so the
 * numbers are kept in memory and counted again only when they can change: at start, at sign-in and
 * sign-out, and after the page discards, retries or resolves rows. Writes and pushes never change
 * them (they add, send, fail and hold only the signed-in person's rows).
 *
 * The signed-in person's own rows that wait for another change first (a booking of a pet another
 * person registered here and did not send yet: see core/batch-plan.ts): writes and pushes do change
 * those, so `refresh` counts them again after each; it reads the queue only when some row cannot go.
 */
import type { QueueStats, SessionUser, WorkerEvent } from '../../src/protocol/index.ts';
import type { SyncDb } from '../db/schema.ts';
import { writeGeneration } from '../db/tx.ts';
import { countWaitingForChanges, rowsOfOthers, type OthersRows } from '../store/queue.ts';

export class OthersWaiting {
  private counts: OthersRows = { pending: 0, failed: 0, conflict: 0 };
  private waitingForChanges = 0;
  /** What `waitingForChanges` was counted from: the queue's write generation and the person; null to count again. */
  private countedAt: { generation: number; userId: number | null } | null = null;

  constructor(
    private readonly db: SyncDb,
    private readonly user: () => Promise<SessionUser | null>,
  ) {}

  /** Everything again (the person signed in changed, or rows of other people may have). */
  async recount(): Promise<void> {
    const user = await this.user();
    this.counts = await rowsOfOthers(this.db, user?.id ?? null);
    this.countedAt = null;
    await this.countOwn(user, null);
  }

  /** After writes or a sync run: the person's rows that wait for another change (`stats`: the queue's figures now). */
  async refresh(stats: QueueStats): Promise<void> {
    await this.countOwn(await this.user(), stats);
  }

  private async countOwn(user: SessionUser | null, stats: QueueStats | null): Promise<void> {
    // Nothing written to the queue since the last count, for the same person: it still holds.
    // (With a held row, counting reads the whole queue: ~160 ms for 10,000 rows in Chromium, and
    // every GET_STATE asks.) Read before counting, so a write committed meanwhile counts again next time.
    const generation = writeGeneration(this.db);
    const userId = user?.id ?? null;
    if (this.countedAt?.generation === generation && this.countedAt.userId === userId) return;
    const others = this.counts.pending + this.counts.failed + this.counts.conflict;
    // Without figures (a recount), the conflicts and failures are not known: read the queue.
    const ownHeld = stats ? stats.failed + stats.conflicts - this.counts.failed - this.counts.conflict : 1;
    this.waitingForChanges = await countWaitingForChanges(this.db, user, others > 0 || ownHeld > 0);
    this.countedAt = { generation, userId };
  }

  stats(stats: QueueStats): QueueStats {
    const waitingForOthers = Math.min(this.counts.pending, stats.pending);
    return {
      ...stats,
      waitingForOthers,
      failedOfOthers: Math.min(this.counts.failed, stats.failed),
      conflictsOfOthers: Math.min(this.counts.conflict, stats.conflicts),
      waitingForChanges: Math.min(this.waitingForChanges, stats.pending - waitingForOthers),
    };
  }

  /** A QUEUE_STATS event with the counts added; other events as they are. */
  event(event: WorkerEvent): WorkerEvent {
    return event.type === 'QUEUE_STATS' ? { ...event, stats: this.stats(event.stats) } : event;
  }
}
