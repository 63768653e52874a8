/**
 * Tenant isolation, property-based (fast-check): a signed-in member of practice 1 sends random
 * pushes, REST calls and pulls carrying forged `practiceId`, `tenantId` and `userId` and the real
 * ids of practice 2 (as the record, as references, as temp ids practice 2 created). Afterwards
 * practice 2's rows are byte for byte what they were, nothing practice 1 wrote references a row
 * of practice 2, nothing of practice 2 was read, and no request was answered 500.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HARBOR, appointmentData, op, seedIds, tempId, useTestServer, createOp } from './helpers.ts';

const RUNS = Number(process.env.FC_RUNS ?? 150);

const t = useTestServer({}, async (server) => {
  const northside = await server.login('admin@northside.example'); // the widest role: may delete
  const harbor = await server.login(HARBOR.email);
  const idsOf = async (table: string) =>
    (await server.sql.values(`SELECT id FROM ${table} WHERE practice_id = 2 ORDER BY id LIMIT 8`)).map(Number);
  // Temp ids practice 2 created: practice 1 must not be able to resolve them.
  const temps = [tempId('pet'), tempId('appt')];
  const harborIds = await seedIds(server, 2);
  await harbor.push([
    createOp('pets', { name: 'Salty', species: 'Dog', ownerId: harborIds.clientId }, { tempId: temps[0] }),
    createOp('appointments', appointmentData(temps[0]!, null), { tempId: temps[1] }),
  ]);
  const harborRefs = {
    appointments: await idsOf('appointments'),
    pets: await idsOf('pets'),
    users: await idsOf('users'),
    temps,
  };
  const northsidePets = (await server.sql.values('SELECT id FROM pets WHERE practice_id = 1 ORDER BY id LIMIT 4')).map(
    Number,
  );
  return { northside, harbor, harborRefs, northsidePets };
});

/** Practice 2's rows, every column, in a fixed order. */
async function harborSnapshot(): Promise<string> {
  const tables = ['users', 'pets', 'appointments'];
  return JSON.stringify(
    await Promise.all(
      tables.map((table) => t.server.sql.all(`SELECT * FROM ${table} WHERE practice_id = 2 ORDER BY id`)),
    ),
  );
}

/** Rows of practice 1 pointing at a row of another practice. */
function crossReferences(): Promise<unknown[]> {
  return t.server.sql.all(
    `SELECT 'appointment→pet' AS link, a.id FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.practice_id != p.practice_id
       UNION ALL SELECT 'appointment→practitioner', a.id FROM appointments a JOIN users u ON u.id = a.practitioner_id WHERE a.practice_id != u.practice_id
       UNION ALL SELECT 'pet→owner', p.id FROM pets p JOIN users u ON u.id = p.owner_id WHERE p.practice_id != u.practice_id`,
  );
}

const forged = fc.record(
  {
    practiceId: fc.constantFrom(2, 1, 999),
    tenantId: fc.constantFrom('harborvet', 'smartvet', 'x'),
    userId: fc.constantFrom(1, 40, 999_999),
  },
  { requiredKeys: [] },
);

describe('tenant isolation under forged ids', () => {
  it('push: forged practice, tenant and user, and practice 2 ids as records, references or temp ids', async () => {
    const before = await harborSnapshot();
    const harborId = (kind: 'appointments' | 'pets' | 'users') => fc.constantFrom(...t.harborRefs[kind]);
    const reference = fc.oneof(
      harborId('pets'),
      harborId('users'),
      fc.constantFrom(...t.harborRefs.temps),
      fc.constantFrom(...t.northsidePets),
    );
    const operation = fc.oneof(
      // Writes to practice 2's records.
      fc.record({
        operation: fc.constantFrom('update', 'delete'),
        entityType: fc.constant('appointments'),
        entityId: harborId('appointments'),
        data: fc.constant({ notes: 'hijack' }),
      }),
      fc.record({
        operation: fc.constantFrom('update', 'delete'),
        entityType: fc.constant('pets'),
        entityId: harborId('pets'),
        data: fc.constant({ name: 'Hijacked' }),
      }),
      fc.record({
        operation: fc.constantFrom('update', 'delete'),
        entityType: fc.constant('users'),
        entityId: harborId('users'),
        data: fc.constant({ phone: '+1 555 0000' }),
      }),
      fc.record({
        operation: fc.constant('update'),
        entityType: fc.constant('appointments'),
        entityId: fc.constantFrom(...t.harborRefs.temps),
        data: fc.constant({ notes: 'via temp' }),
      }),
      // Creates and edits of practice 1 pointing at practice 2.
      reference.map((petId) => ({
        operation: 'create',
        entityType: 'appointments',
        tempId: tempId('appt'),
        data: appointmentData(petId, null),
      })),
      fc.tuple(fc.constantFrom(...t.northsidePets), harborId('users')).map(([petId, practitionerId]) => ({
        operation: 'create',
        entityType: 'appointments',
        tempId: tempId('appt'),
        data: appointmentData(petId, practitionerId),
      })),
      reference.map((ownerId) => ({
        operation: 'create',
        entityType: 'pets',
        tempId: tempId('pet'),
        data: { name: 'Stray', species: 'Cat', ownerId },
      })),
      reference.map((ownerId) => ({
        operation: 'update',
        entityType: 'pets',
        entityId: t.northsidePets[0]!,
        data: { ownerId },
      })),
    );
    // Honest envelopes too, so the legitimate operations in the mix show that the push still works.
    const envelope = fc.oneof(forged, fc.constant({ practiceId: 1, tenantId: 'smartvet' }));
    const pushes = fc.array(fc.tuple(operation, envelope, fc.oneof(forged, fc.constant({}))), {
      minLength: 1,
      maxLength: 5,
    });
    let applied = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(pushes, async (ops) => {
        const res = await t.northside.push(
          ops.map(([o, envelope, inData]) =>
            op({ ...envelope, ...o, data: o.data ? { ...o.data, ...inData } : null } as Parameters<typeof op>[0]),
          ),
        );
        expect(res.status).toBe(200);
        for (const result of res.body.results) {
          if (result.success) {
            applied++;
            // Whatever was applied belongs to practice 1, whatever the operation claimed.
            expect(result.record?.practiceId ?? 1).toBe(1);
          } else {
            const code = result.error?.code ?? 'CONFLICT';
            codes.set(code, (codes.get(code) ?? 0) + 1);
            expect(code).not.toBe('INTERNAL');
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(await harborSnapshot()).toBe(before);
    expect(await crossReferences()).toEqual([]);
    // Some operations in the mix are legitimate (a practice 1 pet, a forged envelope only): they apply.
    expect(applied, JSON.stringify([...codes])).toBeGreaterThan(0);
  });

  it('REST: practice 2 ids in paths, bodies and query strings read nothing and write nothing', async () => {
    const before = await harborSnapshot();
    const call = fc.oneof(
      fc
        .tuple(
          fc.constantFrom('GET', 'PATCH', 'DELETE'),
          fc.constantFrom('appointments', 'pets', 'users'),
          fc.nat({ max: 7 }),
        )
        .map(([method, entity, i]) => ({
          method,
          path: `/api/${entity}/${t.harborRefs[entity as 'pets'][i % t.harborRefs[entity as 'pets'].length]}`,
          body: method === 'PATCH' ? { notes: 'x', name: 'x', practiceId: 2 } : undefined,
        })),
      fc
        .tuple(
          fc.constantFrom('petId', 'clientId', 'ownerId', 'practitionerId', 'practiceId', 'tenantId'),
          fc.constantFrom(...t.harborRefs.pets, ...t.harborRefs.users, 'harborvet'),
        )
        .map(([param, value]) => ({
          method: 'GET',
          path: `/api/${param === 'ownerId' ? 'pets' : 'appointments'}?${param}=${value}`,
          body: undefined,
        })),
      fc.tuple(fc.constantFrom(...t.harborRefs.pets, ...t.harborRefs.temps), forged).map(([petId, extra]) => ({
        method: 'POST',
        path: '/api/appointments',
        body: { ...appointmentData(petId, null), ...extra },
      })),
    );
    await fc.assert(
      fc.asyncProperty(call, async ({ method, path, body }) => {
        const res = await t.northside.request(method, path, body);
        expect(res.status).toBeLessThan(500);
        expect(res.text).not.toMatch(/"practiceId":2\b/);
      }),
      { numRuns: RUNS },
    );
    expect(await harborSnapshot()).toBe(before);
    expect(await crossReferences()).toEqual([]);
  });

  it('pull: forged practice, tenant or user in the query, or practice 2 cursors, return nothing of practice 2', async () => {
    const theirCursor = (await t.harbor.pull({ limit: 1 })).body.cursor;
    const query = fc.record(
      {
        practiceId: fc.constantFrom('1', '2', '999'),
        tenantId: fc.constantFrom('smartvet', 'harborvet'),
        userId: fc.constantFrom('1', '40'),
        cursor: fc.constantFrom(theirCursor, 'eyJ2IjoxLCJwIjoyLCJzIjp7fX0'),
        limit: fc.constantFrom('1', '1000'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await t.northside.request('GET', `/api/sync/pull?${new URLSearchParams(q)}`);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200)
          expect(res.body.changes.every((c: { data: { practiceId: number } }) => c.data.practiceId === 1)).toBe(true);
        else expect(res.body.changes).toBeUndefined();
      }),
      { numRuns: Math.min(RUNS, 60) },
    );
  });
});
