/**
 * The switches kept in localStorage: `DEBUG_OFFLINE = 'true'` turns on the offline machinery's
 * console logs (page and worker); `SMARTDMV_AUTO_SYNC = 'false'` turns automatic syncing off.
 */

export const DEBUG_KEY = 'DEBUG_OFFLINE';
export const AUTO_SYNC_KEY = 'SMARTDMV_AUTO_SYNC';

export type StorageLike = Pick<Storage, 'getItem'>;

export function isDebugEnabled(storage: StorageLike | null): boolean {
  try {
    return storage?.getItem(DEBUG_KEY) === 'true';
  } catch {
    return false; // storage can throw in some privacy modes
  }
}

/** The page's localStorage, or null where reading it throws (some privacy modes). */
export function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function browserStorage(): StorageLike | null {
  return localStorageOrNull();
}
