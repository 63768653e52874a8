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
