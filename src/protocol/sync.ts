/**
 * The push/pull wire contract of `../shared/reference/OFFLINE_SYNC_SYSTEM.md`, field by field,
 * plus what this project adds (opId for exactly-once, cursor for gap-free paging, error codes).
 */
import { z } from 'zod';
import { ClashSchema } from './double-booking.ts';
import { EntityIdSchema, EntityTypeSchema, RealIdSchema, TempIdSchema } from './entities.ts';
import { isWellFormedText, textField } from './fields.ts';

export const OPERATION_KINDS = ['create', 'update', 'delete'] as const;
export const OperationKindSchema = z.enum(OPERATION_KINDS);
export type OperationKind = z.infer<typeof OperationKindSchema>;

/** Stable error codes of a failed operation (push) or request. */
export const SYNC_ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'PET_NOT_FOUND',
  'REFERENCE_NOT_FOUND',
  'FORBIDDEN',
  'UNKNOWN_ENTITY',
  /** REST only (409): the write conflicts with server changes; the body carries conflictData. */
  'CONFLICT',
  /** REST only (409): the booking clashes with another appointment; the body carries conflictData. */
  'DOUBLE_BOOKING',
  'UNAUTHENTICATED',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_OPERATIONS',
  'BAD_REQUEST',
  /** A delete refused because live records depend on the row (REST 409): the message names them. */
  'HAS_DEPENDENTS',
  /** Too many requests or failed sign-ins (HTTP 429 with Retry-After). */
  'RATE_LIMITED',
  /**
   * A body that is not JSON (`Content-Type` other than application/json) or an unsupported `Content-Encoding` (415).
   */
  'UNSUPPORTED_MEDIA_TYPE',
  'QUOTA_EXCEEDED',
  'NETWORK',
  'SERVER_ERROR',
  'INTERNAL',
] as const;
export const SyncErrorCodeSchema = z.enum(SYNC_ERROR_CODES);
export type SyncErrorCode = z.infer<typeof SyncErrorCodeSchema>;

export const ErrorInfoSchema = z.object({ code: SyncErrorCodeSchema, message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** Every non-2xx JSON answer of the server. */
export const ErrorResponseSchema = z.object({
  success: z.literal(false),
  error: ErrorInfoSchema,
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const MAX_OPERATIONS_PER_PUSH = 1000;
export const MAX_PUSH_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PULL_LIMIT = 100;
export const MAX_PULL_LIMIT = 1000;

/**
 * The fields of a record on the wire (push `data`, pull change `data`, a push result's `record`):
 * only required here to be an object. Their fields are checked where they are used: pushed data by
 * the server (WRITABLE_SCHEMAS), pulled records by the worker (ENTITY_SCHEMAS, bad ones
 * quarantined); an acknowledged record is what the server just stored from checked data. A z.record
 * walk of every key cost half of parsing a pushed operation, and ~2 µs per record in the worker.
 */
export const FieldsObjectSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'Expected an object of fields' },
);

/**
 * One operation of `POST /api/sync/push`. The entity data is checked per entity type by the
 * server (see WRITABLE_SCHEMAS); here it is only required to be a plain object.
 */
export const PushOperationSchema = z.object({
  /** The client's queue row id ("Operation ID (optional)"), echoed as `operationId`. */
  id: z.number().int().optional(),
  /** Client-made UUID; the server applies each opId at most once. */
  opId: z.string().min(8).max(100),
  operation: OperationKindSchema,
  /** Entity type. Validated by the server per operation so an unknown one fails only itself. */
  entityType: z.string().min(1).max(50),
  /** Temp or real id of the record. Required for update and delete. */
  entityId: EntityIdSchema.optional(),
  /** For create: the temp id the device gave the record. */
  tempId: TempIdSchema.optional(),
  /** Full entity data for a create; only the changed fields for an update (delta sync). */
  data: FieldsObjectSchema.optional(),
  /** Client timestamp (ms) of the change: used by last-write-wins. */
  timestamp: z.number().int().nonnegative(),
  /** The record version the client last saw (update and delete). */
  version: z.number().int().nonnegative().optional(),
  userId: z.union([z.string(), z.number()]).optional(),
  practiceId: z.number().int().optional(),
  tenantId: z.string().optional(),
});
export type PushOperation = z.infer<typeof PushOperationSchema>;

export const PushRequestSchema = z.object({
  operations: z.array(PushOperationSchema).max(MAX_OPERATIONS_PER_PUSH),
  clientTimestamp: z.number().int().nonnegative(),
  /** Optional device id, for logs. */
  deviceId: z.string().max(100).optional(),
});
export type PushRequest = z.infer<typeof PushRequestSchema>;

/**
 * `version`: a field the device changed was changed on the server too; `deleted`: the record was
 * deleted on the server; `double_booking`: the booking clashes with another live appointment of the
 * same practitioner or pet (see double-booking.ts), nothing was applied; `timestamp`: the
 * reference's name, not produced by this server.
 */
export const CONFLICT_TYPES = ['version', 'deleted', 'double_booking', 'timestamp'] as const;
export const ConflictTypeSchema = z.enum(CONFLICT_TYPES);
export type ConflictType = z.infer<typeof ConflictTypeSchema>;

export const ConflictDataSchema = z.object({
  /** What the client sent (the changed fields of its update). */
  localData: z.record(z.string(), z.unknown()),
  /** The server's current record (null fields included; a deleted row has `deletedAt`). */
  serverData: z.record(z.string(), z.unknown()),
  conflictType: ConflictTypeSchema,
  affectedFields: z.array(z.string()),
  baseVersion: z.number().int().nonnegative(),
  serverVersion: z.number().int().nonnegative(),
  /**
   * Every field the server changed since `baseVersion` (affectedFields are only those the client
   * changed too), so the conflict dialog can list changes made only on the server. Optional:
   * older servers do not send it.
   */
  serverChangedFields: z.array(z.string()).optional(),
  /**
   * When the server's current version was edited, by the clock of the device that made the edit
   * (the operation's `timestamp`, ms), not when the server received it: last-write-wins compares
   * this with the local edit time. Absent when the server does not know it.
   */
  serverEditedAt: z.number().optional(),
  /**
   * Who made the server's current version (a user of the practice: id and name), so a person can
   * ask them. Absent when the server does not know (rows written before it recorded this).
   */
  serverEditedBy: z.object({ id: z.number().int(), name: z.string() }).optional(),
  /** double_booking: the appointments this booking clashes with (at most MAX_CLASHES_REPORTED). */
  clashes: z.array(ClashSchema).optional(),
});
export type ConflictData = z.infer<typeof ConflictDataSchema>;

export const PushResultSchema = z.object({
  operationId: z.number().int().optional(),
  opId: z.string(),
  success: z.boolean(),
  entityType: z.string(),
  /** The record's real id (create: the new id; update/delete: the id after temp-id resolution). */
  realId: RealIdSchema.optional(),
  tempId: TempIdSchema.optional(),
  /** The record's version after the operation. */
  version: z.number().int().nonnegative().optional(),
  /** The record as stored after the operation (merged, for an update that merged). */
  record: FieldsObjectSchema.optional(),
  conflict: z.boolean().optional(),
  conflictData: ConflictDataSchema.optional(),
  error: ErrorInfoSchema.optional(),
});
export type PushResult = z.infer<typeof PushResultSchema>;

export const PushResponseSchema = z.object({
  success: z.boolean(),
  /** Operations applied (success: true). processed + failed + conflicts = results.length. */
  processed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
  results: z.array(PushResultSchema),
  /** Server time (ms) when the batch was processed. */
  timestamp: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** Query of `GET /api/sync/pull`, already parsed from the URL. */
export const PullQuerySchema = z.object({
  lastSyncTimestamp: z.coerce.number().int().nonnegative().default(0),
  practiceId: z.coerce.number().int().positive().optional(),
  entityTypes: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(EntityTypeSchema).min(1).optional()),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(DEFAULT_PULL_LIMIT),
  /** Opaque; when present it wins over lastSyncTimestamp. */
  cursor: z.string().max(2000).optional(),
});
export type PullQuery = z.infer<typeof PullQuerySchema>;

export const PullChangeSchema = z.object({
  entityType: EntityTypeSchema,
  operation: OperationKindSchema,
  data: FieldsObjectSchema,
  id: RealIdSchema,
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type PullChange = z.infer<typeof PullChangeSchema>;

export const PullResponseSchema = z.object({
  success: z.literal(true),
  /** Server time (ms) of this response. */
  timestamp: z.number().int().nonnegative(),
  changes: z.array(PullChangeSchema),
  hasMore: z.boolean(),
  /** Highest updatedAt (ms) among the changes, or `timestamp` when there were none. */
  nextTimestamp: z.number().int().nonnegative(),
  /** Opaque position in the server's change sequence: send it back as `cursor`. */
  cursor: z.string(),
});
export type PullResponse = z.infer<typeof PullResponseSchema>;

/** Session user as `/api/auth/login` and `/api/auth/me` return it. */
export const SessionUserSchema = z.object({
  id: RealIdSchema,
  name: z.string(),
  role: z.enum(['ADMIN', 'PRACTITIONER', 'STAFF', 'CLIENT']),
  practiceId: RealIdSchema,
  tenantId: z.string(),
  email: z.string().optional(),
});
export type SessionUser = z.infer<typeof SessionUserSchema>;

export const LoginRequestSchema = z.object({
  email: textField('Email', { min: 3, max: 320 }),
  password: z
    .string()
    .min(1)
    .max(200)
    .refine(isWellFormedText, { error: 'Password contains a character that cannot be stored' }),
});
export const AuthResponseSchema = z.object({
  user: SessionUserSchema,
  /**
   * Ends this session through `POST /api/auth/revoke` without its cookie (a sign-out queued
   * offline and replayed later, when the browser may hold the next user's cookie). Keep it with
   * the device's sign-out queue only; the server keeps only its hash.
   */
  revocationToken: z.string().optional(),
});
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

/** Body of `POST /api/auth/revoke`: always answered 200 `{ success: true }`, whether or not the session existed. */
export const RevokeRequestSchema = z.object({
  token: z.string().min(20).max(200).refine(isWellFormedText, { error: 'Token is not one the server gave out' }),
});
export type RevokeRequest = z.infer<typeof RevokeRequestSchema>;
