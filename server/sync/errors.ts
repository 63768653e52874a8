/** A refused operation: its stable code goes into the result, the message explains it. */
import type { SyncErrorCode } from '../../src/protocol/index.ts';

export class OperationError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

/** `path: message; path: message` from a zod error, short enough for a result or a 400. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
