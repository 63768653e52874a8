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
