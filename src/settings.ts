/**
 * The page's settings, kept in localStorage and read only through here: `DEBUG_OFFLINE = 'true'`
 * turns on the offline machinery's console logs (page and worker); `SMARTDMV_AUTO_SYNC = 'false'`
 * turns automatic syncing off.
 */

export const DEBUG_KEY = 'DEBUG_OFFLINE';
export const AUTO_SYNC_KEY = 'SMARTDMV_AUTO_SYNC';

export type StorageLike = Pick<Storage, 'getItem'>;

/** The page's localStorage, or null where reading it throws (some privacy modes). */
export function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** A setting's stored text, or null when it is unset or storage cannot be read. */
export function readSetting(storage: StorageLike | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null; // storage can throw in some privacy modes
  }
}

export function isDebugEnabled(storage: StorageLike | null): boolean {
  return readSetting(storage, DEBUG_KEY) === 'true';
}

/** On unless turned off. */
export function isAutoSyncEnabled(storage: StorageLike | null): boolean {
  return readSetting(storage, AUTO_SYNC_KEY) !== 'false';
}
