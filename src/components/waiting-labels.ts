/**
 * Words for a change that waits for another change first (QueuedOperation.waitsFor, decided by the
 * worker's batch planner): which change it waits for, and when it goes. A change can wait along a
 * chain (a booking for a new pet whose new owner is another person's new client): the sentence
 * names the change it waits for, and when it goes comes from the first change of the chain.
 */
import type { QueuedOperation } from '../protocol/index.ts';
import { ENTITY_LABEL, describeOperation } from './labels.ts';

export interface WaitNames {
  /** A queued change by id (the Sync tab's list). */
  operation(id: number): QueuedOperation | undefined;
  /** A record's name when the change does not carry it. */
  record(op: QueuedOperation): string | null;
  /** The name of the change's author when that is not the person signed in, else null. */
  waitsFor(userId: number | null): string | null;
}

export interface WaitingText {
  /** The row's badge: "Waiting for Maya Chen to sign in". */
  badge: string;
  /** "Waits for Maya Chen’s new pet “Biscuit” to be sent: it goes when Maya Chen signs in and syncs." */
  detail: string;
}

/** What `op` waits for, in words; null when it does not wait for another change. */
export function waitingText(op: QueuedOperation, names: WaitNames): WaitingText | null {
  const waits = op.waitsFor;
  if (!waits) return null;
  const blocker = names.operation(waits.operationId);
  if (!blocker) return { badge: 'Waiting', detail: 'Waits for another change to be sent first.' };
  const root = firstOfChain(blocker, names);
  const author = names.waitsFor(blocker.userId);
  const whose = author ? `${author}’s` : 'your';
  const what =
    waits.reason === 'record'
      ? `${whose} earlier change to this ${ENTITY_LABEL[op.entityType]}`
      : `${whose} ${lowerFirst(describeOperation(blocker, names.record(blocker)))}`;
  const state =
    blocker.status === 'conflict'
      ? `${what}, held by a conflict`
      : blocker.status === 'failed'
        ? `${what}, which failed`
        : `${what} to be sent`;
  return { badge: badgeFor(root, names), detail: `Waits for ${state}: ${whenItGoes(root, names)}` };
}

/** The change at the start of the chain: the one that waits for nothing else. */
function firstOfChain(op: QueuedOperation, names: WaitNames): QueuedOperation {
  const seen = new Set<number>();
  let current = op;
  while (current.waitsFor && !seen.has(current.id)) {
    seen.add(current.id);
    const next = names.operation(current.waitsFor.operationId);
    if (!next) break;
    current = next;
  }
  return current;
}

function whenItGoes(root: QueuedOperation, names: WaitNames): string {
  const author = names.waitsFor(root.userId);
  if (root.status === 'conflict')
    return author
      ? `it goes once ${author} signs in and resolves the conflict.`
      : 'it goes once you resolve the conflict (Conflicts, below).';
  if (root.status === 'failed')
    return author
      ? `it goes once ${author} signs in and retries it. If it is discarded instead, this change fails too.`
      : 'it goes once you retry it and it is sent (Failed changes, above). If you discard it, this change fails too.';
  return author ? `it goes when ${author} signs in and syncs.` : 'it goes with the next sync.';
}

function badgeFor(root: QueuedOperation, names: WaitNames): string {
  const author = names.waitsFor(root.userId);
  if (author) return `Waiting for ${author} to sign in`;
  if (root.status === 'conflict') return 'Waiting for a decision';
  if (root.status === 'failed') return 'Waiting for a retry';
  return 'Waiting';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
