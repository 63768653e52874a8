/**
 * Push fuzzing, property-based (fast-check): random and malformed operations (wrong kinds and
 * types, odd ids, any JSON as data, fields of the wrong type) never make the server answer 5xx
 * or fail an operation as INTERNAL, and afterwards the database holds: no row references a
 * missing row (nor a row of another practice), and no version went down.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ON_POSTGRES, appointmentData, op, seedIds, tempId, useTestServer } from './helpers.ts';
import { WritableAppointmentSchema } from '../../src/protocol/index.ts';

const RUNS = Number(process.env.FC_RUNS ?? 150);

const t = useTestServer({}, async (server) => ({
  admin: await server.login('admin@northside.example'),
  ids: await seedIds(server, 1),
}));

async function versions(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const table of ['users', 'pets', 'appointments']) {
    for (const r of await t.server.sql.all<{ id: number; version: number | string }>(
      `SELECT id, version FROM ${table}`,
    ))
      out.set(`${table}:${r.id}`, Number(r.version));
  }
  return out;
}

function danglingReferences(): Promise<unknown[]> {
  return t.server.sql.all(
    `SELECT 'appointment→pet' AS link, a.id FROM appointments a LEFT JOIN pets p ON p.id = a.pet_id WHERE p.id IS NULL OR p.practice_id != a.practice_id
       UNION ALL SELECT 'appointment→practitioner', a.id FROM appointments a LEFT JOIN users u ON u.id = a.practitioner_id WHERE a.practitioner_id IS NOT NULL AND (u.id IS NULL OR u.practice_id != a.practice_id)
       UNION ALL SELECT 'pet→owner', p.id FROM pets p LEFT JOIN users u ON u.id = p.owner_id WHERE u.id IS NULL OR u.practice_id != p.practice_id`,
  );
}

describe('push fuzzing', () => {
  it('random and malformed operations: never a 5xx or INTERNAL; references and versions hold', async () => {
    const id = fc.oneof(
      fc.constantFrom(t.ids.appointmentId, t.ids.petId, t.ids.clientId, t.ids.practitionerId, 0, -1, 2 ** 53),
      fc.string({ maxLength: 12 }),
      fc.constant(tempId('appt')),
    );
    const anyValue = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      id,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    // The fields the contract lets a device write (the protocol's schema), and some it does not.
    const writable = Object.keys(WritableAppointmentSchema.shape);
    const field = fc.constantFrom(...writable, 'ownerId', 'name', 'species', 'role', 'version', 'id');
    const data = fc.oneof(
      fc
        .tuple(fc.constantFrom(t.ids.petId), fc.dictionary(field, anyValue, { maxKeys: 3 }))
        .map(([petId, extra]) => ({ ...appointmentData(petId, null), ...extra })),
      fc.dictionary(field, anyValue, { maxKeys: 6 }),
      anyValue,
    );
    const text = fc.string({ maxLength: 40 });
    const valid = fc.oneof(
      fc.tuple(text, fc.option(fc.tuple(field, anyValue))).map(([notes, odd]) => ({
        operation: 'create',
        entityType: 'appointments',
        tempId: tempId('appt'),
        data: { ...appointmentData(t.ids.petId, null, { notes }), ...(odd ? { [odd[0]]: odd[1] } : {}) },
      })),
      fc.tuple(text, fc.option(fc.tuple(field, anyValue))).map(([notes, odd]) => ({
        operation: 'update',
        entityType: 'appointments',
        entityId: t.ids.appointmentId,
        data: { notes, ...(odd ? { [odd[0]]: odd[1] } : {}) },
      })),
      text.map((name) => ({
        operation: 'create',
        entityType: 'pets',
        tempId: tempId('pet'),
        data: { name: name || 'x', species: 'Cat', ownerId: t.ids.clientId },
      })),
    );
    const malformed = fc.record({
      operation: fc.oneof(fc.constantFrom('create', 'update', 'delete'), fc.string({ maxLength: 6 })),
      entityType: fc.oneof(fc.constantFrom('appointments', 'pets', 'users'), fc.string({ maxLength: 8 })),
      entityId: id,
      tempId: fc.option(fc.constant(tempId('pet'))),
      version: fc.option(fc.integer({ min: -2, max: 100 })),
      data,
    });
    const operation = fc.oneof({ arbitrary: valid, weight: 1 }, { arbitrary: malformed, weight: 2 });
    let tried = 0;
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 6 }), async (ops) => {
        const before = await versions();
        const res = await t.admin.push(
          ops.map((o) => op({ ...o, practiceId: 1, tenantId: 'smartvet' } as Parameters<typeof op>[0])),
        );
        tried += ops.length;
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) {
          for (const r of res.body.results) {
            expect(r.error?.code).not.toBe('INTERNAL');
            if (r.success) applied++;
          }
        }
        for (const [key, version] of await versions())
          expect(version, key).toBeGreaterThanOrEqual(before.get(key) ?? 0);
      }),
      { numRuns: RUNS },
    );
    expect(await danglingReferences()).toEqual([]);
    if (!ON_POSTGRES) expect(t.server.db.pragma('foreign_key_check')).toEqual([]); // PostgreSQL holds foreign keys itself
    expect(tried).toBeGreaterThan(RUNS);
    // Not all refused: the mix reaches the write paths too.
    expect(applied).toBeGreaterThan(0);
    console.log(`[fuzz] push: ${tried} operations in ${RUNS} pushes, ${applied} applied, 0 × 5xx`);
  });
});
