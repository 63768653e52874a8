import type { ResolutionErrorCode } from '../../src/protocol/index.ts';

/** A resolution the worker refuses, with a code of the protocol (the dialog shows the message). */
export class ResolutionError extends Error {
  constructor(
    readonly code: Exclude<ResolutionErrorCode, 'CONFLICT_NOT_FOUND'>,
    message: string,
  ) {
    super(message);
    this.name = 'ResolutionError';
  }
}
