/** A write the user asked for (delete, cancel): busy while it runs, its failure as a sentence. */
import { describeError } from '../api/http.ts';

export interface WriteState {
  _saving: boolean;
  _error: string | null;
}

/** Runs `write`; on failure leaves "Not deleted: <reason>" in `_error`. True when it succeeded. */
export async function runWrite(state: WriteState, failure: string, write: () => Promise<unknown>): Promise<boolean> {
  state._saving = true;
  state._error = null;
  try {
    await write();
    return true;
  } catch (error) {
    state._error = `${failure}: ${describeError(error)}`;
    return false;
  } finally {
    state._saving = false;
  }
}
