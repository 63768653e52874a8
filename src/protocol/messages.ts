/**
 * Messages between the page and the service worker, as discriminated unions validated on receipt.
 * Page → worker messages are requests: the worker answers each on the MessagePort that came with
 * it (see `WorkerReply`). Worker → page messages are events broadcast to every open window.
 */
import { z } from 'zod';
import { EntityIdSchema, EntityTypeSchema, RealIdSchema, TempIdSchema } from './entities.ts';
import {
  ConflictDataSchema,
  ErrorInfoSchema,
  OperationKindSchema,
  SessionUserSchema,
  SYNC_ERROR_CODES,
} from './sync.ts';

// ---------------------------------------------------------------- shared records

export const QUEUE_STATUSES = ['pending', 'in_flight', 'failed', 'conflict'] as const;
export const QueueStatusSchema = z.enum(QUEUE_STATUSES);
export type QueueStatus = z.infer<typeof QueueStatusSchema>;

/** One row of the `sync_operations` store, as the page sees it. */
export const QueuedOperationSchema = z.object({
  id: z.number().int(),
  opId: z.string(),
  operation: OperationKindSchema,
  entityType: EntityTypeSchema,
  entityId: EntityIdSchema,
  tempId: TempIdSchema.nullable(),
  /** Full record for a create, changed fields only for an update, null for a delete. */
  data: z.record(z.string(), z.unknown()).nullable(),
  baseVersion: z.number().int().nonnegative().nullable(),
  timestamp: z.number(),
  userId: z.number().int().nullable(),
  practiceId: z.number().int(),
  tenantId: z.string(),
  status: QueueStatusSchema,
  attempts: z.number().int().nonnegative(),
  lastError: ErrorInfoSchema.nullable(),
  /** true when a failure may go away by itself (network, 5xx, lastChance); false for a rejection. */
  retryable: z.boolean(),
  /**
   * A pending change of the person signed in that a sync would not send yet: it waits for another
   * queued change first (`operationId`), which is not sent yet either (another person's, held, or
   * failed): an earlier change of its own record ('record'), or the create of a new record it names
   * ('reference': a booking of a pet registered on this tablet). Absent when it would go.
   */
  waitsFor: z.object({ operationId: z.number().int(), reason: z.enum(['record', 'reference']) }).optional(),
});
export type QueuedOperation = z.infer<typeof QueuedOperationSchema>;

/** A conflict as this device keeps it: the server's ConflictData, what it holds back, and how it ended. */
export const ConflictRecordSchema = ConflictDataSchema.extend({
  id: z.number().int(),
  /** The queue row this conflict holds back (status `conflict`). */
  operationId: z.number().int(),
  entityType: EntityTypeSchema,
  /** The record's id on this device (a held create of a double booking has only its temp id). */
  entityId: EntityIdSchema,
  /**
   * What the device tried: an update (fields in localData), a delete (localData empty), or a
   * create (a new booking held as a double booking; localData is the whole booking).
   */
  localOperation: z.enum(['create', 'update', 'delete']),
  /** When the local change was made (ms). */
  localTimestamp: z.number(),
  detectedAt: z.number(),
  resolved: z.boolean(),
  resolvedAt: z.number().nullable(),
  resolution: z.string().nullable(),
  /**
   * Who resolved it: the user signed in when it was resolved or discarded (only the held change's
   * author may: ownership.ts). Absent on conflicts resolved before the worker recorded it.
   */
  resolvedBy: z.number().int().nullable().optional(),
});
export type ConflictRecord = z.infer<typeof ConflictRecordSchema>;

/**
 * A pulled record the worker could not accept (it failed the entity schema). It is set aside so
 * the rest of the pull goes on; a later valid version of the same record replaces it.
 */
export const QuarantinedRecordSchema = z.object({
  entityType: EntityTypeSchema,
  /** The server id of the record. */
  id: RealIdSchema,
  version: z.number().int().nonnegative(),
  /** Why it was refused, for people ("date: Date must be between the years 1900 and 2199"). */
  reason: z.string(),
  /** The record as received, as JSON text cut to at most 2,000 characters. */
  raw: z.string(),
  receivedAt: z.number(),
});
export type QuarantinedRecord = z.infer<typeof QuarantinedRecordSchema>;

export const QueueStatsSchema = z.object({
  pending: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
  /** Operations the server acknowledged since the last "clear completed". */
  completed: z.number().int().nonnegative(),
  /**
   * Of `pending`, the rows of people other than the one signed in: they wait for their author's
   * next sign-in here, and no sync of this session sends them.
   */
  waitingForOthers: z.number().int().nonnegative().optional(),
  /**
   * Of `failed` and `conflicts`, the rows of people other than the one signed in: only their author
   * may retry, discard or resolve them (see ownership.ts), so the indicator leaves them out.
   */
  failedOfOthers: z.number().int().nonnegative().optional(),
  conflictsOfOthers: z.number().int().nonnegative().optional(),
  /**
   * Of `pending`, the rows of the person signed in that wait for another change first (see
   * QueuedOperation.waitsFor): a sync does not send them until that change is sent.
   */
  waitingForChanges: z.number().int().nonnegative().optional(),
});
export type QueueStats = z.infer<typeof QueueStatsSchema>;

export const SYNC_PHASES = ['push', 'pull'] as const;
export const SyncProgressSchema = z.object({
  phase: z.enum(SYNC_PHASES),
  processed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  percentage: z.number().min(0).max(100),
});
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

export const SyncResultSchema = z.object({
  pushed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
  pulled: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  finishedAt: z.number(),
  /** Why the sync stopped early, if it did (offline, auth, server error). */
  error: ErrorInfoSchema.nullable(),
  /** What started it: 'manual' | 'background-sync' | 'periodic' | 'startup' | 'online' | 'login'. */
  trigger: z.string(),
  /**
   * Who was signed in: the run sent that person's changes only (a tablet is shared; "Last sync"
   * names them). Null when nobody was; absent on results stored before the worker recorded it.
   */
  userId: z.number().int().nullable().optional(),
});
export type SyncResult = z.infer<typeof SyncResultSchema>;

export const SyncStateSchema = z.object({
  isSyncing: z.boolean(),
  progress: SyncProgressSchema.nullable(),
  lastResult: SyncResultSchema.nullable(),
  stats: QueueStatsSchema,
  authRequired: z.boolean(),
  debug: z.boolean(),
  /** Background, periodic and on-write syncs are on (the "Sync automatically" setting). */
  autoSync: z.boolean(),
  user: SessionUserSchema.nullable(),
  /** Last successful pull (ms), null before the first. */
  lastPulledAt: z.number().nullable(),
  /** Background Sync available in this browser. */
  backgroundSync: z.boolean(),
  /**
   * The last run that sent or received anything, or stopped on an error ("Last sync" shows this,
   * not an empty run started by opening a screen). `lastResult` stays the very last run.
   */
  lastActivity: SyncResultSchema.nullable(),
  /** Pulled records set aside because they failed validation (see GET_QUARANTINE). */
  quarantined: z.number().int().nonnegative(),
});
export type SyncState = z.infer<typeof SyncStateSchema>;

// ---------------------------------------------------------------- resolutions

/** The reference's strategies, for `version` and `deleted` conflicts. */
export const VERSION_STRATEGIES = ['server_wins', 'client_wins', 'last_write_wins', 'merge', 'manual'] as const;
/**
 * The reference's five strategies (version and deleted conflicts), then the three ways out of a
 * double booking: `move` (the held booking gets `changes`: another time, duration or
 * practitioner), `keep_both` (sent again with `overlapAllowed: true`, on purpose), `cancel_mine`
 * (the held booking is kept as cancelled). `server_wins` also undoes a held update of a booking.
 */
export const RESOLUTION_STRATEGIES = [...VERSION_STRATEGIES, 'move', 'keep_both', 'cancel_mine'] as const;
export const DOUBLE_BOOKING_STRATEGIES = [
  'move',
  'keep_both',
  'cancel_mine',
  'server_wins',
] as const satisfies readonly ResolutionStrategy[];
export const ResolutionStrategySchema = z.enum(RESOLUTION_STRATEGIES);
export type ResolutionStrategy = z.infer<typeof ResolutionStrategySchema>;

/** A choice for one field: keep the local value, the server's, or a value typed by the user. */
export const FieldChoiceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('local') }),
  z.object({ source: z.literal('server') }),
  z.object({ source: z.literal('custom'), value: z.unknown() }),
]);
export type FieldChoice = z.infer<typeof FieldChoiceSchema>;

export const ResolutionSchema = z.object({
  strategy: ResolutionStrategySchema,
  /** For manual, and for merge's conflicting fields: one choice per affected field. */
  fields: z.record(z.string(), FieldChoiceSchema).optional(),
  /** For `move`: the booking's new slot (any of date, durationMinutes, practitionerId). */
  changes: z
    .object({
      date: z.string(),
      durationMinutes: z.union([z.number(), z.string()]),
      practitionerId: EntityIdSchema.nullable(),
    })
    .partial()
    .optional(),
});
export type Resolution = z.infer<typeof ResolutionSchema>;

// ---------------------------------------------------------------- page → worker

export const PageMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('SYNC_NOW') }),
  z.object({ type: z.literal('GET_STATE') }),
  z.object({ type: z.literal('GET_OPERATIONS') }),
  z.object({ type: z.literal('GET_CONFLICTS') }),
  /** Pulled records set aside as unreadable, newest first. */
  z.object({ type: z.literal('GET_QUARANTINE') }),
  z.object({ type: z.literal('RESOLVE_CONFLICT'), conflictId: z.number().int(), resolution: ResolutionSchema }),
  z.object({ type: z.literal('CLEAR_COMPLETED') }),
  z.object({ type: z.literal('CLEAR_FAILED') }),
  z.object({ type: z.literal('RETRY_OPERATION'), operationId: z.number().int() }),
  z.object({ type: z.literal('DISCARD_OPERATION'), operationId: z.number().int() }),
  z.object({ type: z.literal('SET_DEBUG'), enabled: z.boolean() }),
  /** "Sync automatically": off, the worker syncs only on Sync Now and at sign-in. */
  z.object({ type: z.literal('SET_AUTO_SYNC'), enabled: z.boolean() }),
  /** The page saw the `online` event (fallback trigger where Background Sync is missing). */
  z.object({ type: z.literal('ONLINE') }),
  /**
   * The page signed in: the worker remembers the user and pulls the practice's data. The login's
   * `revocationToken` goes with it (kept for a sign-out the server cannot be told of at once).
   */
  z.object({
    type: z.literal('SESSION_STARTED'),
    user: SessionUserSchema,
    revocationToken: z.string().min(1).max(200).optional(),
  }),
  /**
   * The page signed out: the worker forgets the user (reads and writes answer 401 until the next
   * sign-in) and drops the replica unless work is queued. `serverSignedOut: false` (the page could
   * not reach `/api/auth/logout`) queues `POST /api/auth/revoke` until the network returns.
   */
  z.object({ type: z.literal('SESSION_ENDED'), serverSignedOut: z.boolean().optional() }),
  /** Unsynced changes on this tablet per person who made them (the sign-out warning, the Sync tab). */
  z.object({ type: z.literal('GET_WAITING_WORK') }),
  /** workbox-window's messageSkipWaiting(): the user accepted "Update ready — reload". */
  z.object({ type: z.literal('SKIP_WAITING') }),
]);
export type PageMessage = z.infer<typeof PageMessageSchema>;
export type PageMessageType = PageMessage['type'];

/** Why RESOLVE_CONFLICT was refused (the dialog shows the message; the code says what to fix). */
export const RESOLUTION_ERROR_CODES = [
  /** merge or manual: a field both sides changed has no choice yet. */
  'CHOICE_REQUIRED',
  /** A choice names a field the record does not have. */
  'UNKNOWN_FIELD',
  /** The strategy does not apply (merge or manual of a deletion made on this device). */
  'NOT_APPLICABLE',
  /** No open conflict with that id (resolved meanwhile, e.g. in another tab). */
  'CONFLICT_NOT_FOUND',
] as const;
export type ResolutionErrorCode = (typeof RESOLUTION_ERROR_CODES)[number];

/**
 * Why RESOLVE_CONFLICT, DISCARD_OPERATION or RETRY_OPERATION was refused for who is asking (see
 * ownership.ts); nobody signed in is UNAUTHENTICATED.
 */
export const OWNERSHIP_ERROR_CODES = [
  /** The change was made by someone else on this tablet: only they may decide about it. */
  'NOT_YOUR_CHANGE',
] as const;

/** Codes of a refused page request: the sync codes plus the resolution and ownership ones. */
export const WorkerErrorCodeSchema = z.enum([...SYNC_ERROR_CODES, ...RESOLUTION_ERROR_CODES, ...OWNERSHIP_ERROR_CODES]);
export type WorkerErrorCode = z.infer<typeof WorkerErrorCodeSchema>;
export const WorkerErrorInfoSchema = z.object({ code: WorkerErrorCodeSchema, message: z.string() });
export type WorkerErrorInfo = z.infer<typeof WorkerErrorInfoSchema>;

/** Answer on the request's MessagePort. */
export const WorkerReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: WorkerErrorInfoSchema }),
]);
export type WorkerReply = z.infer<typeof WorkerReplySchema>;

// ---------------------------------------------------------------- worker → page

export const WorkerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('SYNC_STARTED'), trigger: z.string() }),
  z.object({ type: z.literal('SYNC_PROGRESS'), progress: SyncProgressSchema }),
  z.object({ type: z.literal('SYNC_RESULT'), result: SyncResultSchema }),
  z.object({ type: z.literal('QUEUE_STATS'), stats: QueueStatsSchema }),
  z.object({ type: z.literal('CONFLICT_ADDED'), conflict: ConflictRecordSchema }),
  z.object({ type: z.literal('CONFLICT_RESOLVED'), conflictId: z.number().int() }),
  z.object({ type: z.literal('AUTH_REQUIRED') }),
  /** Someone signed out on this tablet: every window showing that user goes to the sign-in screen. */
  z.object({ type: z.literal('SIGNED_OUT'), userId: z.number().int() }),
  /** The replica changed (push answers, pull, resolution): screens showing these types should reload. */
  z.object({ type: z.literal('DATA_CHANGED'), entityTypes: z.array(EntityTypeSchema) }),
  /**
   * Every sign-out the worker kept for the server (SESSION_ENDED's `revokeQueued`) reached it:
   * `count` of them were sent now. The signed-out card then says the server has been told.
   */
  z.object({ type: z.literal('SIGN_OUTS_DELIVERED'), count: z.number().int().positive() }),
  /** The browser gave up retrying a background sync; the work stays queued. */
  z.object({ type: z.literal('SYNC_GAVE_UP'), pending: z.number().int().nonnegative() }),
]);
export type WorkerEvent = z.infer<typeof WorkerEventSchema>;

/** Reply values per request type, for typed `send()` on the page. */
/**
 * Changes on this tablet not yet on the server, made by one person: they are sent only while that
 * person is signed in here. `name` is null for someone this tablet never saw sign in.
 */
export const WaitingWorkSchema = z.object({
  userId: z.number().int().nullable(),
  name: z.string().nullable(),
  count: z.number().int().positive(),
});
export type WaitingWork = z.infer<typeof WaitingWorkSchema>;

export interface PageMessageReplies {
  SYNC_NOW: SyncResult;
  GET_STATE: SyncState;
  GET_OPERATIONS: QueuedOperation[];
  GET_CONFLICTS: ConflictRecord[];
  GET_QUARANTINE: QuarantinedRecord[];
  RESOLVE_CONFLICT: { queuedOperationId: number | null };
  CLEAR_COMPLETED: QueueStats;
  CLEAR_FAILED: QueueStats;
  RETRY_OPERATION: QueueStats;
  DISCARD_OPERATION: QueueStats;
  SET_DEBUG: { debug: boolean };
  SET_AUTO_SYNC: { autoSync: boolean };
  ONLINE: { started: boolean };
  SESSION_STARTED: { started: boolean };
  SESSION_ENDED: { dropped: boolean; pending: number; revokeQueued: boolean };
  GET_WAITING_WORK: WaitingWork[];
  SKIP_WAITING: { skipping: boolean };
}

export const REPLY_SCHEMAS: { [K in PageMessageType]: z.ZodType<PageMessageReplies[K]> } = {
  SYNC_NOW: SyncResultSchema,
  GET_STATE: SyncStateSchema,
  GET_OPERATIONS: z.array(QueuedOperationSchema),
  GET_CONFLICTS: z.array(ConflictRecordSchema),
  GET_QUARANTINE: z.array(QuarantinedRecordSchema),
  RESOLVE_CONFLICT: z.object({ queuedOperationId: z.number().int().nullable() }),
  CLEAR_COMPLETED: QueueStatsSchema,
  CLEAR_FAILED: QueueStatsSchema,
  RETRY_OPERATION: QueueStatsSchema,
  DISCARD_OPERATION: QueueStatsSchema,
  SET_DEBUG: z.object({ debug: z.boolean() }),
  SET_AUTO_SYNC: z.object({ autoSync: z.boolean() }),
  ONLINE: z.object({ started: z.boolean() }),
  SESSION_STARTED: z.object({ started: z.boolean() }),
  SESSION_ENDED: z.object({ dropped: z.boolean(), pending: z.number().int().nonnegative(), revokeQueued: z.boolean() }),
  GET_WAITING_WORK: z.array(WaitingWorkSchema),
  SKIP_WAITING: z.object({ skipping: z.boolean() }),
};

/** Background Sync tags. */
export const SYNC_TAG = 'smartdmv-sync';
export const PERIODIC_SYNC_TAG = 'smartdmv-pull';
