/**
 * Whose decision a held (conflict) or failed change is, on a tablet several people share. A change
 * is sent only under its author's session (the worker's push), and the same holds for deciding
 * about it: resolving, discarding or retrying it is its author's choice. A discard by its author is
 * their decision; by someone else it is the loss of what that person typed. The worker refuses
 * such requests with the sentence below, and the Sync tab shows the change as its author's, without
 * the buttons.
 *
 * A row with no author (`userId` null: never written by this worker, which records the signed-in
 * user on every row, but allowed by the row's schema) stays actionable by anyone signed in: no
 * session could ever send it or claim it, so refusing would strand it on the tablet for good.
 */

export type ChangeAction = 'resolve' | 'discard' | 'retry';

/** Why a request about a change is refused (the codes are in WorkerErrorCodeSchema). */
export interface ChangeRefusal {
  code: 'UNAUTHENTICATED' | 'NOT_YOUR_CHANGE';
  message: string;
}

/** Whether the person signed in (`signedInId`, null: nobody) may decide about a change made by `authorId`. */
export function mayDecideOnChange(authorId: number | null, signedInId: number | null): boolean {
  if (signedInId === null) return false;
  return authorId === null || authorId === signedInId;
}

/** "Dr. Lee", or "user #12" when this tablet never saw that person's name. */
export function authorLabel(authorId: number, authorName: string | null): string {
  return authorName ?? `user #${authorId}`;
}

/**
 * Null when allowed; else the code and the sentence to show. `authorName` is the author's name when
 * the tablet knows it (people who signed in here are remembered by the worker).
 */
export function changeRefusal(
  action: ChangeAction,
  change: { authorId: number | null; authorName: string | null },
  signedInId: number | null,
): ChangeRefusal | null {
  if (mayDecideOnChange(change.authorId, signedInId)) return null;
  if (signedInId === null || change.authorId === null) {
    return { code: 'UNAUTHENTICATED', message: `Sign in first: only the person who made a change may ${action} it.` };
  }
  const who = authorLabel(change.authorId, change.authorName);
  return {
    code: 'NOT_YOUR_CHANGE',
    message: `This change was made by ${who}. Only ${who} may ${action} it, once signed in on this tablet; until then it waits for them.`,
  };
}
