/**
 * The push path's quick acceptance (server/sync/canonical.ts) against the zod schemas it stands
 * in for: whatever it accepts, the schema accepts with a strictly equal result (else a value zod
 * refuses could be stored, or a record could differ by path); and what a service worker sends
 * is accepted (else the quick path silently stops being taken). Inputs mix canonical values with
 * every kind of near miss: untrimmed and broken text, alias spellings, offsets, leading zeros,
 * out-of-range numbers, wrong types, absent and extra keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalAppointment, canonicalOperation } from '../../server/sync/canonical.ts';
import { parseCreateBody } from '../../sw/core/write-input.ts';
import { assertStorable, schemaCreateData } from '../../server/sync/validate.ts';
import {
  APPOINTMENT_STATUSES,
  APPOINTMENT_TYPES,
  CREATE_DEFAULTS,
  PushOperationSchema,
} from '../../src/protocol/index.ts';

const RUNS = 3000;

/**
 * Canonical input with one or two of its keys changed to a near miss (or removed): whether the
 * quick path may accept it then hangs on those keys alone.
 */
function nearMisses(
  canonical: fc.Arbitrary<Record<string, unknown>>,
  misses: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(misses);
  const change = fc.constantFrom(...keys).chain((key) =>
    fc.oneof(
      misses[key]!.map((value) => ({ key, value, remove: false })),
      fc.constant({ key, value: undefined, remove: true }),
    ),
  );
  return fc.tuple(canonical, fc.array(change, { minLength: 1, maxLength: 2 })).map(([base, changes]) => {
    let out: Record<string, unknown> = { ...base };
    for (const { key, value, remove } of changes) {
      if (remove) out = Object.fromEntries(Object.entries(out).filter(([k]) => k !== key));
      else out[key] = value;
    }
    return out;
  });
}

const wrongTypes = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.double(),
);
const ints = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.NaN, Infinity),
);
const tempIds = fc.oneof(
  fc.uuid().map((u) => `temp_appt_${u}`),
  fc.constantFrom('temp_', 'temp_a b', 'temp_x'.padEnd(110, 'x'), 'tmp_1', 'temp_ü'),
);
const ids = fc.oneof(fc.integer({ min: 1 }), ints, tempIds, fc.string(), wrongTypes);
const texts = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 20 }).map((s) => ` ${s}\n`),
  fc.constantFrom('', ' ', 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(5000), 'x'.repeat(5001), '\uD83D', '👍'),
);
const instants = fc.oneof(
  fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(2250, 0, 1) }),
  fc.constantFrom(Date.UTC(1900, 0, 1), Date.UTC(1900, 0, 1) - 1, Date.UTC(2200, 0, 1), Date.UTC(2200, 0, 1) - 1),
);
const dates = fc.oneof(
  instants.map((ms) => new Date(ms).toISOString()),
  instants.map((ms) =>
    new Date(ms)
      .toISOString()
      .replace('.000Z', 'Z')
      .replace(/\.\d{3}Z$/, '+00:00'),
  ),
  fc.constantFrom(
    '2026-02-30T10:00:00.000Z',
    '2023-02-29T10:00:00.000Z',
    '2024-02-29T10:00:00.000Z',
    '2100-02-29T10:00:00.000Z',
    '2000-02-29T10:00:00.000Z',
    '2026-04-31T10:00:00.000Z',
    '2026-13-01T10:00:00.000Z',
    '2026-00-10T10:00:00.000Z',
    '2026-01-00T10:00:00.000Z',
    '2026-11-27T24:00:00.000Z',
    '2026-11-27T23:60:00.000Z',
    '2026-11-27T23:59:60.000Z',
    '2026-11-27T10:00:00.000z',
    '2026-11-27t10:00:00.000Z',
    '2026-11-27T10:00:00,000Z',
    '2026-11-27T1a:00:00.000Z',
    '2026-11-27T10:00:00.00aZ',
    '-026-11-27T10:00:00.000Z',
    '1899-12-31T23:59:59.999Z',
    '2200-01-01T00:00:00.000Z',
    '2026-11-27T10:00:00.000+01:00',
    '2026-11-27',
    '+010000-01-01T00:00:00.000Z',
  ),
  texts,
  ints,
);

describe('canonicalOperation', () => {
  /** Operations as a service worker sends them. */
  const sent = fc.record(
    {
      id: fc.nat(),
      opId: fc.uuid(),
      operation: fc.constantFrom('create', 'update', 'delete'),
      entityType: fc.constantFrom('appointments', 'pets', 'users'),
      entityId: fc.oneof(
        fc.integer({ min: 1 }),
        tempIds.filter((t) => t.startsWith('temp_appt_')),
      ),
      tempId: tempIds.filter((t) => t.startsWith('temp_appt_')),
      data: fc.constant({ title: 'Checkup' }),
      timestamp: fc.nat(),
      version: fc.nat(),
      userId: fc.oneof(fc.nat(), fc.string()),
      practiceId: fc.nat(),
      tenantId: fc.constant('smartvet'),
    },
    { requiredKeys: ['opId', 'operation', 'entityType', 'timestamp'] },
  );
  const misses = {
    id: fc.oneof(ints, wrongTypes),
    opId: fc.oneof(texts, fc.constantFrom('1234567', '12345678', 'x'.repeat(100), 'x'.repeat(101)), wrongTypes),
    operation: fc.constantFrom('Create', '', 'upsert', 1),
    entityType: fc.oneof(fc.constantFrom('clients', '', 'x'.repeat(50), 'x'.repeat(51)), texts),
    entityId: ids,
    tempId: ids,
    data: fc.oneof(wrongTypes, fc.string()),
    timestamp: fc.oneof(ints, wrongTypes, fc.constantFrom(-1)),
    version: fc.oneof(ints, wrongTypes, fc.constantFrom(-1)),
    userId: fc.oneof(ints, wrongTypes),
    practiceId: fc.oneof(ints, wrongTypes),
    tenantId: wrongTypes,
    extra: fc.anything(),
  };

  it('accepts only what PushOperationSchema accepts, with a strictly equal result', () => {
    fc.assert(
      fc.property(fc.oneof(nearMisses(sent, misses), wrongTypes), (raw) => {
        const quick = canonicalOperation(raw);
        if (quick === null) return;
        const parsed = PushOperationSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(quick).toStrictEqual(parsed.data);
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts the operations a service worker sends', () => {
    fc.assert(
      fc.property(sent, (raw) => {
        expect(canonicalOperation(raw)).toStrictEqual(PushOperationSchema.parse(raw));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('canonicalAppointment', () => {
  /** Bookings as a service worker sends them (and the reference, with numeric durations). */
  const sent = fc.record(
    {
      title: fc.string({ minLength: 1, maxLength: 200 }).map((s) => s.trim() || 'Visit'),
      type: fc.constantFrom(...APPOINTMENT_TYPES),
      date: fc
        .integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) - 1 })
        .map((ms) => new Date(ms).toISOString()),
      durationMinutes: fc.integer({ min: 1, max: 1440 }).chain((m) => fc.constantFrom<number | string>(m, String(m))),
      status: fc.constantFrom(...APPOINTMENT_STATUSES),
      notes: fc.oneof(fc.constant(null), fc.string({ maxLength: 100 })),
      petId: fc.oneof(
        fc.integer({ min: 1 }),
        fc.uuid().map((u) => `temp_pet_${u}`),
      ),
      practitionerId: fc.oneof(fc.constant(null), fc.integer({ min: 1 })),
      overlapAllowed: fc.boolean(),
      id: fc.uuid().map((u) => `temp_appt_${u}`),
      clientId: fc.constant(null),
    },
    { requiredKeys: ['title', 'type', 'date', 'durationMinutes', 'petId'] },
  );
  const misses = {
    title: texts,
    type: fc.oneof(fc.constantFrom('Follow-up', 'followup', 'CHECKUP', ' dental', 'vaccine'), texts),
    date: dates,
    durationMinutes: fc.oneof(
      fc.integer({ min: -5, max: 1500 }),
      fc.integer({ min: -5, max: 1500 }).map(String),
      fc.constantFrom('030', '0', '+5', '1441', '1440', '1e3', ' 30', '99999', 0, 1441, 30.5),
      wrongTypes,
    ),
    status: fc.oneof(fc.constantFrom('SCHEDULED', 'done', ''), wrongTypes),
    notes: fc.oneof(texts, wrongTypes),
    petId: ids,
    practitionerId: ids,
    overlapAllowed: fc.oneof(wrongTypes, fc.constant('true')),
    practiceId: ints,
  };

  it('accepts only what the writable schema accepts, with strictly equal fields that the record schema takes', () => {
    fc.assert(
      fc.property(nearMisses(sent, misses), (data) => {
        const merged = Object.assign({}, CREATE_DEFAULTS.appointments, data);
        const quick = canonicalAppointment(merged);
        if (quick === null) return;
        expect(quick).toStrictEqual(schemaCreateData('appointments', merged));
        // Checked apart from the conversion cache, which the quick path fills.
        expect(quick.date).toBe(new Date(String(quick.date)).toISOString());
        expect(() => assertStorable('appointments', quick)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every booking the worker queues, whatever spelling the form used', () => {
    const forms = fc.record({
      title: fc.string({ minLength: 1, maxLength: 50 }).map((s) => ` ${s.trim() || 'Visit'} `),
      type: fc.constantFrom('Follow-up', 'follow up', 'CHECKUP', 'vaccine', ...APPOINTMENT_TYPES),
      date: fc
        .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
        .map((ms) => new Date(ms).toISOString().replace('Z', '+00:00')),
      durationMinutes: fc.integer({ min: 1, max: 1440 }).chain((m) => fc.constantFrom<number | string>(m, `${m}`)),
      petId: fc.uuid().map((u) => `temp_pet_${u}`),
      notes: fc.oneof(fc.constant(null), fc.string({ maxLength: 100 })),
    });
    fc.assert(
      fc.property(forms, (body) => {
        const queued = parseCreateBody('appointments', body);
        const merged = Object.assign({}, CREATE_DEFAULTS.appointments, queued);
        expect(canonicalAppointment(merged)).toStrictEqual(schemaCreateData('appointments', merged));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts the bookings a service worker sends', () => {
    fc.assert(
      fc.property(sent, (data) => {
        const merged = Object.assign({}, CREATE_DEFAULTS.appointments, data);
        expect(canonicalAppointment(merged)).toStrictEqual(schemaCreateData('appointments', merged));
      }),
      { numRuns: RUNS },
    );
  });
});
