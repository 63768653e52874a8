/** Words for sync records, shared by the indicator, the panel and the dialog. */
import type { ConflictRecord, EntityType, QueuedOperation, ResolutionStrategy, SyncErrorCode } from '../protocol/index.ts';

export const ENTITY_LABEL: Record<EntityType, string> = {
  appointments: 'appointment',
  pets: 'pet',
  users: 'client',
};

export const STRATEGY_LABEL: Record<ResolutionStrategy, string> = {
  server_wins: 'Server wins',
  client_wins: 'Client wins',
  last_write_wins: 'Last write wins',
  merge: 'Merge',
  manual: 'Manual (field by field)',
};

export const STRATEGY_DESCRIPTION: Record<ResolutionStrategy, string> = {
  server_wins: 'Discard the changes made on this tablet and keep the server’s version.',
  client_wins: 'Overwrite the server with every change made on this tablet.',
  last_write_wins: 'Keep whichever change was made most recently.',
  merge: 'Keep changes that do not overlap automatically; choose for fields both sides changed.',
  manual: 'Choose the value of each field yourself.',
};

const PHASE_LABEL = { push: 'Sending changes', pull: 'Receiving updates' } as const;
export function phaseLabel(phase: keyof typeof PHASE_LABEL): string {
  return PHASE_LABEL[phase];
}

const TRIGGER_LABEL: Record<string, string> = {
  manual: 'Sync Now',
  'background-sync': 'background sync',
  periodic: 'periodic update',
  startup: 'app start',
  online: 'reconnection',
  login: 'sign in',
};
export function triggerLabel(trigger: string): string {
  return TRIGGER_LABEL[trigger] ?? trigger;
}

/** A record's name for people: an appointment's title, a pet's or client's name. */
export function recordName(data: Record<string, unknown> | null | undefined): string | null {
  const name = data?.title ?? data?.name;
  return typeof name === 'string' && name.trim() ? name : null;
}

export function describeOperation(op: QueuedOperation): string {
  const entity = ENTITY_LABEL[op.entityType];
  const name = recordName(op.data);
  const what = op.operation === 'create' ? `New ${entity}` : op.operation === 'update' ? `Change to ${entity}` : `Deletion of ${entity}`;
  return name ? `${what} “${name}”` : `${what} ${String(op.entityId)}`;
}

export function describeConflict(conflict: ConflictRecord): string {
  const entity = ENTITY_LABEL[conflict.entityType];
  const name = recordName(conflict.serverData) ?? recordName(conflict.localData);
  return `${entity.charAt(0).toUpperCase()}${entity.slice(1)} ${name ? `“${name}” ` : ''}(#${conflict.entityId})`;
}

const ERROR_HINT: Partial<Record<SyncErrorCode, string>> = {
  PET_NOT_FOUND: 'The pet no longer exists on the server.',
  NOT_FOUND: 'The record no longer exists on the server.',
  VALIDATION: 'The server refused the data.',
  FORBIDDEN: 'This account may not make that change.',
  UNAUTHENTICATED: 'Sign in again to send it.',
  NETWORK: 'The server could not be reached.',
  SERVER_ERROR: 'The server had a problem; it will be retried.',
};
export function errorHint(code: SyncErrorCode): string | null {
  return ERROR_HINT[code] ?? null;
}
