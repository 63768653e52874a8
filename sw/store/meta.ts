/** Small key-value settings kept in the `meta` store, read back through a schema. */
import { z } from 'zod';
import { SessionUserSchema, SyncResultSchema } from '../../src/protocol/index.ts';
import type { SyncDb } from '../db/schema.ts';

export const META_SCHEMAS = {
  session: SessionUserSchema.nullable(),
  pullCursor: z.string().nullable(),
  lastPulledAt: z.number().nullable(),
  lastResult: SyncResultSchema.nullable(),
  lastActivity: SyncResultSchema.nullable(),
  completedCount: z.number().int().nonnegative(),
  debug: z.boolean(),
  autoSync: z.boolean(),
  authRequired: z.boolean(),
  deviceId: z.string().nullable(),
  /** The signed-in session's revocation token, for a sign-out the server hears of later. */
  revocationToken: z.string().nullable(),
  /** Names of the people who signed in on this tablet, by user id (whose queued changes wait). */
  knownUsers: z.record(z.string(), z.string()),
  /** Someone signed out here and nobody signed in since: the replica answers nobody (401). */
  signedOut: z.boolean(),
} as const;

export type MetaKey = keyof typeof META_SCHEMAS;
export type MetaValue<K extends MetaKey> = z.infer<(typeof META_SCHEMAS)[K]>;

const DEFAULTS: { [K in MetaKey]: MetaValue<K> } = {
  session: null,
  pullCursor: null,
  lastPulledAt: null,
  lastResult: null,
  lastActivity: null,
  completedCount: 0,
  debug: false,
  autoSync: true,
  authRequired: false,
  deviceId: null,
  revocationToken: null,
  knownUsers: {},
  signedOut: false,
};

/** Reads a setting; a missing or malformed value (older version, manual edit) reads as the default. */
export async function getMeta<K extends MetaKey>(db: SyncDb, key: K): Promise<MetaValue<K>> {
  const entry = await db.get('meta', key);
  if (!entry) return DEFAULTS[key];
  const parsed = META_SCHEMAS[key].safeParse(entry.value);
  return parsed.success ? (parsed.data as MetaValue<K>) : DEFAULTS[key];
}

export async function setMeta<K extends MetaKey>(db: SyncDb, key: K, value: MetaValue<K>): Promise<void> {
  await db.put('meta', { key, value });
}
